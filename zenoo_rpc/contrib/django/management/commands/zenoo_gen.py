"""``manage.py zenoo_gen <app_label>``: zenoo-gen with an alias's connection, into a package of the app.

``manage.py zenoo_gen shop --models 'res.partner,sale.order*'`` writes ``shop/odoo_models/`` (``--package``
names it), typed classes of the models the alias's user can read; ``--check`` fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zenoo_rpc.contrib.django._clients import handler

__all__ = ["Command"]


def _split(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


class Command(BaseCommand):
    help = "Generate typed Odoo model classes (zenoo-gen) into a package of a Django app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_label", help="the app that gets the package, e.g. shop")
        parser.add_argument("--alias", default="default", help="the ZENOO_RPC alias to read the schema from")
        parser.add_argument("--package", default="odoo_models", help="the package's folder name in the app")
        parser.add_argument("--models", help="comma-separated models or globs: res.partner,sale.*")
        parser.add_argument("--modules", help="only models of these Odoo modules: sale,crm")
        parser.add_argument(
            "--check", action="store_true", help="fail when the package is stale; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from zenoo_rpc import ZenooError
        from zenoo_rpc.generator.render import GenerateError, check, write
        from zenoo_rpc.generator.snapshot import introspect

        try:
            app = apps.get_app_config(options["app_label"])
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        package = options["package"]
        if not package.isidentifier():
            raise CommandError(f"--package must be a Python identifier, not {package!r}")
        out = Path(app.path) / package
        config = handler.config(options["alias"])
        try:
            snapshot = introspect(
                handler.sync(options["alias"]),
                api_key=config.secret if config.api_key else None,
                patterns=_split(options["models"]),
                modules=_split(options["modules"]),
            )
        except ZenooError as exc:
            raise CommandError(f"{config.url}: {type(exc).__name__}: {exc}") from None
        if not snapshot.fields:
            raise CommandError("no model matched: check --models/--modules and the user's access rights")
        if options["check"]:
            stale = check(snapshot, out)
            if stale:
                raise CommandError(
                    f"{out} is stale ({len(stale)} files): run manage.py zenoo_gen {app.label}"
                )
            self.stdout.write(f"{out} is up to date ({len(snapshot.fields)} models)")
            return
        try:
            names = write(snapshot, out)
        except (GenerateError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"wrote {len(names)} files for {len(snapshot.fields)} models to {out}"
            f" (from {app.label}.{package} import ...)"
        )
