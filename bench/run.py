"""Zenoo RPC side by side with odoorpc and with raw HTTP, against the emulator on loopback or a real Odoo.

Every workload runs its clients in rotation (A B C A B C ...) in one process, so machine noise hits them all;
medians and p90s are per client, ratios are computed from the same run. Each workload then runs once more per
client through a counting proxy (bench/proxy.py), which reports the calls and the fields asked per reading
call. Results go to stdout (a table) and to ``bench/results.json``.

Against a real server (only a real server shows what fields cost):

    python -m bench.run --url https://odoo.example.com --db mydb --user admin   # password: $ZENOO_BENCH_PASSWORD

runs the same workloads; those that write (creating partners, removed afterwards) run only with
``--write-db <the same database name>``, so that nothing is written into a database by accident.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import attrs
import requests

from bench.proxy import CountingProxy, summary
from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.exceptions import ZenooError
from zenoo_rpc.models.common import ResCompany, ResPartner, SaleOrder
from zenoo_rpc.testing import OdooEmulator

LOOP = asyncio.new_event_loop()
DB, USER, PASSWORD = "demo", "admin", "admin"


@attrs.frozen
class Target:
    """The server the workloads run against: the emulator (``url`` None: one is started per latency) or a
    real Odoo; ``writes``: whether workloads that create records may run."""

    url: str | None = None
    db: str = DB
    user: str = USER
    password: str = PASSWORD
    writes: bool = True

    @property
    def real(self) -> bool:
        return self.url is not None


def run_async(coro: Any) -> Any:
    return LOOP.run_until_complete(coro)


class Raw:
    """The physical limit: a hand-written JSON-RPC POST over a keep-alive requests.Session / aiohttp session."""

    def __init__(self, url: str, target: Target = Target()) -> None:
        self.url = url + "/jsonrpc"
        self.t = target
        self.http = requests.Session()
        self.aio: aiohttp.ClientSession | None = None
        self.uid = self.call("common", "login", [target.db, target.user, target.password])

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
        t = self.t
        return self.call("object", "execute_kw", [t.db, self.uid, t.password, model, method, args, kwargs])

    async def akw(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.aio is None:
            self.aio = aiohttp.ClientSession()
        t = self.t
        body = self.payload("object", "execute_kw", [t.db, self.uid, t.password, model, method, args, kwargs])
        async with self.aio.post(self.url, json=body) as resp:
            return (await resp.json())["result"]


def odoorpc_client(url: str, target: Target = Target()) -> Any:
    import odoorpc

    parts = urlsplit(url)
    https = parts.scheme == "https"
    odoo = odoorpc.ODOO(
        parts.hostname,
        protocol="jsonrpc+ssl" if https else "jsonrpc",
        port=parts.port or (443 if https else 80),
        timeout=60,
    )
    odoo.login(target.db, target.user, target.password)
    return odoo


def stats(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "median_ms": statistics.median(s) * 1000,
        "p90_ms": s[min(len(s) - 1, int(len(s) * 0.9))] * 1000,
        "n": len(s),
    }


class Clients:
    """One of each client, logged in to ``url``."""

    def __init__(self, url: str, target: Target) -> None:
        self.url = url
        self.target = target
        self.sync = SyncZenooClient(url)
        self.sync.login(target.db, target.user, target.password)
        self.aclient = ZenooClient(url)
        run_async(self.aclient.login(target.db, target.user, target.password))
        self.rpc = odoorpc_client(url, target)
        self.raw = Raw(url, target)

    def close(self) -> None:
        self.sync.close()
        run_async(self.aclient.close())
        if self.raw.aio is not None:
            run_async(self.raw.aio.close())


class Bench:
    def __init__(self, latency_ms: float, quick: bool, target: Target = Target()) -> None:
        self.latency_ms = latency_ms
        self.quick = quick
        self.target = target
        self.odoo: OdooEmulator | None = None
        if target.url is None:
            self.odoo = OdooEmulator("19.0", latency_ms=latency_ms).start()
            url = self.odoo.url
        else:
            url = target.url.rstrip("/")
        self.results: list[dict[str, Any]] = []
        self.c = Clients(url, target)
        self.proxy = CountingProxy(url).start()
        self._counting: Clients | None = None

    def close(self) -> None:
        self.c.close()
        if self._counting is not None:
            self._counting.close()
        self.proxy.stop()
        if self.odoo is not None:
            self.odoo.stop()

    @property
    def label(self) -> str:
        return "real" if self.target.real else f"{self.latency_ms:.0f}ms"

    def reps(self, fast: int, slow: int) -> int:
        n = fast if self.latency_ms == 0 and not self.target.real else slow
        return max(1, n // 3) if self.quick else n

    @contextmanager
    def through_proxy(self) -> Iterator[None]:
        """The workloads' clients are those logged in through the counting proxy, for the time being."""
        if self._counting is None:
            self._counting = Clients(self.proxy.url, self.target)
        timed, self.c = self.c, self._counting
        try:
            yield
        finally:
            self.c = timed

    def count(self, clients: dict[str, Callable[[], Any]]) -> dict[str, tuple[int, list[int | None]]]:
        """(calls, fields per reading call) of one more run of each client, through the counting proxy (after a
        first run there, so that the counted clients are as warm as the timed ones: schemas read)."""
        out = {}
        with self.through_proxy():
            for key, fn in clients.items():
                fn()
                self.proxy.reset()
                fn()
                out[key] = (self.proxy.calls, list(self.proxy.fields))
        return out

    def measure(
        self,
        name: str,
        clients: dict[str, Callable[[], Any]],
        reps: int,
        note: str = "",
        counted: bool = True,
    ) -> dict[str, Any]:
        samples: dict[str, list[float]] = {k: [] for k in clients}
        server: dict[str, float | None] = {k: None for k in clients}
        emulated: dict[str, int] = {}
        for fn in clients.values():  # warm-up: connections, schemas
            fn()
        for _ in range(reps):
            for key, fn in clients.items():
                if self.odoo is not None:
                    self.odoo.reset_counts()
                gc.collect()
                t0 = time.perf_counter()
                fn()
                samples[key].append(time.perf_counter() - t0)
                if self.odoo is not None:
                    server[key] = self.odoo.server_time / max(1, self.odoo.requests) * 1000
                    emulated[key] = self.odoo.requests
        calls: dict[str, tuple[int, list[int | None] | None]] = {}
        if counted:
            calls = self.count(clients)
        else:  # the last timed run's calls, as the emulator counted them (fields not counted)
            calls = {k: (n, None) for k, n in emulated.items()}
        row = {
            "workload": name,
            "latency_ms": None if self.target.real else self.latency_ms,
            "server": self.target.url or "emulator 19.0",
            "note": note,
            "clients": {
                k: {
                    **stats(v),
                    "calls": calls[k][0] if k in calls else None,
                    "fields_per_read": calls[k][1] if k in calls else None,
                    "server_ms_per_request": server[k],
                }
                for k, v in samples.items()
            },
        }
        self.results.append(row)
        print(format_row(row), flush=True)
        return row

    # -- workloads -----------------------------------------------------------------------------------
    def simple_query(self) -> None:
        def z_sync() -> Any:
            return self.c.sync.model(ResCompany).only("name", "currency_id").all()

        def z_async() -> Any:
            return run_async(self.c.aclient.model(ResCompany).only("name", "currency_id").all())

        def rpc() -> Any:
            return self.c.rpc.env["res.company"].search_read([], ["name", "currency_id"])

        def raw() -> Any:
            return self.c.raw.kw("res.company", "search_read", [[]], {"fields": ["name", "currency_id"]})

        def raw_aio() -> Any:
            return run_async(
                self.c.raw.akw("res.company", "search_read", [[]], {"fields": ["name", "currency_id"]})
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
        t = self.target

        def z_sync() -> Any:
            with SyncZenooClient(self.c.url) as c:
                c.login(t.db, t.user, t.password)
                return c.model(ResCompany).only("name").all()

        def z_async() -> Any:
            async def go() -> Any:
                async with ZenooClient(self.c.url) as c:
                    await c.login(t.db, t.user, t.password)
                    return await c.model(ResCompany).only("name").all()

            return run_async(go())

        def rpc() -> Any:
            return odoorpc_client(self.c.url, t).env["res.company"].search_read([], ["name"])

        self.measure(
            "2 cold start (new client, login, one query)",
            {"zenoo_async": z_async, "zenoo_sync": z_sync, "odoorpc": rpc},
            self.reps(20, 5),
        )

    def batch_create(self) -> None:
        if not self.target.writes:
            print(f"[{self.label:>5}] 3 batch create: skipped (writes only with --write-db <database>)")
            return
        # a mark of this run in every name, so that the cleanup removes what this run created and nothing else
        mark = f"Zenoo bench {os.getpid()}-{time.time_ns()}"
        data = [{"name": f"{mark} {i}", "email": f"bench{i}@example.com"} for i in range(100)]
        try:
            self._batch_create(data)
        finally:
            if self.odoo is not None:
                self.odoo.reset_data()
            else:  # the partners this workload created, in the database named by --write-db
                made = self.c.raw.kw("res.partner", "search", [[("name", "=like", f"{mark} %")]], {})
                if made:
                    self.c.raw.kw("res.partner", "unlink", [made], {})

    def _batch_create(self, data: list[dict[str, Any]]) -> None:

        def z_sync() -> Any:
            return self.c.sync.model(ResPartner).create(data)

        def z_async() -> Any:
            return run_async(self.c.aclient.model(ResPartner).create(data))

        def rpc() -> Any:
            model = self.c.rpc.env["res.partner"]
            return [model.create(v) for v in data]  # odoorpc's create takes one record: the natural loop

        self.measure(
            "3 batch create of 100 partners",
            {"zenoo_async": z_async, "zenoo_sync": z_sync, "odoorpc": rpc},
            self.reps(10, 2),
            "odoorpc: one create per record (its API takes a dict)",
        )
        if self.latency_ms == 0 and self.odoo is not None:
            big = [{"name": f"Bulk {i}"} for i in range(10_000)]

            def z_batch() -> Any:
                async def go() -> Any:
                    async with self.c.aclient.batch_context(max_chunk_size=1000) as batch:
                        batch.create("res.partner", big)
                        return await batch.execute()

                return run_async(go())

            def rpc_big() -> Any:
                model = self.c.rpc.env["res.partner"]
                return [model.create(v) for v in big]

            self.measure(
                "3b batch create of 10,000 partners (chunks of 1,000)",
                {"zenoo_async": z_batch, "odoorpc": rpc_big},
                1,
                counted=False,
            )

    def concurrent(self) -> None:
        def seed_three_async() -> Any:
            async def go() -> Any:
                q = self.c.aclient.model(ResPartner).only("name", "email")
                return await asyncio.gather(
                    q.filter(is_company=True).all(),
                    q.filter(customer_rank__gt=0).all(),
                    q.filter(supplier_rank__gt=0).all(),
                )

            return run_async(go())

        def seed_three_sync() -> Any:
            q = self.c.sync.model(ResPartner).only("name", "email")
            return [
                q.filter(is_company=True).all(),
                q.filter(customer_rank__gt=0).all(),
                q.filter(supplier_rank__gt=0).all(),
            ]

        def seed_three_rpc() -> Any:
            m = self.c.rpc.env["res.partner"]
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
                q = self.c.aclient.model_by_name("res.partner").only("name")
                return await asyncio.gather(*(q.filter(id__gt=i).limit(20).all() for i in range(30)))

            return run_async(go())

        def mixed_sync() -> Any:
            q = self.c.sync.model_by_name("res.partner").only("name")
            return [q.filter(id__gt=i).limit(20).all() for i in range(30)]

        def mixed_rpc() -> Any:
            m = self.c.rpc.env["res.partner"]
            return [m.search_read(d, ["name"], limit=20) for d in domains]

        self.measure(
            "4b concurrent: 30 queries (async bounded to 10 in flight)",
            {"zenoo_async": mixed_async, "zenoo_sync": mixed_sync, "odoorpc": mixed_rpc},
            self.reps(10, 3),
        )

    def n_plus_one(self) -> None:
        """The guide's example: confirmed orders, each with its customer, its lines and their products."""

        def report(orders: list[Any]) -> list[Any]:
            return [
                (o.name, o.partner_id.name, [line.product_id.display_name for line in o.order_line])
                for o in orders
            ]

        def query(client: Any) -> Any:
            return (
                client.model(SaleOrder)
                .filter(state="sale")
                .prefetch_related("partner_id", "order_line.product_id")
            )

        def z_sync() -> Any:
            return report(query(self.c.sync).all())

        def z_async() -> Any:
            return report(run_async(query(self.c.aclient).all()))

        def rpc() -> Any:
            orders = self.c.rpc.env["sale.order"]
            return report(orders.browse(orders.search([("state", "=", "sale")])))  # odoorpc's natural loop

        def raw() -> Any:
            """Hand-written: one search_read and one read per level, of the fields the report uses."""
            kw = self.c.raw.kw
            orders = kw(
                "sale.order",
                "search_read",
                [[("state", "=", "sale")]],
                {"fields": ["name", "partner_id", "order_line"]},
            )
            partners = {
                p["id"]: p
                for p in kw(
                    "res.partner",
                    "read",
                    [sorted({o["partner_id"][0] for o in orders})],
                    {"fields": ["name"]},
                )
            }
            lines = {
                ln["id"]: ln
                for ln in kw(
                    "sale.order.line",
                    "read",
                    [sorted({i for o in orders for i in o["order_line"]})],
                    {"fields": ["product_id"]},
                )
            }
            ids = sorted({ln["product_id"][0] for ln in lines.values() if ln["product_id"]})
            products = {
                p["id"]: p for p in kw("product.product", "read", [ids], {"fields": ["display_name"]})
            }
            return [
                (
                    o["name"],
                    partners[o["partner_id"][0]]["name"],
                    [
                        products[lines[i]["product_id"][0]]["display_name"]
                        for i in o["order_line"]
                        if lines[i]["product_id"]
                    ],
                )
                for o in orders
            ]

        clients: dict[str, Callable[[], Any]] = {
            "zenoo_async": z_async,
            "zenoo_sync": z_sync,
            "odoorpc": rpc,
            "raw_requests": raw,
        }
        dotted = ("name", "partner_id.name", "order_line.product_id.display_name")
        try:  # dotted only(): the fields the report uses, in as few calls as the server allows
            self.c.sync.model(SaleOrder).filter(state="sale").only(*dotted).first()
        except ZenooError as exc:
            print(f"[{self.label:>5}] 5 N+1: the dotted only() variant is skipped: {exc}")
        else:

            def z_only() -> Any:
                return report(self.c.sync.model(SaleOrder).filter(state="sale").only(*dotted).all())

            clients["zenoo_sync_only"] = z_only
        self.measure(
            "5 N+1: orders, customer, lines, products (the guide's example)", clients, self.reps(10, 2)
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


def _where(row: dict[str, Any]) -> str:
    return "real" if row.get("latency_ms") is None else f"{row['latency_ms']:.0f}ms"


def _calls(v: dict[str, Any]) -> str:
    if v.get("calls") is None:
        return "calls not counted"
    fields = v.get("fields_per_read")
    return f"{v['calls']} calls" + (
        f"; {summary(fields)}" if fields else "; no reads" if fields == [] else ""
    )


def format_row(row: dict[str, Any]) -> str:
    c = row["clients"]
    parts = [f"{k}={v['median_ms']:.2f}/{v['p90_ms']:.2f}ms ({_calls(v)})" for k, v in c.items()]
    ratios = []
    if "odoorpc" in c:
        for z in ("zenoo_async", "zenoo_sync", "zenoo_sync_only"):
            if z in c:
                ratios.append(f"odoorpc/{z}={c['odoorpc']['median_ms'] / c[z]['median_ms']:.2f}x")
    for z, raw in (("zenoo_sync", "raw_requests"), ("zenoo_async", "raw_aiohttp")):
        if z in c and raw in c:
            ratios.append(f"{z} overhead={c[z]['median_ms'] - c[raw]['median_ms']:+.2f}ms")
    times = [v["server_ms_per_request"] for v in c.values() if v.get("server_ms_per_request") is not None]
    server = f"  (emulator: <= {max(times):.2f}ms server time per request)" if times else ""
    return (
        f"[{_where(row):>5}] {row['workload']}\n    "
        + "\n    ".join(parts)
        + "\n    "
        + "  ".join(ratios)
        + server
    )


def format_memory(row: dict[str, Any]) -> str:
    parts = [
        f"{k}: {v['records']:,} rec, {v['records_per_s']:,.0f} rec/s, peak {v['peak_mb']:.1f} MB"
        for k, v in row["memory"].items()
    ]
    return f"[{_where(row):>5}] {row['workload']}\n    " + "\n    ".join(parts)


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, Target]:
    """The options, and the server they name (the emulator unless --url); exits on a --write-db that is
    not the database the workloads run in."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--latency", type=float, action="append", help="emulator latency in ms (repeatable)")
    parser.add_argument(
        "--out", type=Path, help="results file (bench/results.json, bench/results-server.json)"
    )
    real = parser.add_argument_group("a real Odoo server instead of the emulator")
    real.add_argument("--url", help="the server's URL, e.g. https://odoo.example.com")
    real.add_argument("--db", help="the database (required with --url)")
    real.add_argument("--user", default=USER, help="the login (default admin)")
    real.add_argument(
        "--password",
        default=os.environ.get("ZENOO_BENCH_PASSWORD"),
        help="the password or API key (default: $ZENOO_BENCH_PASSWORD)",
    )
    real.add_argument(
        "--write-db",
        metavar="DATABASE",
        help="let the workloads that write run (they create partners, and remove them): the database's name "
        "again, as a confirmation; without it they are skipped",
    )
    ns = parser.parse_args(argv)
    if ns.url is None:
        for option in ("db", "write_db"):
            if getattr(ns, option) is not None:
                parser.error(f"--{option.replace('_', '-')} is for a real server: give --url too")
        target = Target()
    else:
        if not ns.db:
            parser.error("--url needs --db (the database the workloads read)")
        if ns.password is None:
            parser.error("--url needs --password or $ZENOO_BENCH_PASSWORD")
        if ns.write_db is not None and ns.write_db != ns.db:
            parser.error(
                f"--write-db {ns.write_db!r} is not the database the workloads run in ({ns.db!r}): refusing to write"
            )
        if ns.latency:
            parser.error("--latency is for the emulator: a real server has its own")
        target = Target(ns.url, ns.db, ns.user, ns.password, writes=ns.write_db is not None)
    if ns.out is None:
        ns.out = Path("bench/results-server.json" if target.real else "bench/results.json")
    return ns, target


def main(argv: list[str] | None = None) -> None:
    ns, target = parse_args(argv)
    results = [] if target.real else [emulator_speed()]
    if target.real and not target.writes:
        print("writes: none (the workloads that create records run only with --write-db <database>)")
    for latency in [0.0] if target.real else ns.latency or [0.0, 50.0]:
        bench = Bench(latency, ns.quick, target)
        workloads = [
            bench.simple_query,
            bench.cold_start,
            bench.batch_create,
            bench.concurrent,
            bench.n_plus_one,
        ]
        if latency == 0 and not target.real:
            workloads += [bench.large_read, bench.streaming]
        try:
            for workload in workloads:
                try:
                    workload()
                except Exception as exc:  # Zenoo's, odoorpc's or the raw calls' refusal
                    if not target.real:
                        raise
                    # a server without the demo data or the modules a workload reads (sale): the others run
                    print(f"[ real] {workload.__name__}: skipped, the server refused it: {exc}", flush=True)
        finally:
            bench.close()
        results.extend(bench.results)
    ns.out.write_text(json.dumps({"results": results}, indent=1))
    print(f"\nresults written to {ns.out}")


if __name__ == "__main__":
    main()
