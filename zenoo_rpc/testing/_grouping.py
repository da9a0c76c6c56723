"""``read_group`` (17/18, deprecated on 19) and ``formatted_read_group`` (19) over the emulator's rows."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import TYPE_CHECKING, Any

from . import _domain
from ._env import as_list, row_count
from ._exceptions import attribute_error, pg_error, type_error, value_error

if TYPE_CHECKING:
    from ._env import Env

__all__ = ["formatted_read_group", "read_group"]

#: fields with a group_expand on Odoo 19 (every value gets a group in a lazy read_group)
_GROUP_EXPAND = {("sale.order", "state")}

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


#: the granularities a date/datetime group accepts (``READ_GROUP_TIME_GRANULARITY``)
_GRANULARITIES = ("hour", "day", "week", "month", "quarter", "year")


def _us_week(d: dt.date) -> tuple[int, int]:
    """Babel's ``w``/``YYYY`` for en_US (the only language the demo has): weeks start on Sunday and week 1
    is the one holding January 1st, so the last days of December may be week 1 of the next year."""
    sunday = d - dt.timedelta(days=(d.weekday() + 1) % 7)
    next_jan1 = dt.date(d.year + 1, 1, 1)
    if sunday + dt.timedelta(days=6) >= next_jan1:
        return 1, d.year + 1
    jan1 = dt.date(d.year, 1, 1)
    first = jan1 - dt.timedelta(days=(jan1.weekday() + 1) % 7)
    return (sunday - first).days // 7 + 1, d.year


def _bucket(ftype: str, value: Any, granularity: str) -> tuple[Any, str, str, str] | None:
    """(sort key, label, from, to) of a date/datetime value's group; labels in Odoo's display formats
    (``READ_GROUP_DISPLAY_FORMAT``: ``hh:00 dd MMM``, ``dd MMM yyyy``, ``'W'w YYYY``, ``MMMM yyyy``,
    ``QQQ yyyy``, ``yyyy``), periods as PostgreSQL's ``date_trunc`` cuts them (weeks start on Monday)."""
    if not value:
        return None
    d = dt.date.fromisoformat(str(value)[:10])
    fmt = "%Y-%m-%d %H:%M:%S" if ftype == "datetime" else "%Y-%m-%d"
    if granularity == "hour":
        text = str(value)
        hour = int(text[11:13]) if ftype == "datetime" and len(text) >= 13 else 0
        begin = dt.datetime(d.year, d.month, d.day, hour)
        label = f"{(hour % 12) or 12:02d}:00 {d.strftime('%d')} {_MONTHS[d.month - 1][:3]}"
        stop = begin + dt.timedelta(hours=1)
        return begin, label, begin.strftime(fmt), stop.strftime(fmt)
    if granularity == "day":
        start, end = d, d + dt.timedelta(days=1)
        label = f"{d.strftime('%d')} {_MONTHS[d.month - 1][:3]} {d.year}"
    elif granularity == "week":
        start = d - dt.timedelta(days=d.weekday())
        week, year = _us_week(start)
        end, label = start + dt.timedelta(days=7), f"W{week} {year}"
    elif granularity == "quarter":
        q = (d.month - 1) // 3
        start = d.replace(month=q * 3 + 1, day=1)
        end = start.replace(year=start.year + 1, month=1) if q == 3 else start.replace(month=q * 3 + 4)
        label = f"Q{q + 1} {d.year}"
    elif granularity == "year":
        start, end, label = d.replace(month=1, day=1), d.replace(year=d.year + 1, month=1, day=1), str(d.year)
    else:
        start = d.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1) if d.month == 12 else start.replace(month=d.month + 1)
        )
        label = f"{_MONTHS[d.month - 1]} {d.year}"
    begin = dt.datetime(start.year, start.month, start.day)
    stop = dt.datetime(end.year, end.month, end.day)
    return begin, label, begin.strftime(fmt), stop.strftime(fmt)


