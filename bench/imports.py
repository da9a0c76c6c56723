"""Import cost and cold scripts, each in a new interpreter, side by side with odoorpc.

    python -m bench.imports [--runs 10] [--latency-ms 0 --latency-ms 50] [--json results.json]

1. Imports: ``python -X importtime`` gives the import time of each statement (median of the runs) and the time
   spent in each package's own modules (the heaviest are named; a module imported first by another package
   counts for its own); the whole process is timed separately (min and median, and the median over bare
   Python's). Runs are interleaved (A B C A B C ...) so that machine noise hits every
   statement alike.
2. Cold scripts against the emulator on loopback (in this process; the scripts run in new processes): import,
   log in, one ``search_read`` of 5 partners; Zenoo RPC's sync and async faces (``execute_kw``, the call
   odoorpc makes, and the typed query with the bundled ``ResPartner``) and odoorpc's equivalent, interleaved;
   the ratio to odoorpc is the median of run-by-run ratios. ``--latency-ms`` adds a delay to every answer, as a
   network would: then the number of calls each client makes shows.

Our package's bytecode is compiled first (``compileall``): a user's installed package has it, and a run with
``PYTHONDONTWRITEBYTECODE`` set would otherwise compile the sources in every new process.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARK = "--zenoo-bench-start--"

#: label -> (code run before timing starts, the statement timed)
IMPORTS: dict[str, tuple[str, str]] = {
    "bare Python": ("", "pass"),
    "import zenoo_rpc": ("", "import zenoo_rpc"),
    "from zenoo_rpc import Q": ("", "from zenoo_rpc import Q"),
    "sync face (SyncZenooClient)": ("", "from zenoo_rpc import SyncZenooClient"),
    "async face (ZenooClient)": ("", "from zenoo_rpc import ZenooClient"),
    "pytest plugin, after import pytest": ("import pytest", "import zenoo_rpc.testing.pytest_plugin"),
    "bundled models (ResPartner, SaleOrder)": (
        "",
        "from zenoo_rpc.models.common import ResPartner, SaleOrder",
    ),
    "requests alone": ("", "import requests"),
    "aiohttp alone": ("", "import aiohttp"),
    "odoorpc": ("", "import odoorpc"),
}

_LOGIN = 'client.login("demo", "admin", "admin")'
_READ = '"res.partner", "search_read", [[["is_company", "=", True]]], {"fields": ["name"], "limit": 5}'
SCRIPTS: dict[str, str] = {
    "zenoo sync, execute_kw": f"""
import sys
from zenoo_rpc import SyncZenooClient
client = SyncZenooClient(sys.argv[1])
{_LOGIN}
assert client.execute_kw({_READ})
""",
    "zenoo async, execute_kw": f"""
import asyncio, sys
from zenoo_rpc import ZenooClient
async def main():
    async with ZenooClient(sys.argv[1]) as client:
        await {_LOGIN}
        assert await client.execute_kw({_READ})
asyncio.run(main())
""",
    "zenoo sync, typed query": f"""
import sys
from zenoo_rpc import SyncZenooClient
from zenoo_rpc.models.common import ResPartner
client = SyncZenooClient(sys.argv[1])
{_LOGIN}
assert client.model(ResPartner).filter(is_company=True).only("name").limit(5).all()
""",
    "zenoo async, typed query": f"""
import asyncio, sys
from zenoo_rpc import ZenooClient
from zenoo_rpc.models.common import ResPartner
async def main():
    async with ZenooClient(sys.argv[1]) as client:
        await {_LOGIN}
        assert await client.model(ResPartner).filter(is_company=True).only("name").limit(5).all()
asyncio.run(main())
""",
    "odoorpc": """
import sys
import odoorpc
host, port = sys.argv[1].split("//")[1].split(":")
odoo = odoorpc.ODOO(host, port=int(port))
odoo.login("demo", "admin", "admin")
assert odoo.env["res.partner"].search_read([("is_company", "=", True)], ["name"], limit=5)
""",
}


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def run(args: list[str]) -> tuple[float, str]:
    """Seconds the new process took, and what it wrote on stderr."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{args!r} failed:\n{done.stderr}")
    return elapsed, done.stderr


