"""What schema drift costs: the bundled 19.0 classes against the 19.0, 18.0 and 17.0 emulators.

For each server version and face, a fresh client (logged in) runs a workload; its first query pays what the
client learns about the server (on 17.0/18.0: a refused read, ``fields_get``, the read again; once a model
drifted, further models read ``fields_get`` first), later queries use what it learned. Printed per row:
the calls (requests that reached the emulator) and the median time of the first query over ``--rounds``
fresh clients, and of later queries over ``--repeats`` runs.

    python -m bench.schema_drift [--latency 0 --latency 20] [--rounds 5] [--repeats 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.exceptions import SchemaDriftWarning
from zenoo_rpc.models.common import ResPartner, SaleOrder
from zenoo_rpc.testing import OdooEmulator

VERSIONS = ("19.0", "18.0", "17.0")


def partners(client: Any) -> Any:
    return client.model(ResPartner).filter(is_company=True).all()


def orders(client: Any) -> Any:
    return (
        client.model(SaleOrder)
        .filter(state="sale")
        .prefetch_related("partner_id", "order_line.product_id")
        .all()
    )


#: (label, queries run on one fresh client before the measured one, measured query)
SCENARIOS: list[tuple[str, list[Callable[[Any], Any]], Callable[[Any], Any]]] = [
    ("partners: first query of a client", [], partners),
    ("orders + lines + products: first query of a client", [], orders),
    ("orders + lines + products: after a partners query", [partners], orders),
]


class Face:
    """Runs a query on one face; the async one on its own event loop."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop = asyncio.new_event_loop() if name == "async" else None

    def client(self, url: str) -> Any:
        client = ZenooClient(url) if self.loop else SyncZenooClient(url)
        self.run(client.login("demo", "admin", "admin"))
        return client

    def run(self, value: Any) -> Any:
        return self.loop.run_until_complete(value) if self.loop and asyncio.iscoroutine(value) else value

    def close(self, client: Any) -> None:
        self.run(client.close())


def timed(face: Face, odoo: OdooEmulator, client: Any, query: Callable[[Any], Any]) -> tuple[int, float]:
    odoo.reset_counts()
    start = time.perf_counter()
    face.run(query(client))
    return odoo.requests, time.perf_counter() - start


def measure(
    face: Face,
    odoo: OdooEmulator,
    before: list[Callable[[Any], Any]],
    query: Callable[[Any], Any],
    rounds: int,
    repeats: int,
) -> dict[str, Any]:
    first_calls: set[int] = set()
    first_times: list[float] = []
    later_calls: set[int] = set()
    later_times: list[float] = []
    for _ in range(rounds):
        client = face.client(odoo.url)
        for step in before:
            face.run(step(client))
        calls, seconds = timed(face, odoo, client, query)
        first_calls.add(calls)
        first_times.append(seconds)
        for _ in range(repeats):
            calls, seconds = timed(face, odoo, client, query)
            later_calls.add(calls)
            later_times.append(seconds)
        face.close(client)
    return {
        "first_calls": "/".join(map(str, sorted(first_calls))),
        "first_ms": statistics.median(first_times) * 1000,
        "later_calls": "/".join(map(str, sorted(later_calls))),
        "later_ms": statistics.median(later_times) * 1000,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, action="append", help="emulator latency in ms (repeatable)")
    parser.add_argument("--rounds", type=int, default=5, help="fresh clients per row (first-query median)")
    parser.add_argument("--repeats", type=int, default=10, help="later queries per client")
    ns = parser.parse_args(argv)
    warnings.simplefilter("ignore", SchemaDriftWarning)  # expected here: one per model and client
    print("schema drift: the bundled 19.0 classes per server version; calls = requests to the server")
    header = f"{'version':>7} {'face':>5}  {'first query':>17}  {'later queries':>17}  workload"
    for latency in ns.latency or [0.0, 20.0]:
        print(f"\n[{latency:.0f} ms latency]\n{header}")
        for version in VERSIONS:
            odoo = OdooEmulator(version, latency_ms=latency).start()
            try:
                for face_name in ("sync", "async"):
                    face = Face(face_name)
                    for label, before, query in SCENARIOS:
                        row = measure(face, odoo, before, query, ns.rounds, ns.repeats)
                        print(
                            f"{version:>7} {face_name:>5}  "
                            f"{row['first_calls']:>3} calls {row['first_ms']:>6.1f} ms  "
                            f"{row['later_calls']:>3} calls {row['later_ms']:>6.1f} ms  {label}"
                        )
                    if face.loop is not None:
                        face.loop.close()
            finally:
                odoo.stop()


if __name__ == "__main__":
    main()