def _group_spec(env: Env, model: str, spec: Any) -> tuple[str, str, str, dict[str, Any]]:
    if not isinstance(spec, str):
        raise type_error(f"expected string or bytes-like object, got '{type(spec).__name__}'")
    name, _, granularity = spec.partition(":")
    table = env.table(model)
    field = table.fields.get(name)
    if field is None:
        raise value_error(f"Invalid field {name!r} on model {model!r}")
    if field["type"] in ("date", "datetime"):
        granularity = granularity or "month"
        if granularity not in _GRANULARITIES:
            raise value_error(f"Invalid granularity {granularity!r} for {model}.{name}")
    elif granularity:
        raise value_error(f"Granularity set on a no-datetime field or property: {spec!r}")
    if field["type"] in ("properties", "properties_definition", "json", "binary"):
        raise value_error(f"Grouping by the {field['type']} field {model}.{name} is not supported: {spec!r}")
    if not field.get("groupable", field.get("store", True) and field["type"] != "one2many"):
        raise value_error(f"Cannot convert {model}.{name} to SQL because it is not stored")
    return spec, name, granularity, field


def _groupby_list(groupby: list[Any]) -> list[str]:
    """Group specs are strings (Odoo matches each with a regular expression)."""
    for spec in groupby:
        if not isinstance(spec, str):
            raise type_error(f"expected string or bytes-like object, got '{type(spec).__name__}'")
    return groupby


#: read_group's field specs: ``field``, ``field:agg`` or ``alias:agg(field)`` (``regex_field_agg``)
_FIELD_AGG = re.compile(r"^(\w+)(?::(\w+)(?:\((\w+)\))?)?$")


def _groups(
    env: Env, model: str, domain: Any, groupby: list[str]
) -> tuple[list[Any], dict[tuple[Any, ...], list[dict[str, Any]]], dict[tuple[Any, ...], list[Any]]]:
    table = env.table(model)
    ids = env.search_ids(model, domain or [], order="id")
    specs = [_group_spec(env, model, g) for g in groupby]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    info: dict[tuple[Any, ...], list[Any]] = {}
    for rid in ids:
        row = table.rows[rid]
        choices: list[list[tuple[Any, Any]]] = []
        for spec, name, granularity, field in specs:
            value = row.get(name)
            if field["type"] in ("date", "datetime"):
                b = _bucket(field["type"], value, granularity)
                choices.append([(b[0] if b else None, (spec, name, field, b))])
            elif field["type"] == "many2many":  # a record is in the group of each of its related records
                related = list(value or []) or [False]
                choices.append([(i, (spec, name, field, i)) for i in related])
            else:
                value = False if value is None else value
                choices.append([(value, (spec, name, field, value))])
        for combination in itertools.product(*choices):
            k = tuple(part for part, _ in combination)
            groups.setdefault(k, []).append(row)
            info.setdefault(k, [d for _, d in combination])
    return specs, groups, info


#: PostgreSQL's names of the column types of Odoo's fields, for its errors
_SQL_TYPES = {
    "char": "character varying",
    "selection": "character varying",
    "text": "text",
    "html": "text",
    "boolean": "boolean",
    "date": "date",
    "datetime": "timestamp without time zone",
    "many2one": "integer",
    "integer": "integer",
    "float": "numeric",
    "monetary": "numeric",
}
_NUMERIC_ONLY = frozenset({"sum", "avg"})
_AGGREGATES = frozenset(
    {"sum", "avg", "max", "min", "count", "count_distinct", "array_agg", "bool_and", "bool_or"}
)


def _check_aggregate(model: str, name: str, field: dict[str, Any], func: str) -> None:
    """Odoo refuses an unknown aggregate function; PostgreSQL an aggregate its column type has not."""
    if func not in _AGGREGATES:
        raise value_error(f"Invalid aggregation function {func!r}.")
    ftype = field.get("type", "")
    if func in _NUMERIC_ONLY and ftype not in ("integer", "float", "monetary"):
        sql_type = _SQL_TYPES.get(ftype, ftype)
        raise pg_error(
            "UndefinedFunction",
            f"function {func}({sql_type}) does not exist\nHINT:  No function matches the given name and "
            "argument types. You might need to add explicit type casts.",
        )
    if func in ("bool_and", "bool_or") and ftype != "boolean":
        sql_type = _SQL_TYPES.get(ftype, ftype)
        raise pg_error("UndefinedFunction", f"function {func}({sql_type}) does not exist")


