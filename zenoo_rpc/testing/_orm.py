"""The emulator's ORM: Odoo's public model methods, with Odoo's signatures, rules and error messages."""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from . import _domain
from ._exceptions import (
    AccessError,
    EmulatedError,
    MissingError,
    UserError,
    ValidationError,
    attribute_error,
    type_error,
    value_error,
)
from ._store import Database, Table

__all__ = ["BaseModel", "Env", "User"]

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


#: (model, operation) denied to non-admin users, with the group named in Odoo's message, by version
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


class Env:
    """One call's environment: database, user and context."""

    def __init__(self, db: Database, user: User, context: dict[str, Any] | None = None) -> None:
        self.db = db
        self.user = user
        self.uid = user.uid
        self.context = dict(context or {})

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
        domain: list[Any],
        *,
        active_test: bool | None = None,
        order: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        table = self.table(model)
        domain = list(domain or [])
        if active_test is None:
            active_test = self.context.get("active_test", True) is not False
        if (
            active_test
            and "active" in table.fields
            and not _domain.uses_active(_domain.normalize(self, model, domain))
        ):
            domain = ["&", ("active", "=", True), *(_domain.normalize(self, model, domain) or [(1, "=", 1)])]
        pred = _domain.compile_domain(self, model, domain)
        order = order or table.order
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

    def rank_of(self, model: str) -> dict[int, int]:
        table = self.db.table(model)
        if table is None:
            return {}
        keys = _domain.order_key_functions(self, model, table.order)
        return {row["id"]: i for i, row in enumerate(self.sorted_rows(model, table.order, keys))}

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
            return self._related_value(table, field, row)
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
        if ftype == "binary" and value and self.context.get("bin_size"):
            return _human_size(len(str(value)) * 3 // 4)
        return value

    def _related_value(self, table: Table, field: dict[str, Any], row: dict[str, Any]) -> Any:
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
        return self.format_value(current_table, path[-1], current)

    def read_rows(
        self, model: str, ids: list[int], fields: list[str] | None, load: str | None = "_classic_read"
    ) -> list[dict[str, Any]]:
        table = self.table(model)
        if fields:
            names = list(dict.fromkeys(fields))
            for f in names:
                if f != "id" and f not in table.fields:
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


def _human_size(n: int) -> str:
    units = ["bytes", "Kb", "Mb", "Gb"]
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


class BaseModel:
    """Odoo's public model API. Method names and signatures are Odoo's, so argument errors read the same."""

    _record_methods = frozenset(
        {
            "read",
            "write",
            "unlink",
            "copy",
            "exists",
            "web_read",
            "has_access",
            "name_get",
            "action_confirm",
            "action_cancel",
            "action_draft",
            "toggle_active",
            "action_archive",
            "action_unarchive",
            "get_metadata",
        }
    )

    def __init__(self, env: Env, model: str, ids: list[int] | None = None) -> None:
        self.env = env
        self._name = model
        self._ids = list(ids or [])
        self._table = env.table(model)

    # -- search & read -------------------------------------------------------------------------------
    def search(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        self.env.check_access(self._name, "read")
        return self.env.search_ids(self._name, domain, order=order, offset=offset or 0, limit=limit or None)

    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self.env.check_access(self._name, "read")
        return len(self.env.search_ids(self._name, domain, limit=limit or None))

    def search_read(
        self,
        domain: Any = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        load = read_kwargs.pop("load", "_classic_read")
        if read_kwargs:
            key = next(iter(read_kwargs))
            raise type_error(f"BaseModel._read_format() got an unexpected keyword argument '{key}'")
        self.env.check_access(self._name, "read")
        ids = self.env.search_ids(
            self._name, domain or [], order=order, offset=offset or 0, limit=limit or None
        )
        return self.env.read_rows(self._name, ids, fields, load)

    def read(self, fields: list[str] | None = None, load: str = "_classic_read") -> list[dict[str, Any]]:
        self.env.check_access(self._name, "read")
        return self.env.read_rows(self._name, self._ids, fields, load)

    def search_fetch(
        self,
        domain: Any,
        field_names: list[str],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        return self.search(domain, offset, limit, order)

    def exists(self) -> list[int]:
        return [i for i in self._ids if i in self._table.rows]

    def name_get(self) -> list[list[Any]]:
        return [[i, self.env.db.display_name(self._name, i)] for i in self._ids if i in self._table.rows]

    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, Any]:
        out = {}
        for name, desc in self._table.fields.items():
            if allfields and name not in allfields:
                continue
            out[name] = {k: v for k, v in desc.items() if not attributes or k in attributes}
        return out

    def default_get(self, fields_list: list[str]) -> dict[str, Any]:
        defaults = _defaults(self.env, self._name)
        return {f: defaults[f] for f in fields_list if f in defaults}

    def check_access_rights(self, operation: str, raise_exception: bool = True) -> bool | None:
        try:
            self.env.check_access(self._name, operation)
        except AccessError:
            if raise_exception:
                raise
            return False
        return True if (self.env.db.major < 18 or not raise_exception) else None

    def has_access(self, operation: str) -> bool:
        try:
            self.env.check_access(self._name, operation)
        except AccessError:
            return False
        return True

    def name_search(
        self, name: str = "", args: list[Any] | None = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        ids = self.env.name_search_ids(self._name, name, operator, args or [], limit)
        return [[i, self.env.db.display_name(self._name, i)] for i in ids]

    # -- write ------------------------------------------------------------------------------------------
    def create(self, vals_list: Any) -> Any:
        self.env.check_access(self._name, "create")
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else list(vals_list)
        ids = [_create_one(self.env, self._name, vals) for vals in items]
        return ids[0] if single else ids

    def write(self, vals: dict[str, Any]) -> bool:
        self.env.check_access(self._name, "write")
        for rid in self._ids:
            if rid not in self._table.rows:
                raise MissingError(
                    f"Record does not exist or has been deleted.\n(Record: {self._name}({rid},), User: {self.env.uid})"
                )
        _write(self.env, self._name, self._ids, vals)
        return True

    def unlink(self) -> bool:
        self.env.check_access(self._name, "unlink")
        hook = _UNLINK_CHECKS.get(self._name)
        if hook is not None:
            hook(self.env, self._ids)
        with self.env.db.lock:
            for rid in self._ids:
                row = self._table.rows.pop(rid, None)
                if row is not None:
                    _unlink_links(self.env, self._name, rid)
            _touch(self._table)
        return True

    def copy(self, default: dict[str, Any] | None = None) -> Any:
        new_ids = []
        for rid in self._ids:
            row = self._table.rows.get(rid)
            if row is None:
                continue
            vals = {}
            for name, field in self._table.fields.items():
                if name in ("id", "display_name", "create_date", "write_date", "create_uid", "write_uid"):
                    continue
                if (
                    not field.get("store")
                    or field["type"] == "one2many"
                    or (field.get("readonly") and name != "name")
                ):
                    continue
                if name not in row:
                    continue
                value = row[name]
                vals[name] = [(6, 0, list(value))] if field["type"] == "many2many" else value
            if "name" in vals and isinstance(vals["name"], str):
                vals["name"] = f"{vals['name']} (copy)"
            vals.update(default or {})
            new_ids.append(_create_one(self.env, self._name, vals))
        if self.env.db.major >= 18:
            return new_ids
        return new_ids[0] if len(new_ids) == 1 else new_ids

    # -- grouping ---------------------------------------------------------------------------------------
    def read_group(
        self,
        domain: Any,
        fields: list[str],
        groupby: Any,
        offset: int = 0,
        limit: int | None = None,
        orderby: Any = False,
        lazy: bool = True,
    ) -> list[dict[str, Any]]:
        from ._grouping import read_group

        self.env.check_access(self._name, "read")
        return read_group(self.env, self._name, domain, fields, groupby, offset, limit, orderby, lazy)

    def formatted_read_group(
        self,
        domain: Any,
        groupby: Any = (),
        aggregates: Any = (),
        having: Any = (),
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        from ._grouping import formatted_read_group

        self.env.check_access(self._name, "read")
        return formatted_read_group(self.env, self._name, domain, groupby, aggregates, offset, limit, order)

    # -- web client ------------------------------------------------------------------------------------
    def web_search_read(
        self,
        domain: Any,
        specification: dict[str, Any],
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        count_limit: int | None = None,
    ) -> dict[str, Any]:
        ids = self.env.search_ids(self._name, domain, order=order, offset=offset or 0, limit=limit or None)
        records = _web_read(self.env, self._name, ids, specification)
        length = len(records)
        if limit and (length == limit or offset):
            length = len(self.env.search_ids(self._name, domain))
        elif offset:
            length += offset
        return {"length": length, "records": records}

    def web_read(self, specification: dict[str, Any]) -> list[dict[str, Any]]:
        return _web_read(self.env, self._name, self._ids, specification)


def _web_read(env: Env, model: str, ids: list[int], spec: dict[str, Any]) -> list[dict[str, Any]]:
    table = env.table(model)
    rows = env.read_rows(model, ids, list(spec) or ["id"])
    for row in rows:
        for name, sub in spec.items():
            field = table.fields.get(name, {})
            sub_fields = (sub or {}).get("fields")
            if field.get("type") == "many2one" and row.get(name):
                rid = row[name][0]
                if sub_fields:
                    got = _web_read(env, field["relation"], [rid], sub_fields)
                    if got:
                        row[name] = got[0]
                    else:
                        row[name] = {
                            "id": rid,
                            **{k: env.db.display_name(field["relation"], rid) for k in sub_fields},
                        }
                else:
                    row[name] = rid
            elif field.get("type") in ("one2many", "many2many") and sub_fields:
                relation = field["relation"]
                row[name] = _web_read(env, relation, list(row[name]), sub_fields)
    return rows


def _defaults(env: Env, model: str) -> dict[str, Any]:
    table = env.table(model)
    out: dict[str, Any] = {}
    if "active" in table.fields:
        out["active"] = True
    specific = {
        "res.partner": {
            "type": "contact",
            "is_company": False,
            "lang": env.context.get("lang", "en_US"),
            "tz": env.context.get("tz", False),
            "color": 0,
        },
        "sale.order": {"state": "draft", "company_id": 1, "date_order": _now()},
        "crm.lead": {"type": env.context.get("default_type", "lead"), "priority": "0", "user_id": env.uid},
    }
    out.update(specific.get(model, {}))
    for key, value in env.context.items():
        if key.startswith("default_") and key[8:] in table.fields:
            out[key[8:]] = value
    return out


def _touch(table: Table) -> None:
    table._version = getattr(table, "_version", 0) + 1  # type: ignore[attr-defined]


def _convert(env: Env, model: str, table: Table, name: str, value: Any) -> Any:
    field = table.fields.get(name)
    if field is None:
        raise value_error(_invalid_field(env.db.major, name, model))
    ftype = field["type"]
    if value is None:
        value = False
    if ftype == "integer" and value is not False:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise value_error(f"invalid literal for int() with base 10: {value!r}") from None
    if ftype in ("float", "monetary") and value is not False:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise value_error(f"could not convert string to float: {value!r}") from None
    if ftype == "selection" and value is not False:
        keys = [k for k, _ in field.get("selection") or []]
        if keys and value not in keys:
            raise value_error(f"Wrong value for {model}.{name}: {value!r}")
    if ftype == "many2one":
        if isinstance(value, (list, tuple)):
            value = value[0] if value else False
        if value:
            relation = field.get("relation", "")
            target = env.db.table(relation)
            if target is not None and value not in target.rows:
                raise _fk_error(env, model, name, field)
        return value or False
    if ftype == "boolean":
        return bool(value)
    return value


def _fk_error(env: Env, model: str, name: str, field: dict[str, Any]) -> EmulatedError:
    label = env.db.models.get(model, {}).get("name", model)
    if env.db.major >= 19:
        msg = (
            "The operation cannot be completed: Another model is using the record you are trying to delete.\n\n"
            f"The troublemaker is: '{label}' ({model})\nThanks to the following constraint: "
            f"'{field.get('string', name)}' ({name})\nHow about archiving the record instead?"
        )
    else:
        msg = (
            "The operation cannot be completed: another model requires the record being deleted. If possible, "
            f"archive it instead.\n\nModel: {label} ({model})\nConstraint: {model.replace('.', '_')}_{name}_fkey\n"
        )
    return ValidationError(msg)


def _required_error(env: Env, model: str, name: str, field: dict[str, Any]) -> EmulatedError:
    label = env.db.models.get(model, {}).get("name", model)
    string = field.get("string", name)
    if env.db.major >= 19:
        msg = (
            f"The operation cannot be completed: Missing required value for the field '{string}' ({name}).\n"
            f"Model: '{label}' ({model})\n- create/update: a mandatory field is not set\n"
            "- delete: another model requires the record being deleted, you can archive it instead\n"
        )
    else:
        msg = (
            "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
            f"Model: {label} ({model})\nField: {string} ({name})\n"
        )
    return ValidationError(msg)


def _x2many_commands(
    env: Env, model: str, table: Table, name: str, current: list[int], commands: Any, owner: int | None
) -> tuple[list[int], list[Callable[[int], None]]]:
    """Apply x2many commands; returns the new id list and actions to run once the owner id is known."""
    field = table.fields[name]
    relation = field.get("relation", "")
    ids = list(current)
    later: list[Callable[[int], None]] = []
    if commands is False or commands is None:
        return [], later
    if commands and all(isinstance(c, int) for c in commands):  # a plain list of ids
        commands = [(6, 0, commands)]
    for cmd in commands:
        if not isinstance(cmd, (list, tuple)) or not cmd:
            raise value_error(f"Invalid x2many command {cmd!r} for {model}.{name}")
        code = cmd[0]
        if code == 0:
            vals = dict(cmd[2] or {})
            inverse = field.get("relation_field")
            if field["type"] == "one2many" and inverse:

                def create_child(owner_id: int, vals: dict[str, Any] = vals, inverse: str = inverse) -> None:
                    # the child's many2one to the owner puts it in the owner's one2many (_sync_inverse)
                    _create_one(env, relation, {**vals, inverse: owner_id})

                later.append(create_child)
            else:
                ids.append(_create_one(env, relation, vals))
        elif code == 1:
            _write(env, relation, [cmd[1]], dict(cmd[2] or {}))
        elif code == 2:
            BaseModel(env, relation, [cmd[1]]).unlink()
            ids = [i for i in ids if i != cmd[1]]
        elif code == 3:
            ids = [i for i in ids if i != cmd[1]]
        elif code == 4:
            if cmd[1] not in ids:
                ids.append(cmd[1])
        elif code == 5:
            ids = []
        elif code == 6:
            ids = list(dict.fromkeys(cmd[2] or []))
        else:
            raise value_error(f"Invalid x2many command {cmd!r}")
    return _order_ids(env, relation, ids), later


def _order_ids(env: Env, model: str, ids: list[int]) -> list[int]:
    rank = env.rank_of(model)
    if not rank:
        return ids
    return sorted(ids, key=lambda i: rank.get(i, len(rank) + i))


def _create_one(env: Env, model: str, vals: dict[str, Any]) -> int:
    table = env.table(model)
    if not isinstance(vals, dict):
        raise type_error("create() takes a dict or a list of dicts")
    with env.db.lock:
        for name in vals:
            if name not in table.fields:
                raise value_error(_invalid_field(env.db.major, name, model))
        rid = table.next_id
        table.next_id += 1  # like a PostgreSQL sequence: a failed create still uses the id
        row: dict[str, Any] = {"id": rid}
        defaults = _defaults(env, model)
        merged = {**defaults, **vals}
        hook = _CREATE_HOOKS.get(model)
        if hook is not None:
            merged = hook(env, merged)
        later: list[Callable[[int], None]] = []
        for name, value in merged.items():
            field = table.fields[name]
            if field["type"] in ("one2many", "many2many"):
                row[name], actions = _x2many_commands(env, model, table, name, [], value, None)
                later.extend(actions)
            else:
                row[name] = _convert(env, model, table, name, value)
        for name, field in table.fields.items():
            if name not in row and field.get("store", True):
                row[name] = _missing(field)
        _check_constraints(env, model, row)
        now = _now()
        for name, value in (
            ("create_date", now),
            ("write_date", now),
            ("create_uid", env.uid),
            ("write_uid", env.uid),
        ):
            if name in table.fields:
                row[name] = value
        table.rows[rid] = row
        for action in later:
            action(rid)
        _sync_inverse(env, model, table, row, None)
        _recompute(env, model, rid)
        _touch(table)
        return rid


_AUTO_FIELDS = frozenset(
    {"create_date", "write_date", "create_uid", "write_uid", "display_name", "name", "id"}
)


def _write(env: Env, model: str, ids: list[int], vals: dict[str, Any]) -> None:
    table = env.table(model)
    with env.db.lock:
        for name in vals:
            if name not in table.fields:
                raise value_error(_invalid_field(env.db.major, name, model))
        for rid in ids:
            row = table.rows.get(rid)
            if row is None:
                raise MissingError(
                    f"Record does not exist or has been deleted.\n(Record: {model}({rid},), User: {env.uid})"
                )
            old = dict(row)
            new = dict(row)
            if model == "sale.order.line" and "product_uom_qty" in vals and "price_unit" not in vals:
                vals = {**vals, "price_unit": _product_price(env, row.get("product_id"))}
            later: list[Callable[[int], None]] = []
            for name, value in vals.items():
                field = table.fields[name]
                if field["type"] in ("one2many", "many2many"):
                    new[name], actions = _x2many_commands(
                        env, model, table, name, row.get(name) or [], value, rid
                    )
                    later.extend(actions)
                else:
                    new[name] = _convert(env, model, table, name, value)
            for name, field in table.fields.items():
                if name in vals and field.get("required") and new.get(name) in (False, None):
                    raise _required_error(env, model, name, field)
            _check_constraints(env, model, new)
            if "parent_id" in vals:
                _check_recursion(env, model, rid, new.get("parent_id"))
            if "write_date" in table.fields:
                new["write_date"] = _now()
            row.update(new)
            if model == "res.partner" and env.db.major >= 19:
                _sync_address_upstream(env, row, vals)
            for action in later:
                action(rid)
            _sync_inverse(env, model, table, row, old)
            _recompute(env, model, rid)
        _touch(table)


_ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")


def _sync_address_upstream(env: Env, row: dict[str, Any], vals: dict[str, Any]) -> None:
    """Odoo 19: writing the address of a company's contact updates the company's address too."""
    changed = {k: row[k] for k in _ADDRESS_FIELDS if k in vals}
    parent = env.table("res.partner").rows.get(row.get("parent_id") or 0)
    if changed and parent is not None and row.get("type") == "contact":
        parent.update(changed)


def _check_recursion(env: Env, model: str, rid: int, parent: Any) -> None:
    table = env.table(model)
    seen = {rid}
    while parent:
        if parent in seen:
            raise UserError("Recursion Detected.")
        seen.add(parent)
        parent = table.rows.get(parent, {}).get("parent_id")


def _check_constraints(env: Env, model: str, row: dict[str, Any]) -> None:
    # Odoo fills most required fields from defaults the emulator does not model; the record's name is the
    # one required value a client must give, and the one checked here.
    name_field = env.table(model).fields.get("name")
    if name_field and name_field.get("required") and name_field.get("store", True) and not row.get("name"):
        raise _required_error(env, model, "name", name_field)
    if model == "res.partner" and row.get("type", "contact") == "contact" and not row.get("name"):
        raise ValidationError("The operation cannot be completed: Contacts require a name")


def _sync_inverse(
    env: Env, model: str, table: Table, row: dict[str, Any], old: dict[str, Any] | None
) -> None:
    """Keep one2many fields in step with the many2one that backs them."""
    for other, name, inverse in _inverse_index(env.db).get(model, ()):
        if inverse not in row:
            continue
        before = old.get(inverse) if old else False
        after = row.get(inverse)
        if before == after:
            continue
        if before and before in other.rows:
            other.rows[before][name] = [i for i in other.rows[before].get(name) or [] if i != row["id"]]
        if after and after in other.rows:
            current = other.rows[after].get(name) or []
            if row["id"] not in current:
                other.rows[after][name] = _order_ids(env, model, [*current, row["id"]])
        _touch(other)


def _inverse_index(db: Database) -> dict[str, list[tuple[Table, str, str]]]:
    """model -> the one2many fields (table, field, inverse many2one) that list its records; built once."""
    index: dict[str, list[tuple[Table, str, str]]] | None = getattr(db, "_inverse_index", None)
    if index is None:
        index = {}
        for other in db.tables.values():
            for name, field in other.fields.items():
                if field.get("type") == "one2many" and field.get("relation_field") and field.get("relation"):
                    index.setdefault(field["relation"], []).append((other, name, field["relation_field"]))
        db._inverse_index = index  # type: ignore[attr-defined]
    return index


def _unlink_links(env: Env, model: str, rid: int) -> None:
    for other in env.db.tables.values():
        for name, field in other.fields.items():
            if field.get("relation") != model or field.get("type") not in (
                "one2many",
                "many2many",
                "many2one",
            ):
                continue
            for row in other.rows.values():
                value = row.get(name)
                if field["type"] == "many2one":
                    if value == rid:
                        row[name] = False
                elif value and rid in value:
                    row[name] = [i for i in value if i != rid]


def _recompute(env: Env, model: str, rid: int) -> None:
    hook = _COMPUTE.get(model)
    if hook is not None:
        hook(env, rid)
    else:
        table = env.table(model)
        row = table.rows[rid]
        if "display_name" in table.fields and isinstance(row.get("name"), str):
            row["display_name"] = row["name"]


# -- model-specific behaviour -------------------------------------------------------------------------------
def _partner_compute(env: Env, rid: int) -> None:
    table = env.table("res.partner")
    row = table.rows[rid]
    name = row.get("name") or ""
    parent = table.rows.get(row.get("parent_id") or 0)
    if parent is not None and not row.get("is_company"):
        company = parent.get("commercial_company_name") or parent.get("name") or ""
        complete = f"{company}, {name}" if name else company
    else:
        complete = name
    row["complete_name"] = complete
    row["display_name"] = complete
    commercial = parent if parent is not None and not row.get("is_company") else row
    if "commercial_partner_id" in table.fields:
        row["commercial_partner_id"] = commercial["id"] if commercial is not row else rid
    if "commercial_company_name" in table.fields:
        row["commercial_company_name"] = commercial.get("name") if commercial.get("is_company") else False
    for child_id in row.get("child_ids") or []:
        if child_id in table.rows and child_id != rid:
            _partner_compute(env, child_id)


def _product_compute(env: Env, rid: int) -> None:
    row = env.table("product.product").rows[rid]
    name = row.get("name") or ""
    code = row.get("default_code")
    row["display_name"] = f"[{code}] {name}" if code else name


def _line_taxes_field(env: Env) -> str:
    return "tax_ids" if env.db.major >= 19 else "tax_id"


def _order_line_compute(env: Env, rid: int) -> None:
    lines = env.table("sale.order.line")
    line = lines.rows[rid]
    qty = float(line.get("product_uom_qty") or 0.0)
    price = float(line.get("price_unit") or 0.0)
    discount = float(line.get("discount") or 0.0)
    subtotal = round(qty * price * (1 - discount / 100.0), 2)
    taxes = env.db.table("account.tax")
    rate = 0.0
    for tax_id in line.get(_line_taxes_field(env)) or []:
        tax = taxes.rows.get(tax_id) if taxes is not None else None
        if tax and tax.get("amount_type", "percent") == "percent":
            rate += float(tax.get("amount") or 0.0)
    tax_amount = round(subtotal * rate / 100.0, 2)
    line["price_subtotal"] = subtotal
    line["price_tax"] = tax_amount
    line["price_total"] = round(subtotal + tax_amount, 2)
    if line.get("product_id") and not line.get("name"):
        line["name"] = env.db.display_name("product.product", line["product_id"])
    line["display_name"] = line.get("name") or ""
    order_id = line.get("order_id")
    if order_id:
        _order_compute(env, order_id)


def _order_compute(env: Env, rid: int) -> None:
    orders = env.table("sale.order")
    order = orders.rows.get(rid)
    if order is None:
        return
    lines = env.table("sale.order.line")
    untaxed = tax = 0.0
    for line_id in order.get("order_line") or []:
        line = lines.rows.get(line_id)
        if line:
            untaxed += float(line.get("price_subtotal") or 0.0)
            tax += float(line.get("price_tax") or 0.0)
    order["amount_untaxed"] = round(untaxed, 2)
    order["amount_tax"] = round(tax, 2)
    order["amount_total"] = round(untaxed + tax, 2)
    order["display_name"] = order.get("name") or ""


def _order_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    if not vals.get("name") or vals.get("name") == "New":
        table = env.table("sale.order")
        numbers = [
            int(r["name"][1:])
            for r in table.rows.values()
            if str(r.get("name", "")).startswith("S") and str(r["name"][1:]).isdigit()
        ]
        vals["name"] = f"S{(max(numbers, default=0) + 1):05d}"
    vals.setdefault("date_order", _now())
    vals.setdefault("user_id", env.uid)
    if vals.get("partner_id") and "partner_invoice_id" in env.table("sale.order").fields:
        vals.setdefault("partner_invoice_id", vals["partner_id"])
        vals.setdefault("partner_shipping_id", vals["partner_id"])
    return vals


def _order_line_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    product_id = vals.get("product_id")
    products = env.db.table("product.product")
    field = _line_taxes_field(env)
    if product_id and products is not None and product_id in products.rows:
        product = products.rows[product_id]
        label = product.get("display_name") or env.format_value(products, "name", product)
        description = (
            env.format_value(products, "description_sale", product)
            if "description_sale" in products.fields
            else False
        )
        if env.db.major >= 19 and description:
            label = f"{label}\n{description}"
        vals.setdefault("name", label)
        if field not in vals:
            template = env.db.table("product.template")
            tmpl = template.rows.get(product.get("product_tmpl_id") or 0) if template is not None else None
            taxes = (tmpl or {}).get("taxes_id") or product.get("taxes_id") or []
            vals[field] = [(6, 0, list(taxes))]
        vals.setdefault("product_uom_qty", 1.0)
    return vals


def _product_price(env: Env, product_id: Any) -> float:
    products = env.db.table("product.product")
    if products is None or not product_id or product_id not in products.rows:
        return 0.0
    price = (
        env.format_value(products, "lst_price", products.rows[product_id])
        if "lst_price" in products.fields
        else 0.0
    )
    if not price:
        price = env.format_value(products, "list_price", products.rows[product_id])
    return float(price or 0.0)


def _order_unlink_check(env: Env, ids: list[int]) -> None:
    orders = env.table("sale.order")
    for rid in ids:
        row = orders.rows.get(rid)
        if row is not None and row.get("state") not in ("draft", "cancel"):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
            )


def action_confirm(self: BaseModel) -> bool:
    for rid in self._ids:
        row = self._table.rows.get(rid)
        if row is None:
            raise MissingError(
                f"Record does not exist or has been deleted.\n(Record: {self._name}({rid},), User: {self.env.uid})"
            )
        if row.get("state") not in ("draft", "sent"):
            raise UserError("Some orders are not in a state requiring confirmation.")
        row["state"] = "sale"
        row["date_order"] = _now()
        _create_delivery(self.env, row)
    _touch(self._table)
    return True


def _create_delivery(env: Env, order: dict[str, Any]) -> None:
    """Confirming an order with goods creates its delivery (a stock.picking), as the stock module does."""
    pickings = env.db.table("stock.picking")
    if pickings is None:
        return
    vals: dict[str, Any] = {}
    for name, value in (
        ("origin", order.get("name")),
        ("partner_id", order.get("partner_id")),
        ("sale_id", order["id"]),
        ("state", "assigned"),
    ):
        if name in pickings.fields:
            vals[name] = value
    rid = pickings.next_id
    pickings.next_id += 1
    row = {name: _missing(f) for name, f in pickings.fields.items() if f.get("store", True)}
    row.update(vals)
    row["id"] = rid
    row["display_name"] = row.get("name") or f"WH/OUT/{rid:05d}"
    pickings.rows[rid] = row
    order["picking_ids"] = [*(order.get("picking_ids") or []), rid]
    _touch(pickings)


def context_get(self: BaseModel) -> dict[str, Any]:
    users = self.env.table("res.users")
    partners = self.env.db.table("res.partner")
    row = users.rows.get(self.env.uid, {})
    partner = partners.rows.get(row.get("partner_id") or 0, {}) if partners is not None else {}
    return {
        "lang": partner.get("lang") or "en_US",
        "tz": partner.get("tz") or "Europe/Brussels",
        "uid": self.env.uid,
    }


_COMPUTE: dict[str, Callable[[Env, int], None]] = {
    "res.partner": _partner_compute,
    "product.product": _product_compute,
    "sale.order.line": _order_line_compute,
    "sale.order": _order_compute,
}
_CREATE_HOOKS: dict[str, Callable[[Env, dict[str, Any]], dict[str, Any]]] = {
    "sale.order": _order_create,
    "sale.order.line": _order_line_create,
}
_UNLINK_CHECKS: dict[str, Callable[[Env, list[int]], None]] = {"sale.order": _order_unlink_check}
#: public methods some models add to BaseModel's
MODEL_METHODS: dict[str, dict[str, Callable[..., Any]]] = {
    "sale.order": {"action_confirm": action_confirm},
    "res.users": {"context_get": context_get},
}

#: methods each version removed from, or does not yet have on, BaseModel
_MISSING_BY_VERSION: dict[int, frozenset[str]] = {
    17: frozenset({"has_access", "formatted_read_group"}),
    18: frozenset({"name_get", "formatted_read_group"}),
    19: frozenset({"name_get"}),
}
_PRIVATE_BY_VERSION: dict[int, frozenset[str]] = {19: frozenset({"exists", "search_fetch"})}
_PUBLIC = frozenset(
    {
        "search",
        "search_count",
        "search_read",
        "read",
        "search_fetch",
        "exists",
        "name_get",
        "fields_get",
        "default_get",
        "check_access_rights",
        "has_access",
        "name_search",
        "create",
        "write",
        "unlink",
        "copy",
        "read_group",
        "formatted_read_group",
        "web_search_read",
        "web_read",
    }
)


def resolve_method(env: Env, model: str, method: str) -> tuple[Callable[..., Any], bool]:
    """The function for ``model.method`` and whether it takes ids first; raises Odoo's errors otherwise."""
    major = env.db.major
    env.table(model)  # unknown model -> UserError "Object x doesn't exist"
    if method.startswith("_") or method in _PRIVATE_BY_VERSION.get(major, ()):
        name = method if major < 18 else f"'{model}.{method}'"
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")
    extra = MODEL_METHODS.get(model, {})
    if method in extra:
        return extra[method], method in BaseModel._record_methods
    if method in _PUBLIC and method not in _MISSING_BY_VERSION.get(major, ()):
        func = getattr(BaseModel, method)
        return func, method in BaseModel._record_methods
    if major >= 18:
        raise attribute_error(f"The method '{model}.{method}' does not exist")
    raise attribute_error(f"type object '{model}' has no attribute '{method}'")


def execute_kw(env: Env, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Odoo's ``call_kw``: record methods take ids as their first positional argument."""
    func, takes_ids = resolve_method(env, model, method)
    _check_lang(env)
    args = list(args or [])
    kwargs = dict(kwargs or {})
    kwargs.pop("context", None)
    if method == "name_search" and env.db.major >= 19:
        if "args" in kwargs:
            raise type_error("BaseModel.name_search() got an unexpected keyword argument 'args'")
        if "domain" in kwargs:
            kwargs["args"] = kwargs.pop("domain")
    elif method == "name_search" and "domain" in kwargs:
        raise type_error("BaseModel.name_search() got an unexpected keyword argument 'domain'")
    if method == "default_get" and "fields" in kwargs:
        kwargs["fields_list"] = kwargs.pop("fields")
    if takes_ids:
        if not args:
            raise type_error(f"{model}.{method}() missing 1 required positional argument: 'ids'")
        ids = args.pop(0)
        ids = [ids] if isinstance(ids, int) else list(ids or [])
    else:
        ids = []
    recs = BaseModel(env, model, ids)
    try:
        return func(recs, *args, **kwargs)
    except TypeError as exc:
        if isinstance(exc, EmulatedError):
            raise
        raise type_error(str(exc).replace("action_confirm()", "SaleOrder.action_confirm()")) from None


def execute_named(env: Env, model: str, method: str, named: dict[str, Any]) -> Any:
    """JSON-2: named arguments only, ``ids`` for record methods."""
    from ._exceptions import UnprocessableEntity

    func, takes_ids = resolve_method(env, model, method)
    _check_lang(env)
    named = dict(named)
    named.pop("context", None)
    ids = named.pop("ids", None)
    if ids is not None and not takes_ids:
        raise UnprocessableEntity(f"cannot call {model}.{method} with ids")
    if method == "default_get" and "fields" in named:
        named["fields_list"] = named.pop("fields")
    if method == "name_search" and "domain" in named:
        named["args"] = named.pop("domain")
    recs = BaseModel(env, model, list(ids or []))
    import inspect

    try:
        inspect.signature(func).bind(recs, **named)
    except TypeError as exc:
        text = str(exc).replace("'fields_list'", "'fields'")
        if method == "search_read" and "unexpected keyword" in text:
            pass  # search_read accepts **read_kwargs: Odoo fails later, in _read_format
        else:
            raise UnprocessableEntity(text) from None
    return func(recs, **named)


def _check_lang(env: Env) -> None:
    lang = env.context.get("lang")
    if lang and lang not in _LANGS and env.db.major >= 18:
        raise UserError(f"Invalid language code: {lang}")


def month_bounds(value: str) -> tuple[str, str]:
    d = dt.date.fromisoformat(value[:10])
    last = calendar.monthrange(d.year, d.month)[1]
    start = d.replace(day=1)
    end = d.replace(day=last) + dt.timedelta(days=1)
    return start.isoformat(), end.isoformat()
