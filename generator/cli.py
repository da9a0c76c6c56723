"""``zenoo-gen``: introspect an Odoo (or load a saved schema) and generate typed models and clients."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .render import GenerateError, write
from .render import check as check_tree
from .snapshot import Snapshot, SnapshotError, introspect, load

T = TypeVar("T")


def _pyproject_defaults() -> dict[str, Any]:
    """``[tool.zenoo-gen]`` in ./pyproject.toml supplies defaults for any option (flags still win)."""
    path = Path("pyproject.toml")
    if not path.exists():
        return {}
    if sys.version_info < (3, 11):
        return {}
    import tomllib  # type: ignore[import-not-found,unused-ignore]

    section = tomllib.loads(path.read_text()).get("tool", {}).get("zenoo-gen", {})
    renamed = {"models": "model_patterns", "check": "check_only"}  # option name -> parameter name
    out = {}
    for key, value in section.items():
        name = key.replace("-", "_")
        out[renamed.get(name, name)] = value
    return out


def _progress(label: str) -> Any:
    def wrap(items: Iterable[T]) -> Iterator[T]:
        seq = list(items)
        with click.progressbar(seq, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar

    return wrap


class _Command(click.Command):
    """Reads ``[tool.zenoo-gen]`` from the working directory's pyproject.toml when the command runs."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        extra.setdefault("default_map", _pyproject_defaults())
        return super().make_context(info_name, args, parent, **extra)


@click.command(cls=_Command, context_settings={"auto_envvar_prefix": "ZENOO"})
@click.option("--url", help="Server URL, e.g. https://odoo.example.com (or --host/--port).")
@click.option("--host", default="localhost", show_default=True)
@click.option("--port", type=int, default=8069, show_default=True)
@click.option("--db", help="Database name.")
@click.option("--user", default="admin", show_default=True, help="Login.")
@click.option("--password", help="Password (or ZENOO_PASSWORD).")
@click.option("--api-key", help="API key instead of a password (JSON-2 on Odoo 19; also reads /doc-bearer).")
@click.option(
    "--protocol", default="auto", type=click.Choice(["auto", "jsonrpc", "xmlrpc", "session", "json2"])
)
@click.option(
    "--models",
    "model_patterns",
    envvar="ZENOO_MODELS",
    help="Comma-separated models or globs: res.partner,sale.*",
)
@click.option("--modules", help="Only models of these modules: sale,stock")
@click.option("--out", type=click.Path(path_type=Path), default=Path("generated_models"), show_default=True)
@click.option(
    "--dump-schema", type=click.Path(path_type=Path), help="Also save the schema snapshot to this file."
)
@click.option(
    "--from-schema",
    type=click.Path(exists=True, path_type=Path),
    help="Generate offline from a saved snapshot (file or folder like shared/odoo/19.0).",
)
@click.option(
    "--check", "check_only", is_flag=True, help="Fail when the tree in --out is stale; write nothing."
)
@click.version_option(__version__, prog_name="zenoo-gen")
def main(
    url: str | None,
    host: str,
    port: int,
    db: str | None,
    user: str,
    password: str | None,
    api_key: str | None,
    protocol: str,
    model_patterns: str | None,
    modules: str | None,
    out: Path,
    dump_schema: Path | None,
    from_schema: Path | None,
    check_only: bool,
) -> None:
    """Generate typed attrs model classes and typed sync/async clients for an Odoo database."""
    try:
        _generate(
            url or f"http://{host}:{port}",
            db,
            user,
            password,
            api_key,
            protocol,
            model_patterns.split(",") if model_patterns else None,
            modules.split(",") if modules else None,
            out,
            dump_schema,
            from_schema,
            check_only,
        )
    except (click.ClickException, click.exceptions.Exit):
        raise
    except (SnapshotError, GenerateError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise click.ClickException(f"cannot write{where}: {exc.strerror or exc}") from None
    except Exception as exc:  # never a raw traceback; say what failed
        raise click.ClickException(
            f"zenoo-gen failed: {type(exc).__name__}: {exc} (this is a bug of zenoo-gen {__version__}:"
            " please report it with the command you ran)"
        ) from None


def _generate(
    url: str,
    db: str | None,
    user: str,
    password: str | None,
    api_key: str | None,
    protocol: str,
    patterns: list[str] | None,
    module_list: list[str] | None,
    out: Path,
    dump_schema: Path | None,
    from_schema: Path | None,
    check_only: bool,
) -> None:
    if from_schema is not None:
        snapshot = load(from_schema).select(patterns, module_list)
    else:
        snapshot = _introspect(url, db, user, password, api_key, protocol, patterns, module_list)
    if not snapshot.fields:
        raise click.UsageError("no model matched: check --models/--modules and the user's access rights")
    if dump_schema is not None:
        dump_schema.write_text(snapshot.to_json())
        click.echo(f"schema of {len(snapshot.fields)} models saved to {dump_schema}", err=True)
    if check_only:
        problems = check_tree(snapshot, out)
        if problems:
            click.echo(f"{out} is stale ({len(problems)} files); regenerate with zenoo-gen:", err=True)
            for p in problems:
                click.echo("  " + p, err=True)
            sys.exit(1)
        click.echo(f"{out} is up to date ({len(snapshot.fields)} models)", err=True)
        return
    names = write(snapshot, out, _progress("rendering"))
    click.echo(f"wrote {len(names)} files for {len(snapshot.fields)} models to {out}", err=True)


def _introspect(
    url: str,
    db: str | None,
    user: str,
    password: str | None,
    api_key: str | None,
    protocol: str,
    patterns: list[str] | None,
    modules: list[str] | None,
) -> Snapshot:
    from zenoo_rpc import SyncZenooClient
    from zenoo_rpc.exceptions import ZenooError

    if not db:
        raise click.UsageError("--db is required to introspect a server (or use --from-schema)")
    if not password and not api_key:
        if sys.stdin.isatty():
            password = click.prompt(f"Password for {user}@{db}", hide_input=True)
        else:
            raise click.UsageError("give --password or --api-key (or ZENOO_PASSWORD / ZENOO_API_KEY)")
    client = SyncZenooClient(url, protocol=protocol)
    try:
        if api_key:
            client.login_with_api_key(db, user, api_key)
        else:
            assert password is not None
            client.login(db, user, password)
        return introspect(
            client, api_key=api_key, progress=_progress("introspecting"), patterns=patterns, modules=modules
        )
    except ZenooError as exc:
        raise click.ClickException(f"{url}: {type(exc).__name__}: {exc}") from None
    finally:
        client.close()


if __name__ == "__main__":
    main()
