"""What building records costs: 10,000 res.partner rows of 10 fields (text, numbers, a boolean, a datetime, two
many2one and a many2many) built as typed records (the generated ``ResPartner``) and as dynamic records (the
server's schema, related models' schemas not loaded: the case of a script without generated classes), against
``json.loads`` of the same payload and plain slotted dataclasses built from the parsed dicts.

Time: the median of several rounds (variants in rotation), building from freshly parsed rows, as a query does
(the rows are replaced by records in place). Memory: what the result keeps (tracemalloc, after the build) against
the parsed dicts alone.

    python -m bench.records [--rows 10000] [--rounds 7] [--json bench/records.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from zenoo_rpc._core import flows
from zenoo_rpc.models.common import ResPartner

FIELDS = (
    "id",
    "name",
    "email",
    "phone",
    "is_company",
    "customer_rank",
    "country_id",
    "user_id",
    "category_id",
    "write_date",
)


def payload(rows: int) -> bytes:
    """A JSON-RPC answer of ``search_read`` with ``rows`` partners of the 10 FIELDS."""
    result = [
        {
            "id": i,
            "name": f"Partner {i}",
            "email": f"partner{i}@example.com",
            "phone": f"+32 470 {i:06d}",
            "is_company": i % 3 == 0,
            "customer_rank": i % 7,
            "country_id": [20 + i % 40, f"Country {i % 40}"],
            "user_id": [2, "Mitchell Admin"] if i % 2 else False,
            "category_id": [1 + i % 5, 6 + i % 3] if i % 4 else [],
            "write_date": f"2024-0{1 + i % 9}-1{i % 10} 10:{i % 60:02d}:{i % 60:02d}",
        }
        for i in range(1, rows + 1)
    ]
    return json.dumps({"jsonrpc": "2.0", "id": 1, "result": result}).encode()


@dataclasses.dataclass(slots=True)
class Partner:
    """The lower bound of a Python object per row: a slotted dataclass taking the dict's values as they are."""

    id: int
    name: Any
    email: Any
    phone: Any
    is_company: Any
    customer_rank: Any
    country_id: Any
    user_id: Any
    category_id: Any
    write_date: Any


def _conn() -> Any:
    """What the build needs of a connection: the server's schemas (res.partner's only, as read by a dynamic
    query; the related models' are not loaded)."""
    return SimpleNamespace(schemas={"res.partner": ResPartner.__zenoo_schema__})


def build_typed(rows: list[dict[str, Any]]) -> list[Any]:
    return flows._build(_conn(), ResPartner, "res.partner", rows, None)  # type: ignore[no-any-return]


def build_dynamic(rows: list[dict[str, Any]]) -> list[Any]:
    return flows._build(_conn(), None, "res.partner", rows, None)  # type: ignore[no-any-return]


def _read_all(records: list[Any]) -> list[Any]:
    """Every field of every record read once (the first read converts)."""
    for rec in records:
        for name in FIELDS:
            getattr(rec, name)
    return records


def typed_read_all(rows: list[dict[str, Any]]) -> list[Any]:
    return _read_all(build_typed(rows))


def dynamic_read_all(rows: list[dict[str, Any]]) -> list[Any]:
    return _read_all(build_dynamic(rows))


def build_dataclasses(rows: list[dict[str, Any]]) -> list[Any]:
    for i, row in enumerate(rows):
        rows[i] = Partner(**row)  # type: ignore[call-overload]
    return rows


def _check(text: bytes) -> None:
    """The built records hold the payload's values (so that the bench measures a working build)."""
    rows = json.loads(text)["result"]
    typed = build_typed(json.loads(text)["result"])
    dynamic = build_dynamic(json.loads(text)["result"])
    for row, t, d in zip(rows[:50], typed, dynamic, strict=False):
        assert t.id == d.id == row["id"] and t.name == d.name == row["name"]
        if row["country_id"]:
            assert t.country_id.id == d.country_id.id == row["country_id"][0]
            assert t.country_id.display_name == d.country_id.display_name == row["country_id"][1]
        assert [c.id for c in t.category_id] == [c.id for c in d.category_id] == row["category_id"]
        assert t.write_date == d.write_date and t.write_date.year == 2024


def timings(text: bytes, rounds: int) -> dict[str, float]:
    """Median milliseconds per variant; builds start from freshly parsed rows (parsing not timed)."""
    variants: dict[str, Callable[[list[dict[str, Any]]], Any] | None] = {
        "json_loads": None,
        "dataclasses": build_dataclasses,
        "typed": build_typed,
        "dynamic": build_dynamic,
        "typed_read_all": typed_read_all,
        "dynamic_read_all": dynamic_read_all,
    }
    samples: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(rounds):
        for key, build in variants.items():
            gc.collect()
            if build is None:
                t0 = time.perf_counter()
                json.loads(text)
                samples[key].append(time.perf_counter() - t0)
                continue
            rows = json.loads(text)["result"]
            t0 = time.perf_counter()
            build(rows)
            samples[key].append(time.perf_counter() - t0)
            del rows
    return {k: statistics.median(v) * 1000 for k, v in samples.items()}


def memory(text: bytes) -> dict[str, float]:
    """MB kept by the result: the parsed dicts, and each build of them (rows replaced in place)."""
    out: dict[str, float] = {}
    variants: dict[str, Callable[[list[dict[str, Any]]], Any] | None] = {
        "dicts": None,
        "dataclasses": build_dataclasses,
        "typed": build_typed,
        "dynamic": build_dynamic,
    }
    for key, build in variants.items():
        gc.collect()
        tracemalloc.start()
        rows = json.loads(text)["result"]
        result = build(rows) if build is not None else rows
        gc.collect()
        out[key] = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
        del result, rows
    return out


def run(rows: int, rounds: int) -> dict[str, Any]:
    text = payload(rows)
    _check(text)
    build_typed(json.loads(text)["result"])  # warm-up: imports of related classes
    ms = timings(text, rounds)
    mb = memory(text)
    return {"rows": rows, "fields": len(FIELDS), "ms": ms, "mb": mb}


def report(result: dict[str, Any]) -> str:
    ms, mb = result["ms"], result["mb"]
    base = ms["json_loads"]
    lines = [
        f"building {result['rows']:,} res.partner records of {result['fields']} fields "
        f"(median ms; x json.loads of the same payload, target <= 1.5x)"
    ]
    for key in ("json_loads", "dataclasses", "typed", "dynamic", "typed_read_all", "dynamic_read_all"):
        lines.append(f"    {key:<16} {ms[key]:8.2f} ms  {ms[key] / base:5.2f}x")
    lines.append("    (*_read_all: built, then every field of every record read once)")
    lines.append("memory kept by the result (tracemalloc MB; x the dicts, target <= 1.0x)")
    for key in ("dicts", "dataclasses", "typed", "dynamic"):
        lines.append(f"    {key:<16} {mb[key]:8.2f} MB  {mb[key] / mb['dicts']:5.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    ns = parser.parse_args(argv)
    result = run(ns.rows, ns.rounds)
    print(report(result), flush=True)
    if ns.json is not None:
        ns.json.write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
