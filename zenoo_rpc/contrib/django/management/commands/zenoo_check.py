"""``manage.py zenoo_check [alias ...]``: connect to each alias's Odoo, log in, print the server version, the
protocol and the round-trip time. Exits non-zero when one of them fails."""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zenoo_rpc.contrib.django._clients import handler

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Log in to the Odoo server of each ZENOO_RPC alias; print its version, the protocol and the round trip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("aliases", nargs="*", help="aliases of settings.ZENOO_RPC (default: all)")
        parser.add_argument(
            "--calls", type=int, default=3, help="round trips to time (the median is printed)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        aliases = options["aliases"] or handler.aliases()
        failed = [alias for alias in aliases if not self._check(alias, max(1, options["calls"]))]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(aliases)} Odoo connections failed: {', '.join(failed)}"
            )

    def _check(self, alias: str, calls: int) -> bool:
        from zenoo_rpc import ZenooError

        config = handler.config(alias)
        who = f"{alias}: {config.url} db={config.db} user={config.user}"
        client = handler.new_client(alias)  # a login of its own: this checks the secret, not a shared session
        try:
            started = time.perf_counter()
            if config.api_key:
                uid = client.login_with_api_key(config.db, config.user, config.secret)
            else:
                uid = client.login(config.db, config.user, config.secret)
            login_ms = (time.perf_counter() - started) * 1000
            version = client.version()
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                client.execute_kw("res.users", "search_count", [[["id", "=", uid]]])
                times.append((time.perf_counter() - started) * 1000)
        except ZenooError as exc:
            self.stderr.write(f"{who}: FAILED: {type(exc).__name__}: {exc}")
            return False
        finally:
            client.close()
        self.stdout.write(
            f"{who} (uid {uid}): Odoo {version.get('server_version')} over {client.protocol}; "
            f"login {login_ms:.0f} ms; round trip {statistics.median(times):.1f} ms (median of {calls})"
        )
        return True
