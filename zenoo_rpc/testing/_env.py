"""The emulator's call environment: database, user and context; searching, reading and access rights."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from . import _domain
from ._exceptions import AccessError, EmulatedError, UserError, pg_error, type_error, value_error
from ._store import Database, Table

__all__ = ["Env", "User", "as_list", "browse_ids", "row_count"]

_EMPTY_BY_TYPE: dict[str, Any] = {
    "one2many": [],
    "many2many": [],
    "integer": 0,
    "float": 0.0,
    "monetary": 0.0,
}


_LANGS = {"en_US"}


class User:
    def __init__(
        self, uid: int, login: str, password: str, api_key: str | None, name: str, partner_id: int
    ) -> None:
        self.uid = uid
        self.login = login
        self.password = password
        self.api_key = api_key
        self.name = name
        self.partner_id = partner_id

    @property
    def is_admin(self) -> bool:
        return self.login == "admin"


_DENIED: dict[tuple[str, str], dict[int, str]] = {
    ("res.company", "write"): {
        17: "Administration/Access Rights",
        18: "Administration/Access Rights",
        19: "Access Rights",
    },
    ("res.company", "create"): {
        17: "Administration/Access Rights",
        18: "Administration/Access Rights",
        19: "Access Rights",
    },
    ("res.company", "unlink"): {
        17: "Administration/Access Rights",
        18: "Administration/Access Rights",
        19: "Access Rights",
    },
    ("ir.config_parameter", "read"): {
        17: "Administration/Settings",
        18: "Administration/Settings",
        19: "Role / Administrator",
    },
    ("ir.config_parameter", "write"): {
        17: "Administration/Settings",
        18: "Administration/Settings",
        19: "Role / Administrator",
    },
    ("ir.config_parameter", "create"): {
        17: "Administration/Settings",
        18: "Administration/Settings",
        19: "Role / Administrator",
    },
    ("ir.config_parameter", "unlink"): {
        17: "Administration/Settings",
        18: "Administration/Settings",
        19: "Role / Administrator",
    },
}


_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class _Rules(Protocol):
    """The model-specific behaviour a call runs under, as the ORM asks for it: defaults, constraints,
    computed values, hooks around create, write and unlink, and the public methods some models add. The ORM
    knows no model of its own; module ``_business``, which sits above it, is these rules, and the server
    plugs it into every environment it makes."""

    @property
    def COMPUTE(self) -> Mapping[str, Callable[[Env, int], None]]: ...

    @property
    def CREATE_HOOKS(self) -> Mapping[str, Callable[[Env, dict[str, Any]], dict[str, Any]]]: ...

    @property
    def WRITE_VALUES(
        self,
    ) -> Mapping[str, Callable[[Env, dict[str, Any], dict[str, Any]], dict[str, Any]]]: ...

    @property
    def AFTER_WRITE(self) -> Mapping[str, Callable[[Env, dict[str, Any], dict[str, Any]], None]]: ...

    @property
    def UNLINK_CHECKS(self) -> Mapping[str, Callable[[Env, list[int]], None]]: ...

    @property
    def MODEL_METHODS(self) -> Mapping[str, Mapping[str, Callable[..., Any]]]: ...

    def defaults(self, env: Env, model: str) -> dict[str, Any]: ...

    def check_record(self, env: Env, model: str, row: dict[str, Any]) -> None: ...


class Env:
    """One call's environment: database, user and context, and the business rules the call runs under."""

    def __init__(
        self, db: Database, user: User, context: dict[str, Any] | None = None, *, rules: _Rules
    ) -> None:
        self.db = db
        self.user = user
        self.uid = user.uid
        self.context = dict(context or {})
        self.rules = rules

    # -- helpers used by the domain engine ------------------------------------------------------------
    def table(self, model: str) -> Table:
        table = self.db.table(model)
        if table is None:
            if model in self.db.models:
                table = Table(
                    model,
                    {"display_name": {"type": "char", "store": False, "string": "Display Name"}},
                    self.db.models[model].get("order", "id"),
                )
                self.db.tables[model] = table
            else:
                raise UserError(f"Object {model} doesn't exist")
        return table

    def search_ids(
        self,
        model: str,
        domain: Any,
        *,
        active_test: bool | None = None,
        order: Any = None,
        offset: Any = 0,
        limit: Any = None,
    ) -> list[int]:
        table = self.table(model)
        offset = row_count(offset, "OFFSET")
        limit = row_count(limit, "LIMIT") or None
        domain = _domain.normalize(self, model, domain)
        if active_test is None:
            active_test = self.context.get("active_test", True) is not False
        if (
            active_test
            and "active" in table.fields
            and not _domain.uses_active(_domain.normalize(self, model, domain))
        ):
            domain = ["&", ("active", "=", True), *(_domain.normalize(self, model, domain) or [(1, "=", 1)])]
        pred = _domain.compile_domain(self, model, domain)
        order = _domain.check_order(self, model, order) or table.order
        keys = _domain.order_key_functions(self, model, order)
        tiebreak = _domain.order_key_functions(self, model, table.order) if order != table.order else []
        rows = self.sorted_rows(model, order, keys + tiebreak)
        start = 0
        after = _keyset_start(domain) if order.strip().lower() in ("id", "id asc") else None
        if after is not None:  # keyset pages (id > n ordered by id) start where the last one ended
            import bisect

            start = bisect.bisect_right(rows, after, key=lambda r: r["id"])
        out = []
        skip = offset or 0
        for row in itertools.islice(rows, start, None):
            if pred(row):
                if skip:
                    skip -= 1
                    continue
                out.append(row["id"])
                if limit is not None and len(out) >= limit:
                    break
        return out

    def sorted_rows(self, model: str, order: str, keys: list[Any]) -> list[dict[str, Any]]:
        table = self.table(model)
        cache: tuple[int, dict[str, list[dict[str, Any]]]] | None = getattr(table, "_sorted_cache", None)
        version = getattr(table, "_version", 0)
        if cache is None or cache[0] != version:
            cache = (version, {})
            table._sorted_cache = cache  # type: ignore[attr-defined]
        rows = cache[1].get(order)
        if rows is None:
            rows = _domain.sort_rows(sorted(table.rows.values(), key=lambda r: r["id"]), keys)
            cache[1][order] = rows
        return rows

    def rank_of(self, model: str, seen: frozenset[tuple[str, str]] = frozenset()) -> dict[int, int]:
        """Each record's position in the model's default order (``seen``: see ``order_key_functions``)."""
        table = self.db.table(model)
        if table is None:
            return {}
        keys = _domain.order_key_functions(self, model, table.order, seen)
        cache_key = f"{table.order}|{sorted(seen)}" if seen else table.order
        return {row["id"]: i for i, row in enumerate(self.sorted_rows(model, cache_key, keys))}

    def hierarchy(self, model: str, right: Any, operator: str) -> set[int]:
        table = self.table(model)
        if isinstance(right, str):
            start = set(self.name_search_ids(model, right, "ilike"))
        else:
            start = set(right if isinstance(right, (list, tuple)) else [right]) - {False, None}
        parent = "parent_id" if "parent_id" in table.fields else None
        if parent is None:
            return start
        result = set(start)
        if operator == "child_of":
            children: dict[int, list[int]] = {}
            for row in table.rows.values():
                p = row.get(parent)
                if p:
                    children.setdefault(p, []).append(row["id"])
            todo = list(start)
            while todo:
                for c in children.get(todo.pop(), ()):
                    if c not in result:
                        result.add(c)
                        todo.append(c)
        else:
            for rid in start:
                current = table.rows.get(rid)
                seen = 0
                while current is not None and current.get(parent) and seen < 1000:
                    result.add(current[parent])
                    current = table.rows.get(current[parent])
                    seen += 1
        return result

    def name_search_ids(
        self,
        model: str,
        name: Any,
        operator: str = "ilike",
        domain: list[Any] | None = None,
        limit: int | None = None,
    ) -> list[int]:
        table = self.table(model)
        fields = ["display_name"]
        if model == "product.product" and "default_code" in table.fields:
            fields = ["display_name", "default_code"]
        if model == "res.partner":
            fields = ["complete_name", "email", "ref", "vat", "company_registry"]
            fields = [f for f in fields if f in table.fields] or ["display_name"]
        if name in ("", False, None) and operator in ("ilike", "like"):
            name_domain: list[Any] = []
        else:
            name_domain = ["|"] * (len(fields) - 1) + [(f, operator, name) for f in fields]
            if operator in ("!=", "not ilike", "not like", "not in"):
                name_domain = ["&"] * (len(fields) - 1) + [(f, operator, name) for f in fields]
        full = list(domain or [])
        full = ["&", *full, *name_domain] if full and name_domain else full or name_domain
        return self.search_ids(model, full, limit=limit)

    # -- access rights -------------------------------------------------------------------------------
    def check_access(self, model: str, operation: str) -> None:
        if self.user.is_admin:
            return
        groups = _DENIED.get((model, operation))
        if groups is None:
            return
        label = self.db.models.get(model, {}).get("name", model)
        raise AccessError(
            f"You are not allowed to {_VERBS[operation]} '{label}' ({model}) records.\n\n"
            f"This operation is allowed for the following groups:\n\t- {groups[self.db.major]}\n\n"
            "Contact your administrator to request access if necessary."
        )

    # -- formatting ------------------------------------------------------------------------------------
    def format_value(self, table: Table, name: str, row: dict[str, Any], classic_write: bool = False) -> Any:
        field = table.fields.get(name)
        if name == "id":
            return row["id"]
        if field is not None and name not in row and field.get("related") and not field.get("store", True):
            return self._related_value(table, field, row, classic_write)
        value = row.get(name, _missing(field))
        if field is None:
            return value
        ftype = field["type"]
        if ftype == "many2one":
            if not value:
                return False
            if classic_write:  # load="_classic_write": the bare id
                return value
            return [value, self.db.display_name(field.get("relation", ""), value)]
        if ftype in ("one2many", "many2many"):
            return list(value or [])
        if (
            ftype == "binary"
            and value
            and (self.context.get("bin_size") or self.context.get(f"bin_size_{name}"))
        ):
            return _human_size(_decoded_size(str(value)))
        return value

    def _related_value(
        self, table: Table, field: dict[str, Any], row: dict[str, Any], classic_write: bool = False
    ) -> Any:
        related = field["related"]
        path = related.split(".") if isinstance(related, str) else list(related)
        current_table, current = table, row
        for hop in path[:-1]:
            hop_field = current_table.fields.get(hop, {})
            target = self.db.table(hop_field.get("relation", ""))
            value = current.get(hop)
            if isinstance(value, list):
                value = value[0] if value else False
            if target is None or not value or value not in target.rows:
                return _missing(field)
            current_table, current = target, target.rows[value]
        return self.format_value(current_table, path[-1], current, classic_write)

    def read_rows(
        self, model: str, ids: list[int], fields: list[str] | None, load: str | None = "_classic_read"
    ) -> list[dict[str, Any]]:
        table = self.table(model)
        if fields:
            names = as_list(fields)
            for f in names:
                if isinstance(f, (list, dict)):
                    raise type_error(f"unhashable type: '{_type_name(f)}'")
            names = list(dict.fromkeys(names))
            for f in names:
                if f != "id" and (not isinstance(f, str) or f not in table.fields):
                    if self.db.major >= 19:
                        raise value_error(f"Invalid field {f!r} on {model!r}")
                    raise value_error(_invalid_field(self.db.major, f, model))
        else:
            names = [f for f, d in table.fields.items() if not (d.get("type") == "binary" and False)]
        out = []
        for rid in ids:
            row = table.rows.get(rid)
            if row is None:
                continue
            rec = {"id": rid}
            for name in names:
                if name != "id":
                    rec[name] = self.format_value(table, name, row, load == "_classic_write")
            out.append(rec)
        return out


