"""The emulator's ORM: Odoo's public model methods, with Odoo's signatures, rules and error messages.

It knows no model of its own: what a model adds (defaults, constraints, computed values, hooks, methods) it
asks of ``env.rules``, the business rules the server plugs into every environment (``_business``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ._env import _LANGS, Env, User, _invalid_field, _missing, _now, _touch, as_list, browse_ids
from ._exceptions import (
    AccessError,
    EmulatedError,
    MissingError,
    NotEmulated,
    UserError,
    ValidationError,
    attribute_error,
    pg_error,
    type_error,
    value_error,
)
from ._store import Database, Table
from ._web import web_read, web_search_read

__all__ = ["BaseModel", "Env", "User"]


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
        return self.env.search_ids(self._name, domain, order=order, offset=offset, limit=limit)

    def search_count(self, domain: Any, limit: int | None = None) -> int:
        self.env.check_access(self._name, "read")
        return len(self.env.search_ids(self._name, domain, limit=limit))

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
        ids = self.env.search_ids(self._name, domain or [], order=order, offset=offset, limit=limit)
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
        """Odoo's ``fields_get``: every field unless ``allfields`` names some; each with the attributes named
        by ``attributes`` (all when None, none when empty), as Odoo tests them (``attr in attributes``)."""
        out = {}
        for name, desc in self._table.fields.items():
            if allfields and not _contains(allfields, name):
                continue
            out[name] = {k: v for k, v in desc.items() if attributes is None or _contains(attributes, k)}
        return out

    def default_get(self, fields_list: list[str]) -> dict[str, Any]:
        defaults = _defaults(self.env, self._name)
        return {f: defaults[f] for f in as_list(fields_list) if isinstance(f, str) and f in defaults}

    def name_create(self, name: Any) -> Any:
        """Odoo's ``name_create``: a record whose ``_rec_name`` is ``name``; ``[id, display_name]``, or False
        for a model without a name field."""
        if "name" not in self._table.fields:
            return False
        rid = self.create({"name": name})
        return [rid, self.env.db.display_name(self._name, rid)]

    def action_archive(self) -> Any:
        """Archives the active records among these (17/18: ``toggle_active()``, which answers None; 19: a
        ``write`` of ``active=False``, which answers True)."""
        return self._set_active(False)

    def action_unarchive(self) -> Any:
        return self._set_active(True)

    def _set_active(self, value: bool) -> Any:
        if "active" not in self._table.fields:
            if not self._ids:
                return None if self.env.db.major < 19 else True
            raise type_error("tuple indices must be integers or slices, not NoneType")
        gone = [rid for rid in self._ids if rid not in self._table.rows]
        if gone:
            raise _missing_error(self.env, self._name, gone)
        todo = [rid for rid in self._ids if bool(self._table.rows[rid].get("active")) != value]
        if todo:
            BaseModel(self.env, self._name, todo).write({"active": value})
        return None if self.env.db.major < 19 else True

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

    def toggle_active(self) -> None:
        """17/18: inverts ``active`` on these records (removed in 19)."""
        if "active" not in self._table.fields:
            if self._ids:
                raise type_error("tuple indices must be integers or slices, not NoneType")
            return None
        gone = [rid for rid in self._ids if rid not in self._table.rows]
        if gone:
            raise _missing_error(self.env, self._name, gone)
        active = [rid for rid in self._ids if self._table.rows[rid].get("active")]
        inactive = [rid for rid in self._ids if rid not in active]
        if active:
            BaseModel(self.env, self._name, active).write({"active": False})
        if inactive:
            BaseModel(self.env, self._name, inactive).write({"active": True})
        return None

    def name_search(
        self, name: str = "", args: list[Any] | None = None, operator: str = "ilike", limit: int = 100
    ) -> list[list[Any]]:
        ids = self.env.name_search_ids(self._name, name, operator, args or [], limit)
        return [[i, self.env.db.display_name(self._name, i)] for i in ids]

    # -- write ------------------------------------------------------------------------------------------
    def create(self, vals_list: Any) -> Any:
        self.env.check_access(self._name, "create")
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else as_list(vals_list)
        ids = [_create_one(self.env, self._name, vals) for vals in items]
        return ids[0] if single else ids

    def write(self, vals: dict[str, Any]) -> bool:
        self.env.check_access(self._name, "write")
        if not isinstance(vals, dict):
            raise attribute_error(f"'{type(vals).__name__}' object has no attribute 'items'")
        gone = [rid for rid in self._ids if rid not in self._table.rows]
        if gone:
            raise _missing_error(self.env, self._name, gone)
        _write(self.env, self._name, self._ids, vals)
        return True

    def unlink(self) -> bool:
        self.env.check_access(self._name, "unlink")
        gone = [rid for rid in self._ids if rid not in self._table.rows]
        if gone:  # the model's ondelete checks read the records first, and fail on the ones gone
            raise _missing_error(self.env, self._name, gone)
        hook = self.env.rules.UNLINK_CHECKS.get(self._name)
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
        """17: one record (``ensure_one``), its new id; 18+: any records, the list of new ids. A record gone is
        a MissingError (``copy_data`` reads it)."""
        if self.env.db.major < 18 and len(self._ids) != 1:
            raise value_error(f"Expected singleton: {self._name}{tuple(self._ids)!r}")
        gone = [rid for rid in self._ids if rid not in self._table.rows]
        if gone:
            raise _missing_error(self.env, self._name, gone)
        if default is not None and not isinstance(default, dict):
            raise attribute_error(f"'{type(default).__name__}' object has no attribute 'items'")
        new_ids = []
        for rid in self._ids:
            row = self._table.rows[rid]
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
        return new_ids[0]

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
        return web_search_read(self.env, self._name, domain, specification, offset, limit, order, count_limit)

    def web_read(self, specification: dict[str, Any]) -> list[dict[str, Any]]:
        return web_read(self.env, self._name, self._ids, specification)


def _contains(container: Any, item: str) -> bool:
    """``item in container`` as Odoo's Python evaluates it on an argument (a string tests substrings)."""
    if isinstance(container, (list, tuple, str, dict)):
        return item in container
    raise type_error(f"argument of type '{type(container).__name__}' is not iterable")