def _aggregate(rows: list[dict[str, Any]], name: str, func: str) -> Any:
    values = [r.get(name) for r in rows]
    nums = [v for v in values if v not in (False, None)]
    if func == "sum":
        return round(sum(float(v) for v in nums), 10) if nums else (False if not rows else 0.0)
    if func == "avg":
        return sum(nums) / len(nums) if nums else False
    if func == "max":
        return max(nums) if nums else False
    if func == "min":
        return min(nums) if nums else False
    if func in ("count", "count_distinct"):
        return len(set(nums)) if func == "count_distinct" else len(nums)
    if func == "array_agg":
        return values
    if func in ("bool_and", "bool_or"):
        return all(values) if func == "bool_and" else any(values)
    raise value_error(f"Invalid aggregation function {func!r}.")


def _value_and_cond(
    env: Env, spec: str, name: str, field: dict[str, Any], value: Any, formatted: bool
) -> tuple[Any, list[Any], Any]:
    if field["type"] in ("date", "datetime"):
        if value is None:
            return False, [[name, "=", False]], None
        _start, label, frm, to = value
        cond = [[name, ">=", frm], [name, "<", to]]
        return ([frm, label] if formatted else label), cond, {"from": frm, "to": to}
    if field["type"] in ("many2one", "many2many"):
        if not value:
            return False, [[name, "=", False]], None
        return [value, env.db.display_name(field.get("relation", ""), value)], [[name, "=", value]], None
    return value, [[name, "=", value]], None


def _and(parts: list[list[Any]]) -> list[Any]:
    leaves: list[Any] = []
    for p in parts:
        leaves.extend(p)
    if len(leaves) <= 1:
        return leaves
    if any(isinstance(x, str) for x in leaves):
        return ["&"] * (len(parts) - 1) + leaves
    return ["&"] * (len(leaves) - 1) + leaves


def _sort_groups(
    env: Env, model: str, rows: list[dict[str, Any]], order: str | None, keys: list[str]
) -> list[dict[str, Any]]:
    terms: list[tuple[str, bool]] = []
    if order and not isinstance(order, str):  # Odoo splits the order on commas
        raise attribute_error(f"'{type(order).__name__}' object has no attribute 'split'")
    for part in (order or "").split(","):
        part = part.strip()
        if part:
            bits = part.split()
            terms.append((bits[0], len(bits) > 1 and bits[1].lower() == "desc"))
    for k in keys:
        if k not in [t[0] for t in terms]:
            terms.append((k, False))
    table = env.table(model)
    for key, desc in reversed(terms):
        name = key.split(":")[0]
        field = table.fields.get(name, {})
        rank = env.rank_of(field.get("relation", "")) if field.get("type") == "many2one" else None

        def sort_key(r: dict[str, Any], key: str = key, rank: dict[int, int] | None = rank) -> Any:
            v = r.get(key)
            if rank is not None:
                return (1, 0) if not v else (0, rank.get(v[0], v[0]))
            if isinstance(v, list):
                v = v[0]
            return (1, "") if v in (False, None) else (0, v)

        rows.sort(key=sort_key, reverse=desc)
    return rows