def as_list(value: Any) -> list[Any]:
    """``for x in value`` as Odoo's Python runs it over an argument: a string gives its characters, a dict its
    keys, and a value that is not iterable Python's own TypeError."""
    if isinstance(value, (list, tuple, str, dict)):
        return list(value)
    raise type_error(f"'{_type_name(value)}' object is not iterable")


def browse_ids(ids: Any) -> list[Any]:
    """The ids of Odoo's ``browse(ids)``: nothing when empty, one exact ``int``, else ``tuple(ids)``."""
    if not ids:
        return []
    if type(ids) is int:
        return [ids]
    out = as_list(ids)
    for rid in out:
        if isinstance(rid, (list, dict)):
            raise type_error(f"unhashable type: '{_type_name(rid)}'")
        if isinstance(rid, str):
            raise pg_error("InvalidTextRepresentation", f'invalid input syntax for type integer: "{rid}"')
    return out


def _type_name(value: Any) -> str:
    return "NoneType" if value is None else type(value).__name__


def row_count(value: Any, clause: str) -> int:
    """``limit``/``offset`` as PostgreSQL reads them in ``LIMIT``/``OFFSET`` (Odoo passes them through):
    empty is none, text is cast, a negative count or a value of another type is PostgreSQL's error."""
    if value is None or value is False or value == 0:
        return 0
    if value is True or isinstance(value, (list, tuple)):
        kind = "boolean" if value is True else "integer[]"
        raise pg_error("DatatypeMismatch", f"argument of {clause} must be type bigint, not type {kind}")
    if isinstance(value, dict):
        raise EmulatedError("can't adapt type 'dict'", "psycopg2.ProgrammingError")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("+-").isdigit():
            raise pg_error("InvalidTextRepresentation", f'invalid input syntax for type bigint: "{value}"')
        value = int(text)
    if isinstance(value, float):
        value = int(value + (0.5 if value >= 0 else -0.5))  # numeric to bigint rounds half away from zero
    count = int(value)
    if count < 0:
        kind = "InvalidRowCountInLimitClause" if clause == "LIMIT" else "InvalidRowCountInResultOffsetClause"
        raise pg_error(kind, f"{clause} must not be negative")
    if count >= 2**63:
        raise pg_error("NumericValueOutOfRange", "bigint out of range")
    return count


