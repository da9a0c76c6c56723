"""Large generated data sets for benchmarks and streaming tests."""

from __future__ import annotations

from typing import Any

from ._store import Database

__all__ = ["add_partners"]


def add_partners(db: Database, n: int, start_name: str) -> list[int]:
    table = db.table("res.partner")
    assert table is not None
    # rows stay sparse: a field a row lacks reads as its empty value, so 100,000 rows fit in little memory
    template: dict[str, Any] = {}
    template.update(
        {
            "active": True,
            "type": "contact",
            "lang": "en_US",
            "is_company": False,
            "customer_rank": 0,
            "supplier_rank": 0,
            "color": 0,
        }
    )
    ids = []
    first = table.next_id
    for i in range(n):
        rid = first + i
        name = f"{start_name} {rid:07d}"
        row = dict(template)
        row.update(
            {
                "id": rid,
                "name": name,
                "display_name": name,
                "complete_name": name,
                "email": f"partner{rid}@example.com",
                "city": ("Brussels", "Ghent", "Antwerp", "Liege")[rid % 4],
                "is_company": rid % 10 == 0,
                "customer_rank": rid % 3,
                "supplier_rank": (rid % 5 == 0 and 1) or 0,
                "phone": f"+32 2 {rid % 1000:03d} {rid % 100:02d} {rid % 97:02d}",
            }
        )
        table.rows[rid] = row
        ids.append(rid)
    table.next_id = first + n
    table._version = getattr(table, "_version", 0) + 1  # type: ignore[attr-defined]
    return ids


def _empty(field: dict[str, Any]) -> Any:
    t = field.get("type")
    if t in ("one2many", "many2many"):
        return []
    if t == "integer":
        return 0
    if t in ("float", "monetary"):
        return 0.0
    return False
