"""Zenoo RPC side by side with odoorpc and with raw HTTP, against the emulator on loopback.

Every workload runs its clients in rotation (A B C A B C ...) in one process, so machine noise hits them all;
medians and p90s are per client, ratios are computed from the same run. Results go to stdout (a table) and to
``bench/results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import requests

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.models.common import ResCompany, ResPartner, SaleOrder
from zenoo_rpc.testing import OdooEmulator

LOOP = asyncio.new_event_loop()
DB, USER, PASSWORD = "demo", "admin", "admin"


def run_async(coro: Any) -> Any:
    return LOOP.run_until_complete(coro)


class Raw:
    """The physical limit: a hand-written JSON-RPC POST over a keep-alive requests.Session / aiohttp session."""

    def __init__(self, url: str) -> None:
        self.url = url + "/jsonrpc"
        self.http = requests.Session()
        self.aio: aiohttp.ClientSession | None = None
        self.uid = self.call("common", "login", [DB, USER, PASSWORD])

    def payload(self, service: str, method: str, args: list[Any]) -> dict[str, Any]:
        return {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": args},
        }

    def call(self, service: str, method: str, args: list[Any]) -> Any:
        return self.http.post(self.url, json=self.payload(service, method, args)).json()["result"]

    def kw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return self.call("object", "execute_kw", [DB, self.uid, PASSWORD, model, method, args, kwargs])

    async def akw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.aio is None:
            self.aio = aiohttp.ClientSession()
        body = self.payload("object", "execute_kw", [DB, self.uid, PASSWORD, model, method, args, kwargs])
        async with self.aio.post(self.url, json=body) as resp:
            return (await resp.json())["result"]


def odoorpc_client(url: str) -> Any:
    import odoorpc

    host, port = url.split("//")[1].split(":")
    odoo = odoorpc.ODOO(host, port=int(port), timeout=60)
    odoo.login(DB, USER, PASSWORD)
    return odoo


def stats(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "median_ms": statistics.median(s) * 1000,
        "p90_ms": s[min(len(s) - 1, int(len(s) * 0.9))] * 1000,
        "n": len(s),
    }


class Bench:
    def __init__(self, latency_ms: float, quick: bool) -> None:
        self.latency_ms = latency_ms
        self.quick = quick
        self.odoo = OdooEmulator("19.0", latency_ms=latency_ms).start()
        self.url = self.odoo.url
        self.results: list[dict[str, Any]] = []
        self.sync = SyncZenooClient(self.url)
        self.sync.login(DB, USER, PASSWORD)
        self.aclient = ZenooClient(self.url)
        run_async(self.aclient.login(DB, USER, PASSWORD))
        self.rpc = odoorpc_client(self.url)
        self.raw = Raw(self.url)

    def close(self) -> None:
        self.sync.close()
        run_async(self.aclient.close())
        if self.raw.aio is not None:
            run_async(self.raw.aio.close())
        self.odoo.stop()

    def reps(self, fast: int, slow: int) -> int:
        n = fast if self.latency_ms == 0 else slow
        return max(1, n // 3) if self.quick else n

    def measure(
        self, name: str, clients: dict[str, Callable[[], Any]], reps: int, note: str = ""
    ) -> dict[str, Any]:
        samples: dict[str, list[float]] = {k: [] for k in clients}
        calls: dict[str, int] = {}
        server: dict[str, float] = {}
        for fn in clients.values():  # warm-up: connections, schemas
            fn()
        for _ in range(reps):
            for key, fn in clients.items():
                self.odoo.reset_counts()
                gc.collect()
                t0 = time.perf_counter()
                fn()
                samples[key].append(time.perf_counter() - t0)
                calls[key] = self.odoo.requests
                server[key] = self.odoo.server_time / max(1, self.odoo.requests) * 1000
        row = {
            "workload": name,
            "latency_ms": self.latency_ms,
            "note": note,
            "clients": {
                k: {**stats(v), "calls": calls[k], "server_ms_per_request": server[k]}
                for k, v in samples.items()
            },
        }
        self.results.append(row)
        print(format_row(row), flush=True)
        return row

    # -- workloads -----------------------------------------------------------------------------------
    def simple_query(self) -> None:
        def z_sync() -> Any:
            return self.sync.model(ResCompany).only("name", "currency_id").all()

        def z_async() -> Any:
            return run_async(self.aclient.model(ResCompany).only("name", "currency_id").all())

        def rpc() -> Any:
            return self.rpc.env["res.company"].search_read([], ["name", "currency_id"])

        def raw() -> Any:
            return self.raw.kw("res.company", "search_read", [[]], {"fields": ["name", "currency_id"]})

        def raw_aio() -> Any:
            return run_async(
                self.raw.akw("res.company", "search_read", [[]], {"fields": ["name", "currency_id"]})
            )

        self.measure(
            "1 simple query (search_read, 2 fields)",
            {
                "zenoo_async": z_async,
                "zenoo_sync": z_sync,
                "odoorpc": rpc,
                "raw_requests": raw,
                "raw_aiohttp": raw_aio,
            },
            self.reps(60, 10),
        )

    def cold_start(self) -> None:
        def z_sync() -> Any:
            with SyncZenooClient(self.url) as c:
                c.login(DB, USER, PASSWORD)
                return c.model(ResCompany).only("name").all()

        def z_async() -> Any:
            async def go() -> Any:
                async with ZenooClient(self.url) as c:
                    await c.login(DB, USER, PASSWORD)
                    return await c.model(ResCompany).only("name").all()

            return run_async(go())

        def rpc() -> Any:
            return odoorpc_client(self.url).env["res.company"].search_read([], ["name"])

        self.measure(
            "2 cold start (new client, login, one query)",
            {"zenoo_async": z_async, "zenoo_sync": z_sync, "odoorpc": rpc},
            self.reps(20, 5),
        )

    def batch_create(self) -> None:
        data = [{"name": f"Bench {i}", "email": f"bench{i}@example.com"} for i in range(100)]

        def z_sync() -> Any:
            return self.sync.model(ResPartner).create(data)

        def z_async() -> Any:
            return run_async(self.aclient.model(ResPartner).create(data))

        def rpc() -> Any:
            model = self.rpc.env["res.partner"]
            return [model.create(v) for v in data]  # odoorpc's create takes one record: the natural loop

        self.measure(
            "3 batch create of 100 partners",
            {"zenoo_async": z_async, "zenoo_sync": z_sync, "odoorpc": rpc},
            self.reps(10, 2),
            "odoorpc: one create per record (its API takes a dict)",
        )
        if self.latency_ms == 0:
            big = [{"name": f"Bulk {i}"} for i in range(10_000)]

            def z_batch() -> Any:
                async def go() -> Any:
                    async with self.aclient.batch_context(max_chunk_size=1000) as batch:
                        batch.create("res.partner", big)
                        return await batch.execute()

                return run_async(go())

            def rpc_big() -> Any:
                model = self.rpc.env["res.partner"]
                return [model.create(v) for v in big]

            self.measure(
                "3b batch create of 10,000 partners (chunks of 1,000)",
                {"zenoo_async": z_batch, "odoorpc": rpc_big},
                1,
            )
        self.odoo.reset_data()

    def concurrent(self) -> None:
        def seed_three_async() -> Any:
            async def go() -> Any:
                q = self.aclient.model(ResPartner).only("name", "email")
                return await asyncio.gather(
                    q.filter(is_company=True).all(),
                    q.filter(customer_rank__gt=0).all(),
                    q.filter(supplier_rank__gt=0).all(),
                )

            return run_async(go())

        def seed_three_sync() -> Any:
            q = self.sync.model(ResPartner).only("name", "email")
            return [
                q.filter(is_company=True).all(),
                q.filter(customer_rank__gt=0).all(),
                q.filter(supplier_rank__gt=0).all(),
            ]

        def seed_three_rpc() -> Any:
            m = self.rpc.env["res.partner"]
            return [
                m.search_read(d, ["name", "email"])
                for d in (
                    [("is_company", "=", True)],
                    [("customer_rank", ">", 0)],
                    [("supplier_rank", ">", 0)],
                )
            ]

        self.measure(
            "4 concurrent: the seed's three queries",
            {"zenoo_async": seed_three_async, "zenoo_sync": seed_three_sync, "odoorpc": seed_three_rpc},
            self.reps(30, 5),
        )
        domains = [[("id", ">", i)] for i in range(30)]

        def mixed_async() -> Any:
            async def go() -> Any:
                q = self.aclient.model_by_name("res.partner").only("name")
                return await asyncio.gather(*(q.filter(id__gt=i).limit(20).all() for i in range(30)))

            return run_async(go())

        def mixed_sync() -> Any:
            q = self.sync.model_by_name("res.partner").only("name")
            return [q.filter(id__gt=i).limit(20).all() for i in range(30)]

        def mixed_rpc() -> Any:
            m = self.rpc.env["res.partner"]
            return [m.search_read(d, ["name"], limit=20) for d in domains]

        self.measure(
            "4b concurrent: 30 queries (async bounded to 10 in flight)",
            {"zenoo_async": mixed_async, "zenoo_sync": mixed_sync, "odoorpc": mixed_rpc},
            self.reps(10, 3),
        )

    def n_plus_one(self) -> None:
        def report(orders: list[Any]) -> list[Any]:
            return [
                (o.partner_id.name, len(o.order_line), [line.product_id.name for line in o.order_line])
                for o in orders
            ]

        def z_sync() -> Any:
            return report(
                self.sync.model(SaleOrder)
                .filter(state="sale")
                .prefetch_related("partner_id", "order_line.product_id")
                .all()
            )

        def z_async() -> Any:
            return report(
                run_async(
                    self.aclient.model(SaleOrder)
                    .filter(state="sale")
                    .prefetch_related("partner_id", "order_line.product_id")
                    .all()
                )
            )

        def rpc() -> Any:
            orders = self.rpc.env["sale.order"]
            return report(orders.browse(orders.search([("state", "=", "sale")])))  # odoorpc's natural loop

        self.measure(
            "5 N+1: orders, customer, lines, products",
            {"zenoo_async": z_async, "zenoo_sync": z_sync, "odoorpc": rpc},
            self.reps(10, 2),
        )

    def _external(self, partners: int) -> tuple[Any, str]:
        """An emulator in another process, so that tracemalloc measures the client alone."""
        import socket
        import subprocess
        import sys

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zenoo_rpc.testing",
                "--odoo-version",
                "19.0",
                "--port",
                str(port),
                "--partners",
                str(partners),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # "Odoo 19.0 emulator on ..." once it listens
        return proc, f"http://127.0.0.1:{port}"

    @staticmethod
    def _peak(fn: Callable[[], Any]) -> dict[str, Any]:
        fn()  # warm-up (schemas, connections)
        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        n = fn()
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"records": n, "seconds": elapsed, "records_per_s": n / elapsed, "peak_mb": peak / 1e6}

    def large_read(self) -> None:
        proc, url = self._external(10_000)
        try:
            sync = SyncZenooClient(url)
            sync.login(DB, USER, PASSWORD)
            raw = Raw(url)
            rpc = odoorpc_client(url)
            fields = [
                "name",
                "email",
                "phone",
                "city",
                "is_company",
                "customer_rank",
                "supplier_rank",
                "lang",
                "type",
                "active",
            ]
            first = sync.model(ResPartner).filter(name__startswith="Generated Partner").order_by("id").first()
            assert first is not None
            domain = [("id", ">=", first.id)]
            out = {
                "zenoo_sync_typed_records": self._peak(
                    lambda: len(sync.model(ResPartner).filter(id__gte=first.id).only(*fields).all())
                ),
                "zenoo_sync_values": self._peak(
                    lambda: len(sync.model(ResPartner).filter(id__gte=first.id).values(*fields))
                ),
                "raw_json_loads": self._peak(
                    lambda: len(raw.kw("res.partner", "search_read", [domain], {"fields": fields}))
                ),
                "odoorpc_search_read": self._peak(
                    lambda: len(rpc.env["res.partner"].search_read(domain, fields))
                ),
                # odoorpc's natural way: browse() and read attributes; it fetches every field of the records
                "odoorpc_browse": self._peak(
                    lambda: len(
                        [
                            (p.name, p.email, p.city)
                            for p in rpc.env["res.partner"].browse(rpc.env["res.partner"].search(domain))
                        ]
                    )
                ),
            }
            sync.close()
        finally:
            proc.kill()
            proc.wait()
        row = {
            "workload": "6 large read: 10,000 partners x 10 fields (client memory only)",
            "latency_ms": self.latency_ms,
            "memory": out,
        }
        self.results.append(row)
        print(format_memory(row), flush=True)

    def streaming(self) -> None:
        out = {}
        for n in (10_000, 100_000):
            proc, url = self._external(n)
            try:
                sync = SyncZenooClient(url)
                sync.login(DB, USER, PASSWORD)
                total = sync.model(ResPartner).count()
                result = self._peak(
                    lambda s=sync: sum(
                        1 for _ in s.model(ResPartner).only("name", "email").iterate(batch_size=1000)
                    )
                )
                assert result["records"] == total
                out[f"zenoo_sync_iterate_{total}"] = result
                sync.close()
            finally:
                proc.kill()
                proc.wait()
        row = {
            "workload": "7 streaming: iterate(batch_size=1000) over 10k and 100k partners (client memory)",
            "latency_ms": self.latency_ms,
            "memory": out,
        }
        self.results.append(row)
        print(format_memory(row), flush=True)


def emulator_speed() -> dict[str, Any]:
    """The emulator must not be the bottleneck: its own time for a search_read of 80 rows of 100,000."""
    odoo = OdooEmulator("19.0").start()
    try:
        odoo.load_partners(100_000)
        client = SyncZenooClient(odoo.url)
        client.login(DB, USER, PASSWORD)
        query = client.model_by_name("res.partner").filter(city="Ghent").only("name", "email").limit(80)
        query.all()
        samples = []
        for _ in range(50):
            odoo.reset_counts()
            assert len(query.all()) == 80
            samples.append(odoo.server_time)
        client.close()
    finally:
        odoo.stop()
    row = {
        "workload": "emulator: search_read of 80 rows (domain city = Ghent) out of 100,060 partners",
        "server_time": stats(samples),
    }
    print(
        f"[  0ms] {row['workload']}\n    server time median {row['server_time']['median_ms']:.2f} ms, "
        f"p90 {row['server_time']['p90_ms']:.2f} ms",
        flush=True,
    )
    return row


def format_row(row: dict[str, Any]) -> str:
    c = row["clients"]
    parts = [f"{k}={v['median_ms']:.2f}/{v['p90_ms']:.2f}ms ({v['calls']} calls)" for k, v in c.items()]
    ratios = []
    if "odoorpc" in c:
        for z in ("zenoo_async", "zenoo_sync"):
            if z in c:
                ratios.append(f"odoorpc/{z}={c['odoorpc']['median_ms'] / c[z]['median_ms']:.2f}x")
    for z, raw in (("zenoo_sync", "raw_requests"), ("zenoo_async", "raw_aiohttp")):
        if z in c and raw in c:
            ratios.append(f"{z} overhead={c[z]['median_ms'] - c[raw]['median_ms']:+.2f}ms")
    server = max(v["server_ms_per_request"] for v in c.values())
    return (
        f"[{row['latency_ms']:>3.0f}ms] {row['workload']}\n    "
        + "  ".join(parts)
        + "\n    "
        + "  ".join(ratios)
        + f"  (emulator: <= {server:.2f}ms server time per request)"
    )


def format_memory(row: dict[str, Any]) -> str:
    parts = [
        f"{k}: {v['records']:,} rec, {v['records_per_s']:,.0f} rec/s, peak {v['peak_mb']:.1f} MB"
        for k, v in row["memory"].items()
    ]
    return f"[{row['latency_ms']:>3.0f}ms] {row['workload']}\n    " + "\n    ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--latency", type=float, action="append", help="emulator latency in ms (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    ns = parser.parse_args(argv)
    results = [emulator_speed()]
    for latency in ns.latency or [0.0, 50.0]:
        bench = Bench(latency, ns.quick)
        try:
            bench.simple_query()
            bench.cold_start()
            bench.batch_create()
            bench.concurrent()
            bench.n_plus_one()
            if latency == 0:
                bench.large_read()
                bench.streaming()
        finally:
            bench.close()
        results.extend(bench.results)
    ns.out.write_text(json.dumps({"results": results}, indent=1))
    print(f"\nresults written to {ns.out}")


if __name__ == "__main__":
    main()