def _keyset_start(domain: list[Any]) -> int | None:
    """``n`` when the domain is an AND that contains ``("id", ">", n)`` at its top level."""
    if any(x in ("|", "!") for x in domain):
        return None
    for item in domain:
        is_leaf = isinstance(item, (list, tuple)) and len(item) == 3
        if is_leaf and item[0] == "id" and item[1] == ">" and type(item[2]) is int:
            return int(item[2])
    return None


def _missing(field: dict[str, Any] | None) -> Any:
    if field is None:
        return False
    return (
        list(_EMPTY_BY_TYPE[field["type"]])
        if field["type"] in ("one2many", "many2many")
        else _EMPTY_BY_TYPE.get(field["type"], False)
    )


def _decoded_size(b64: str) -> int:
    """The size of the bytes a base64 value holds (Odoo sizes the attachment's file, not its base64)."""
    text = b64.strip()
    return max(len(text) * 3 // 4 - text[-2:].count("="), 0)


def _human_size(n: int) -> str:
    units = ["bytes", "Kb", "Mb", "Gb", "Tb"]
    size = float(n)
    i = 0
    while size >= 1024 and i < len(units) - 1:
        size /= 1024
        i += 1
    return f"{size:.2f} {units[i]}"


def _invalid_field(major: int, name: str, model: str) -> str:
    if major >= 19:
        return f"Invalid field {name!r} in {model!r}"
    return f"Invalid field {name!r} on model {model!r}"


def _touch(table: Table) -> None:
    table._version = getattr(table, "_version", 0) + 1  # type: ignore[attr-defined]
