"""What observability costs per request: the core's ``call`` flow driven with a canned answer (no socket, so
only the client's own work is timed) with no observer, with the client's instrument and no hook, with three
hooks, with the DEBUG request log on, and with OpenTelemetry spans; then one real call to the emulator over
loopback for scale. Variants run in rotation in one process; medians of several rounds are printed.

    python -m bench.observe_overhead [--calls 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

from zenoo_rpc import SyncZenooClient
from zenoo_rpc._core import flows
from zenoo_rpc._core.connection import Connection
from zenoo_rpc._core.observe import NULL_OBSERVER
from zenoo_rpc._core.protocols import Credentials, make_protocol
from zenoo_rpc._core.resilience import CircuitBreaker, RetryPolicy
from zenoo_rpc._core.wire import CurrentDeadline, RawResponse
from zenoo_rpc._instrument import Instrument
from zenoo_rpc.testing import OdooEmulator

ANSWER = RawResponse(200, {}, json.dumps({"jsonrpc": "2.0", "id": 1, "result": 42}).encode())


def _connection() -> Connection:
    conn = Connection("http://127.0.0.1:8069", "jsonrpc", RetryPolicy(), CircuitBreaker(clock=time.monotonic))
    conn.protocol = make_protocol("jsonrpc")
    conn.creds = Credentials(db="demo", login="admin", secret="admin", uid=2)
    return conn


def _drive(conn: Connection, n: int, sending: Any) -> float:
    """Seconds per call: run ``n`` search_count flows, answering each request with ANSWER."""
    start = time.perf_counter()
    for _ in range(n):
        flow = flows.call(conn, "res.partner", "search_count", [[]])
        try:
            effect = flow.send(None)
            while True:
                if isinstance(effect, CurrentDeadline):  # the call's deadline: none here
                    effect = flow.send(None)
                    continue
                if sending is not None:
                    with sending:
                        pass
                effect = flow.send(ANSWER)
        except StopIteration:
            pass
    return (time.perf_counter() - start) / n


def _variants() -> dict[str, Callable[[], tuple[Connection, Any]]]:
    def bare() -> tuple[Connection, Any]:
        conn = _connection()
        conn.observer = NULL_OBSERVER
        return conn, None

    def instrument(hooks: int = 0) -> Callable[[], tuple[Connection, Any]]:
        def make() -> tuple[Connection, Any]:
            conn = _connection()
            sink: list[Any] = []
            inst = Instrument(conn.base_url, {k: [sink.append] * hooks for k in ("request", "response")})
            inst._trace = inst._tracer = None  # as when opentelemetry-api is not installed
            conn.observer = inst
            return conn, inst.sending

        return make

    return {
        "no observer (core alone)": bare,
        "instrument, no hook": instrument(0),
        "3+3 hooks": instrument(3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    import zenoo_rpc._instrument as inst_module

    otel = inst_module._tracer()
    variants = _variants()
    made = {name: make() for name, make in variants.items()}
    results: dict[str, list[float]] = {name: [] for name in made}
    log = logging.getLogger("zenoo_rpc.request")
    results["DEBUG log line (to a NullHandler)"] = []
    if otel is not None:
        results["OpenTelemetry API, no SDK, no hook"] = []
    for _ in range(args.rounds):
        for name, (conn, sending) in made.items():
            results[name].append(_drive(conn, args.calls, sending))
        conn, sending = made["instrument, no hook"]
        log.setLevel(logging.DEBUG)
        log.propagate, log.handlers = False, [logging.NullHandler()]
        results["DEBUG log line (to a NullHandler)"].append(_drive(conn, args.calls, sending))
        log.setLevel(logging.NOTSET)
        log.propagate, log.handlers = True, []
        if otel is not None:
            conn = _connection()
            inst = Instrument(conn.base_url)
            conn.observer = inst
            results["OpenTelemetry API, no SDK, no hook"].append(_drive(conn, args.calls, inst.sending))

    with OdooEmulator("19.0") as odoo:
        client = SyncZenooClient(odoo.url)
        client.login("demo", "admin", "admin")
        real = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for _ in range(200):
                client.execute_kw("res.partner", "search_count", [[]])
            real.append((time.perf_counter() - start) / 200)
        client.close()

    base = statistics.median(results["no observer (core alone)"])
    print(f"{'per call (median of rounds)':<40} {'us':>8} {'added us':>9}")
    for name, samples in results.items():
        m = statistics.median(samples)
        print(f"{name:<40} {m * 1e6:8.2f} {(m - base) * 1e6:9.2f}")
    print(f"{'one real call, sync, emulator loopback':<40} {statistics.median(real) * 1e6:8.0f}")
    if otel is None:
        print("(opentelemetry-api is not installed: the span variant was skipped)")


if __name__ == "__main__":
    main()
