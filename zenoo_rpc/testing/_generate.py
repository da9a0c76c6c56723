"""Large generated data sets for benchmarks and streaming tests."""

from __future__ import annotations

from typing import Any

from ._store import Database, Table

__all__ = ["add_partners", "fill_from_schema"]


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


_USERS = ({"login": "admin", "name": "Mitchell Admin"}, {"login": "demo", "name": "Marc Demo"})


def _value(model: str, name: str, field: dict[str, Any], i: int, ids: dict[str, list[int]]) -> Any:
    t = field.get("type")
    if t in ("char", "text", "html"):
        return f"{model} {name} {i}" if name != "name" else f"{model.split('.')[-1].title()} {i}"
    if t == "integer":
        return i
    if t in ("float", "monetary"):
        return round(i * 10.5, 2)
    if t == "boolean":
        return name == "active" or i % 2 == 0
    if t == "selection":
        keys = [k for k, _ in field.get("selection") or []]
        return keys[i % len(keys)] if keys else False
    if t == "date":
        return f"2026-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
    if t == "datetime":
        return f"2026-{(i % 12) + 1:02d}-{(i % 28) + 1:02d} {i % 24:02d}:00:00"
    if t == "many2one":
        targets = ids.get(field.get("relation", ""), [])
        return targets[i % len(targets)] if targets else False
    if t in ("one2many", "many2many"):
        return []
    return False


def fill_from_schema(db: Database, per_model: int) -> None:
    """Generated records for every table of a schema-only database: ids first, then values that point at
    existing ids; one2many lists follow from their inverse many2one."""
    ids = {model: list(range(1, per_model + 1)) for model in db.tables}
    for model, table in db.tables.items():
        for i in ids[model]:
            row: dict[str, Any] = {"id": i}
            for name, field in table.fields.items():
                if field.get("store", True) and name not in ("id", "display_name"):
                    row[name] = _value(model, name, field, i, ids)
            row["display_name"] = row.get("name") if isinstance(row.get("name"), str) else f"{model},{i}"
            table.rows[i] = row
        table.next_id = per_model + 1
    for table in db.tables.values():
        for name, field in table.fields.items():
            inverse = field.get("relation_field")
            target = db.tables.get(field.get("relation", ""))
            if field.get("type") == "one2many" and inverse and target is not None:
                for row in table.rows.values():
                    row[name] = [r["id"] for r in target.rows.values() if r.get(inverse) == row["id"]]
    users = db.tables.get("res.users")
    if users is None:
        users = Table(
            "res.users",
            {
                "login": {"type": "char", "string": "Login"},
                "name": {"type": "char", "string": "Name"},
                "partner_id": {"type": "many2one", "relation": "res.partner", "string": "Contact"},
                "active": {"type": "boolean", "string": "Active"},
            },
            "login",
        )
        db.tables["res.users"] = users
    for uid, user in zip((2, 6), _USERS):
        users.rows[uid] = {
            **users.rows.get(uid, {}),
            "id": uid,
            "login": user["login"],
            "active": True,
            "display_name": user["name"],
            "partner_id": users.rows.get(uid, {}).get("partner_id", False),
        }
    users.next_id = max(users.rows) + 1