def _defaults(env: Env, model: str) -> dict[str, Any]:
    table = env.table(model)
    out: dict[str, Any] = {}
    if "active" in table.fields:
        out["active"] = True
    out.update(env.rules.defaults(env, model))
    for key, value in env.context.items():
        if key.startswith("default_") and key[8:] in table.fields:
            out[key[8:]] = value
    return out


def _python(call: Callable[[], Any]) -> Any:
    """Run the conversion Odoo's field runs on a value; its Python error is Odoo's answer."""
    try:
        return call()
    except (TypeError, ValueError) as exc:
        raise EmulatedError(str(exc), f"builtins.{type(exc).__name__}") from None


def _convert(env: Env, model: str, table: Table, name: str, value: Any, *, creating: bool = False) -> Any:
    """A value as the field stores it. Writes convert it like the field's ``convert_to_cache``; a create
    sends text for dates and many2ones to PostgreSQL as it is (``convert_to_column``), so PostgreSQL's errors
    answer there."""
    field = table.fields.get(name)
    if field is None:
        raise value_error(_invalid_field(env.db.major, name, model))
    ftype = field["type"]
    if value is None:
        value = False
    if ftype == "integer":
        return _python(lambda: int(value or 0))
    if ftype in ("float", "monetary"):
        return _python(lambda: float(value or 0.0))
    if ftype == "selection" and value is not False:
        keys = [k for k, _ in field.get("selection") or []]
        if keys and value not in keys:
            raise value_error(f"Wrong value for {model}.{name}: {value!r}")
    if ftype in ("char", "text", "html") and value is not False and not isinstance(value, str):
        return str(value)
    if ftype in ("date", "datetime") and value:
        return _date_value(ftype, value, creating)
    if ftype == "many2one":
        if type(value) is not int and value is not False:
            if creating and isinstance(value, str):
                raise pg_error(
                    "InvalidTextRepresentation", f'invalid input syntax for type integer: "{value}"'
                )
            raise value_error(f"Wrong value for {model}.{name}: {value!r}")
        if value:
            relation = field.get("relation", "")
            target = env.db.table(relation)
            if target is not None and value not in target.rows:
                raise _fk_error(env, model, name, field)
        return value or False
    if ftype == "boolean":
        return bool(value)
    return value


