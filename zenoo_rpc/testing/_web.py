"""The web client's reads: ``web_search_read`` and ``web_read`` with a field ``specification`` (Odoo 17+).

A specification maps field names to what to read of them: ``{}`` for the value itself (a many2one is then its
id), ``{"fields": {...}}`` for related records read with their own specification (a many2one becomes a dict
with ``id``, an x2many a list of dicts), plus ``order``, ``limit`` (x2many) and ``context``. The rules are
those of ``addons/web/models/models.py`` of Odoo 17.0, 18.0 and 19.0:

- the records are read with ``load=None`` (many2one as an id); a spec of only ``id`` reads nothing;
- a many2one's ``display_name`` is computed as superuser, its other fields are read as the user;
- an x2many ``order`` searches the related ids again in that order (17.0 without ``active_test=False``,
  so archived related records drop out; 18.0+ keeps them); its ``limit`` reads only the first ids of each
  record, the others stay ``{"id": n}``;
- ``length`` is ``offset + len(records)`` unless the page is full (``len == limit``) and ``count_limit`` is
  not reached yet: then it is ``search_count(domain, limit=count_limit)``; an empty page has length 0;
  the context key ``force_search_count`` forces the count when a limit is given.
"""

from __future__ import annotations

from typing import Any

from ._env import Env, row_count
from ._exceptions import type_error

__all__ = ["web_read", "web_search_read"]


def web_search_read(
    env: Env,
    model: str,
    domain: Any,
    specification: Any,
    offset: int = 0,
    limit: int | None = None,
    order: str | None = None,
    count_limit: int | None = None,
) -> dict[str, Any]:
    spec = _check_spec(specification)
    env.check_access(model, "read")
    # the domain, offset and limit as search_fetch takes them (their checks are the ORM's, in search_ids)
    offset, limit = row_count(offset, "OFFSET"), row_count(limit, "LIMIT") or None
    ids = env.search_ids(model, domain, order=order, offset=offset, limit=limit)
    records = web_read(env, model, ids, spec)
    if not records:
        return {"length": 0, "records": []}
    current = len(records) + (offset or 0)
    limit_reached = len(records) == limit
    count_limit_reached = bool(count_limit) and count_limit is not None and count_limit <= current
    if limit and ((limit_reached and not count_limit_reached) or env.context.get("force_search_count")):
        length = len(env.search_ids(model, domain, limit=count_limit or None))
    else:
        length = current
    return {"length": length, "records": records}


def _check_spec(specification: Any) -> dict[str, Any]:
    if not isinstance(specification, dict):
        # Odoo iterates specification.keys() / .items(): anything but a dict fails the same way
        raise type_error(f"'{type(specification).__name__}' object has no attribute 'keys'")
    return specification


def web_read(env: Env, model: str, ids: list[int], specification: Any) -> list[dict[str, Any]]:
    spec = _check_spec(specification)
    env.check_access(model, "read")
    names = list(spec) or ["id"]
    if names == ["id"]:
        values = [{"id": i} for i in ids]
    else:
        values = env.read_rows(model, ids, names, "_classic_write")
    if not values:
        return values
    table = env.table(model)
    for name, sub in spec.items():
        field = table.fields.get(name)
        if field is None:
            continue
        sub = sub or {}
        ftype = field.get("type")
        if ftype == "many2one":
            if "fields" in sub:
                _many2one(env, field["relation"], values, name, sub)
        elif ftype in ("one2many", "many2many") and sub:
            _x2many(env, field["relation"], values, name, sub)
    return values


def _with_context(env: Env, sub: dict[str, Any]) -> Env:
    extra = sub.get("context")
    if not isinstance(extra, dict) or not extra:
        return env
    return Env(env.db, env.user, {**env.context, **extra}, rules=env.rules)


def _many2one(env: Env, relation: str, values: list[dict[str, Any]], name: str, sub: dict[str, Any]) -> None:
    wanted = dict(sub["fields"] or {})
    want_name = "display_name" in wanted
    wanted.pop("display_name", None)
    ids = list(dict.fromkeys(v[name] for v in values if v[name]))
    co_env = _with_context(env, sub)
    data = {row["id"]: row for row in web_read(co_env, relation, ids, wanted)}
    if want_name:
        for rid in ids:
            if rid in data:  # as superuser, like Odoo's sudo()
                data[rid]["display_name"] = env.db.display_name(relation, rid)
    for v in values:
        if v[name] is not False:
            v[name] = data.get(v[name], {"id": v[name]})


def _x2many(env: Env, relation: str, values: list[dict[str, Any]], name: str, sub: dict[str, Any]) -> None:
    co_ids = list(dict.fromkeys(i for v in values for i in v[name]))
    order = sub.get("order")
    if order and co_ids:
        active_test = None if env.db.major < 18 else False
        ranked = env.search_ids(relation, [("id", "in", co_ids)], active_test=active_test, order=order)
        rank = {rid: n for n, rid in enumerate(ranked)}
        for v in values:
            v[name] = sorted((i for i in v[name] if i in rank), key=rank.__getitem__)
    if "fields" not in sub:
        return
    limit = sub.get("limit")
    if limit is not None:
        to_read = list(dict.fromkeys(i for v in values for i in v[name][:limit]))
    else:
        to_read = list(dict.fromkeys(i for v in values for i in v[name]))
    co_env = _with_context(env, sub)
    data = {row["id"]: row for row in web_read(co_env, relation, to_read, sub["fields"] or {})}
    for v in values:
        v[name] = [data.get(i) or {"id": i} for i in v[name]]
