"""``python -m zenoo_rpc.testing``: run the Odoo emulator until interrupted."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from ._server import DEFAULT_API_KEY, OdooEmulator
from ._store import VERSIONS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zenoo_rpc.testing", description="Run the Odoo emulator.")
    parser.add_argument("--odoo-version", default="19.0", choices=VERSIONS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every answer")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the admin's API key (JSON-2 on 19.0)")
    parser.add_argument("--partners", type=int, default=0, help="add this many generated partners")
    parser.add_argument("--close-connections", action="store_true", help="close after each answer, like Odoo")
    parser.add_argument(
        "--schema", type=Path, help="serve a zenoo-gen --dump-schema snapshot with generated records"
    )
    parser.add_argument("--records", type=int, default=20, help="records per model with --schema")
    args = parser.parse_args(argv)
    # what the emulated Odoo logs (e.g. its warning for each call to an endpoint Odoo 19 deprecates)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = OdooEmulator(
        args.odoo_version,
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        api_key=args.api_key,
        close_connections=args.close_connections,
        snapshot=args.schema,
        records_per_model=args.records,
    )
    if args.partners:
        server.load_partners(args.partners)
    server.start()
    print(
        f"Odoo {server.version} emulator on {server.url} (database 'demo', admin/admin, demo/demo)"
        + (f", schema {args.schema}" if args.schema else ""),
        flush=True,
    )
    print(
        f"  connect: SyncZenooClient({server.url!r}).login('demo', 'admin', 'admin')\n"
        f"  admin API key: {server.api_key}"
        + (
            f"  (JSON-2: login_with_api_key('demo', 'admin', {server.api_key!r}))"
            if server.db.major >= 19
            else ""
        ),
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