def _date_value(ftype: str, value: Any, creating: bool) -> str:
    if creating and isinstance(value, str):
        from ._domain import _pg_cast

        text = str(_pg_cast({"type": ftype}, value))
        return text[:10] if ftype == "date" else (text + " 00:00:00" if len(text) == 10 else text[:19])
    if ftype == "date":  # Date.to_date: the first 10 characters, as %Y-%m-%d
        day = _python(lambda: dt.datetime.strptime(value[:10], "%Y-%m-%d"))
        return str(day.strftime("%Y-%m-%d"))
    # Datetime.to_datetime: a date alone is midnight
    moment = _python(
        lambda: dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S" if len(value) > 10 else "%Y-%m-%d")
    )
    return str(moment.strftime("%Y-%m-%d %H:%M:%S"))


def _missing_error(env: Env, model: str, ids: list[Any]) -> EmulatedError:
    """Odoo's MissingError for records gone (``(Record: res.partner(65, 66), User: 2)``)."""
    return MissingError(
        f"Record does not exist or has been deleted.\n(Record: {model}{tuple(ids)!r}, User: {env.uid})"
    )


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
    if not isinstance(commands, (list, tuple)):
        if not commands:
            return [], later
        # fields.py _RelationalMulti.convert_to_cache: anything but a list of commands, dicts or ids
        raise value_error(f"Wrong value for {model}.{name}: {commands}")
    if commands and all(type(c) is int for c in commands):  # a plain list of ids
        commands = [(6, 0, commands)]
    for cmd in commands:
        if isinstance(cmd, dict):  # a dict creates a new record, like (0, 0, values)
            cmd = (0, 0, cmd)
        elif not isinstance(cmd, (list, tuple)):
            if type(cmd) is not int:
                raise value_error(f"Wrong value for {model}.{name}: {commands}")
            cmd = (4, cmd)  # a bare id links the record
        code, args = _command(cmd)
        if code == 0:
            vals = args[2] or {}
            if not isinstance(vals, dict):
                raise attribute_error(f"'{type(vals).__name__}' object has no attribute 'items'")
            vals = dict(vals)
            inverse = field.get("relation_field")
            if field["type"] == "one2many" and inverse:

                def create_child(owner_id: int, vals: dict[str, Any] = vals, inverse: str = inverse) -> None:
                    # the child's many2one to the owner puts it in the owner's one2many (_sync_inverse)
                    _create_one(env, relation, {**vals, inverse: owner_id})

                later.append(create_child)
            else:
                ids.append(_create_one(env, relation, vals))
        elif code == 1:
            values = args[2] or {}
            if not isinstance(values, dict):
                raise attribute_error(f"'{type(values).__name__}' object has no attribute 'items'")
            _write(env, relation, browse_ids(args[1]), dict(values))
        elif code == 2:
            BaseModel(env, relation, browse_ids(args[1])).unlink()
            ids = [i for i in ids if i != args[1]]
        elif code == 3:
            ids = [i for i in ids if i != args[1]]
        elif code == 4:
            if args[1] not in ids:
                ids.append(args[1])
        elif code == 5:
            ids = []
        elif code == 6:
            ids = list(dict.fromkeys(browse_ids(args[2])))
        # any other code: Odoo's commands loop has no branch for it, and ignores it
    return _order_ids(env, relation, ids), later


#: how many items each x2many command reads (CREATE/UPDATE/SET read command[2], the others command[1])
_COMMAND_ARITY = {0: 3, 1: 3, 2: 2, 3: 2, 4: 2, 5: 1, 6: 3}


def _command(cmd: Any) -> tuple[Any, list[Any]]:
    """An x2many command's code and items, with Python's IndexError where Odoo reads past a short one."""
    items = list(cmd)
    if not items:
        raise EmulatedError("list index out of range", "builtins.IndexError")
    code = items[0]
    if isinstance(code, (list, dict)):
        return None, items
    if len(items) < _COMMAND_ARITY.get(code, 1):
        raise EmulatedError("list index out of range", "builtins.IndexError")
    if code in (1, 2, 3, 4) and isinstance(items[1], (list, dict)):
        raise type_error(f"unhashable type: '{type(items[1]).__name__}'")
    return code, items