def read_group(
    env: Env,
    model: str,
    domain: Any,
    fields: list[str],
    groupby: Any,
    offset: int,
    limit: int | None,
    orderby: Any,
    lazy: bool,
) -> list[dict[str, Any]]:
    groupby = _groupby_list([groupby] if isinstance(groupby, str) else as_list(groupby or []))
    offset, limit = row_count(offset, "OFFSET"), row_count(limit, "LIMIT") or None
    used = groupby[:1] if lazy else groupby
    table = env.table(model)
    aggs = []
    for spec in as_list(fields or []):
        if not isinstance(spec, str):
            raise type_error(f"expected string or bytes-like object, got '{type(spec).__name__}'")
        found = _FIELD_AGG.match(spec)
        if not found:
            raise value_error(f"Invalid field specification {spec!r}.")
        agg_key, func, fname = found.group(1), found.group(2) or "", found.group(3) or found.group(1)
        if fname in groupby or fname == "__count":
            continue
        field = table.fields.get(fname)
        if field is None:
            raise value_error(f"Invalid field {fname!r} on model {model!r}")
        func = func or field.get("aggregator") or field.get("group_operator") or ""
        if func:
            _check_aggregate(model, fname, field, func)
            aggs.append((agg_key, fname, func))
    _specs, groups, info = _groups(env, model, domain, used)
    expand = lazy and used and env.db.major >= 19 and (model, used[0]) in _GROUP_EXPAND
    if expand:  # group_expand: every selection value gets a group, in selection order
        field = table.fields[used[0]]
        keys = [k for k, _ in field.get("selection") or []]
        for value in keys:
            if (value,) not in groups:
                groups[(value,)] = []
                info[(value,)] = [(used[0], used[0], field, value)]
        groups = {(k,): groups[(k,)] for k in keys if (k,) in groups}
    base = _domain.normalize(env, model, domain or [])
    out = []
    for key, rows in groups.items():
        row: dict[str, Any] = {}
        conds: list[list[Any]] = []
        ranges: dict[str, Any] = {}
        for spec, name, field, value in info[key]:
            shown, cond, rng = _value_and_cond(env, spec, name, field, value, formatted=False)
            row[spec] = shown
            conds.append(cond)
            if rng:
                ranges[spec] = rng
        if lazy and used:
            row[f"{used[0].split(':')[0]}_count"] = len(rows)
        else:
            row["__count"] = len(rows)
        for agg_key, fname, func in aggs:
            row[agg_key] = _aggregate(rows, fname, func)
        row["__domain"] = _and(([list(map(list, base))] if base else []) + conds)
        if ranges:
            row["__range"] = ranges
        if lazy and len(groupby) > 1:
            row["__context"] = {"group_by": groupby[1:]}
        row["_sort"] = {
            spec: (
                row[spec]
                if not isinstance(row[spec], str) or info[key][i][2]["type"] not in ("date", "datetime")
                else info[key][i][3][2]
                if info[key][i][3]
                else False
            )
            for i, (spec, *_r) in enumerate(info[key])
        }
        out.append(row)
    sortable = []
    for row in out:
        s = dict(row.pop("_sort"))
        s.update({k: v for k, v in row.items() if k not in s})
        sortable.append((s, row))
    order = orderby or None
    if expand and not order:
        result = [r for _, r in sortable][offset or 0 :]
        return result[:limit] if limit else result
    ordered_keys = _sort_groups(env, model, [s for s, _ in sortable], order, used)
    index = {id(s): r for s, r in sortable}
    result = [index[id(s)] for s in ordered_keys]
    result = result[offset or 0 :]
    return result[:limit] if limit else result


def formatted_read_group(
    env: Env,
    model: str,
    domain: Any,
    groupby: Any,
    aggregates: Any,
    offset: int,
    limit: int | None,
    order: str | None,
) -> list[dict[str, Any]]:
    groupby = _groupby_list(as_list(groupby or []))
    offset, limit = row_count(offset, "OFFSET"), row_count(limit, "LIMIT") or None
    table = env.table(model)
    _specs, groups, info = _groups(env, model, domain, groupby)
    out = []
    for key, rows in groups.items():
        row: dict[str, Any] = {}
        conds: list[list[Any]] = []
        sort: dict[str, Any] = {}
        for spec, name, field, value in info[key]:
            shown, cond, _ = _value_and_cond(env, spec, name, field, value, formatted=True)
            row[spec] = shown
            sort[spec] = shown
            conds.append(cond)
        for agg in as_list(aggregates or []):
            if agg == "__count":
                row["__count"] = len(rows)
                continue
            if not isinstance(agg, str):
                raise type_error(f"expected string or bytes-like object, got '{type(agg).__name__}'")
            name, _, func = agg.partition(":")
            if name not in table.fields:
                raise value_error(f"Invalid field {name!r} on model {model!r}")
            _check_aggregate(model, name, table.fields[name], func or "sum")
            row[agg] = _aggregate(rows, name, func or "sum")
        row["__extra_domain"] = _and(conds)
        sort.update(row)
        out.append((sort, row))
    ordered = _sort_groups(env, model, [s for s, _ in out], order, groupby)
    index = {id(s): r for s, r in out}
    result = [index[id(s)] for s in ordered]
    result = result[offset or 0 :]
    return result[:limit] if limit else result
