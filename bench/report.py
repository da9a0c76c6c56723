"""Markdown tables from ``bench/results.json`` (``python -m bench.report``), for BENCHMARKS.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

NAMES = ["zenoo_async", "zenoo_sync", "odoorpc", "raw_requests", "raw_aiohttp"]


def _cell(c: dict[str, Any] | None) -> str:
    if c is None:
        return ""
    calls = f", {c['calls']:,} call{'s' if c['calls'] != 1 else ''}"
    return f"{c['median_ms']:,.2f} / {c['p90_ms']:,.2f} ms{calls}"


def timing_table(rows: list[dict[str, Any]], latency: float) -> str:
    out = [
        "| workload | Zenoo async | Zenoo sync | odoorpc | raw requests | raw aiohttp | odoorpc / Zenoo (async, sync) | emulator ms/request |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row.get("latency_ms") != latency or "clients" not in row:
            continue
        c = row["clients"]
        ratios = []
        for z in ("zenoo_async", "zenoo_sync"):
            if z in c and "odoorpc" in c:
                ratios.append(f"{c['odoorpc']['median_ms'] / c[z]['median_ms']:.2f}x")
        server = max(v["server_ms_per_request"] for v in c.values())
        cells = " | ".join(_cell(c.get(n)) for n in NAMES)
        out.append(f"| {row['workload']} | {cells} | {', '.join(ratios)} | {server:.2f} |")
    return "\n".join(out)


def memory_table(rows: list[dict[str, Any]]) -> str:
    out = ["| workload | client | records | records/s | peak memory |", "|---|---|---|---|---|"]
    for row in rows:
        for name, m in (row.get("memory") or {}).items():
            out.append(
                f"| {row['workload']} | {name} | {m['records']:,} | {m['records_per_s']:,.0f} | "
                f"{m['peak_mb']:.1f} MB |"
            )
    return "\n".join(out)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/results.json")
    rows = json.loads(path.read_text())["results"]
    for row in rows:
        if "server_time" in row:
            st = row["server_time"]
            print(
                f"Emulator: {row['workload']}: {st['median_ms']:.2f} ms median, {st['p90_ms']:.2f} ms p90.\n"
            )
    print("### 0 ms latency\n\n" + timing_table(rows, 0.0) + "\n")
    print("### 50 ms latency\n\n" + timing_table(rows, 50.0) + "\n")
    print("### Memory (client only)\n\n" + memory_table(rows))


if __name__ == "__main__":
    main()