def _order_ids(env: Env, model: str, ids: list[int]) -> list[int]:
    rank = env.rank_of(model)
    if not rank:
        return ids
    return sorted(ids, key=lambda i: rank.get(i, len(rank) + i))


def _empty_row(table: Table) -> dict[str, Any]:
    """Every stored field's empty value, for a new record (the template is built once per table; its lists
    are fresh for each record)."""
    cached: tuple[dict[str, Any], tuple[str, ...]] | None = getattr(table, "_empty_row", None)
    if cached is None:
        empty = {n: _missing(f) for n, f in table.fields.items() if f.get("store", True)}
        cached = (empty, tuple(n for n, v in empty.items() if isinstance(v, list)))
        table._empty_row = cached  # type: ignore[attr-defined]
    empty, lists = cached
    return {**empty, **{n: [] for n in lists}}


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
        hook = env.rules.CREATE_HOOKS.get(model)
        if hook is not None:
            merged = hook(env, merged)
        later: list[Callable[[int], None]] = []
        for name, value in merged.items():
            field = table.fields[name]
            if field["type"] in ("one2many", "many2many"):
                row[name], actions = _x2many_commands(env, model, table, name, [], value, None)
                later.extend(actions)
            else:
                row[name] = _convert(env, model, table, name, value, creating=True)
        row = {**_empty_row(table), **row}
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
                raise _missing_error(env, model, [rid])
            old = dict(row)
            new = dict(row)
            shape = env.rules.WRITE_VALUES.get(model)
            if shape is not None:
                vals = shape(env, row, vals)
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
            after = env.rules.AFTER_WRITE.get(model)
            if after is not None:
                after(env, row, vals)
            for action in later:
                action(rid)
            _sync_inverse(env, model, table, row, old)
            _recompute(env, model, rid)
        _touch(table)


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
    env.rules.check_record(env, model, row)


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
    hook = env.rules.COMPUTE.get(model)
    if hook is not None:
        hook(env, rid)
    else:
        table = env.table(model)
        row = table.rows[rid]
        if "display_name" in table.fields and isinstance(row.get("name"), str):
            row["display_name"] = row["name"]


# -- which public methods a model answers --------------------------------------------------------------------

#: methods each version removed from, or does not yet have on, BaseModel
_MISSING_BY_VERSION: dict[int, frozenset[str]] = {
    17: frozenset({"has_access", "formatted_read_group"}),
    18: frozenset({"name_get", "formatted_read_group"}),
    19: frozenset({"name_get", "toggle_active"}),
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
        "name_create",
        "action_archive",
        "action_unarchive",
        "toggle_active",
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
    extra = env.rules.MODEL_METHODS.get(model, {})
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
        ids = browse_ids(args.pop(0))
    else:
        ids = []
    recs = BaseModel(env, model, ids)
    try:
        return func(recs, *args, **kwargs)
    except EmulatedError:
        raise
    except TypeError as exc:
        if exc.__traceback__ is not None and exc.__traceback__.tb_next is None:
            # raised by the call itself, binding the arguments: Odoo's own TypeError for the same call
            raise type_error(str(exc).replace("action_confirm()", "SaleOrder.action_confirm()")) from None
        raise NotEmulated.from_internal(model, method, exc) from exc
    except Exception as exc:  # RecursionError, KeyError... inside the emulator: never Odoo's answer
        raise NotEmulated.from_internal(model, method, exc) from exc


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
    recs = BaseModel(env, model, browse_ids(ids))
    import inspect

    try:
        inspect.signature(func).bind(recs, **named)
    except TypeError as exc:
        text = str(exc).replace("'fields_list'", "'fields'")
        if method == "search_read" and "unexpected keyword" in text:
            pass  # search_read accepts **read_kwargs: Odoo fails later, in _read_format
        else:
            raise UnprocessableEntity(text) from None
    try:
        return func(recs, **named)
    except EmulatedError:
        raise
    except Exception as exc:  # inside the emulator: never Odoo's answer
        raise NotEmulated.from_internal(model, method, exc) from exc


def _check_lang(env: Env) -> None:
    lang = env.context.get("lang")
    if lang and lang not in _LANGS and env.db.major >= 18:
        raise UserError(f"Invalid language code: {lang}")