def import_times(stderr: str) -> tuple[float, dict[str, float]]:
    """From ``-X importtime``: the statement's import time (ms; the cumulative times of the modules it
    imported itself) and the time spent in each top-level package's own modules (self times)."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if MARK in line), len(lines))
    total = 0.0
    packages: dict[str, float] = {}
    for line in lines[start + 1 :]:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|", 2)
        if not name.startswith("  "):  # imported by the statement itself, not by another module
            total += int(cumulative) / 1000
        top = name.strip().split(".")[0]
        packages[top] = packages.get(top, 0.0) + int(own) / 1000
    return total, packages


def measure_imports(runs: int) -> list[dict[str, Any]]:
    statements = {label: pair for label, pair in IMPORTS.items() if label != "odoorpc" or have("odoorpc")}
    walls: dict[str, list[float]] = {label: [] for label in statements}
    imports: dict[str, list[float]] = {label: [] for label in statements}
    packages: dict[str, dict[str, list[float]]] = {label: {} for label in statements}
    for _ in range(runs):
        for label, (setup, code) in statements.items():
            walls[label].append(run(["-c", f"{setup}\n{code}"])[0])
            probe = f"{setup}\nimport sys; sys.stderr.write({MARK!r} + '\\n')\n{code}"
            total, tops = import_times(run(["-X", "importtime", "-c", probe])[1])
            imports[label].append(total)
            for top, ms in tops.items():
                packages[label].setdefault(top, []).append(ms)
    bare = statistics.median(walls["bare Python"])
    rows = []
    for label in statements:
        spent = {k: sum(v) / runs for k, v in packages[label].items()}
        heaviest = sorted(((ms, k) for k, ms in spent.items()), reverse=True)[:4]
        rows.append(
            {
                "statement": label,
                "import_ms": statistics.median(imports[label]),
                "process_min_ms": min(walls[label]) * 1000,
                "process_median_ms": statistics.median(walls[label]) * 1000,
                "over_bare_ms": (statistics.median(walls[label]) - bare) * 1000,
                "heaviest": [f"{name} {ms:.0f}" for ms, name in heaviest if ms >= 1],
            }
        )
    return rows


def measure_cold(runs: int, latency_ms: float) -> list[dict[str, Any]]:
    from zenoo_rpc.testing import OdooEmulator

    scripts = {label: code for label, code in SCRIPTS.items() if label != "odoorpc" or have("odoorpc")}
    walls: dict[str, list[float]] = {label: [] for label in scripts}
    calls: dict[str, list[int]] = {label: [] for label in scripts}
    with OdooEmulator("19.0", latency_ms=latency_ms) as odoo:
        for code in scripts.values():  # warm-up: the first run of each pays the disk cache
            run(["-c", code, odoo.url])
        for _ in range(runs):
            for label, code in scripts.items():
                before = odoo.requests
                walls[label].append(run(["-c", code, odoo.url])[0])
                calls[label].append(odoo.requests - before)
    reference = walls.get("odoorpc")
    rows = []
    for label in scripts:
        ratio = statistics.median(a / b for a, b in zip(walls[label], reference)) if reference else None
        rows.append(
            {
                "script": label,
                "latency_ms": latency_ms,
                "min_ms": min(walls[label]) * 1000,
                "median_ms": statistics.median(walls[label]) * 1000,
                "calls": statistics.median(calls[label]),
                "vs_odoorpc": ratio,
            }
        )
    return rows


def print_imports(rows: list[dict[str, Any]]) -> None:
    print("\nImports (new process each; import time from -X importtime, process time from outside)")
    print(f"{'statement':40} {'import ms':>9} {'process min':>11} {'median':>7} {'over bare':>9}  own ms of")
    for r in rows:
        print(
            f"{r['statement']:40} {r['import_ms']:9.1f} {r['process_min_ms']:11.1f} "
            f"{r['process_median_ms']:7.1f} {r['over_bare_ms']:9.1f}  {', '.join(r['heaviest'])}"
        )


def print_cold(rows: list[dict[str, Any]]) -> None:
    latency = rows[0]["latency_ms"] if rows else 0
    print(f"\nCold script: new process, import, login, one query (emulator, {latency:g} ms per answer)")
    print(f"{'script':28} {'min ms':>8} {'median ms':>10} {'calls':>6} {'vs odoorpc':>11}")
    for r in rows:
        ratio = f"{r['vs_odoorpc']:.2f}x" if r["vs_odoorpc"] is not None else "-"
        print(f"{r['script']:28} {r['min_ms']:8.1f} {r['median_ms']:10.1f} {r['calls']:6.0f} {ratio:>11}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=10, help="runs of each statement and script")
    parser.add_argument(
        "--latency-ms",
        type=float,
        action="append",
        help="delay per answer for the cold scripts (repeatable; default 0 and 50)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    for package in ("zenoo_rpc", "generated_models"):
        if (ROOT / package).is_dir():
            compileall.compile_dir(ROOT / package, quiet=1)
    print(f"Python {sys.version.split()[0]}, {args.runs} runs each; odoorpc installed: {have('odoorpc')}")
    results: dict[str, Any] = {"imports": measure_imports(args.runs)}
    print_imports(results["imports"])
    results["cold"] = []
    for latency in args.latency_ms or [0.0, 50.0]:
        rows = measure_cold(args.runs, latency)
        print_cold(rows)
        results["cold"].extend(rows)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
