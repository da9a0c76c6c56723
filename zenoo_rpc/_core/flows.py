"""Every multi-step operation, written once as a generator of effects that both drivers run.

A flow yields :class:`RequestSpec` (and receives a :class:`RawResponse`), :class:`Sleep`, :class:`Parallel`
and cache effects; transport errors are thrown back into it so that retry decisions live here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from .connection import Connection
from .errors import (
    ClientError,
    DeprecatedProtocolWarning,
    DoesNotExist,
    ErrorContext,
    HTTPStatusError,
    MultipleObjectsReturned,
    ProtocolError,
    SessionExpiredError,
    TransportError,
    UnknownFieldError,
    ZenooError,
)
from .protocols import READ_METHODS, Credentials, Protocol, deprecation_notice, major_of, make_protocol
from .query import QuerySpec, default_fields, validate_values
from .records import BaseRecord, DynamicRecord
from .schema import FIELDS_GET_ATTRIBUTES, ModelSchema
from .wire import CacheDrop, CacheGet, CachePut, CallInfo, Flow, Parallel, RequestSpec, Sleep

#: the generated classes a typed query resolves related models with (any class of one generated package),
#: or None for dynamic records shaped by the server's own schema
Family: TypeAlias = "type[BaseRecord] | None"

__all__ = [
    "aggregate",
    "call",
    "count",
    "create",
    "ensure_schemas",
    "fetch_page",
    "fetch_records",
    "get",
    "login",
    "schema_for",
    "search_ids",
    "service",
    "version",
]


# -- the one place a request is sent, retried and decoded ------------------------------------------------
def _send(conn: Connection, what: CallInfo, build: Any, decode: Any) -> Flow[Any]:
    """Send ``build()`` (again on a retry) and ``decode`` the answer; ``what`` names the call for errors."""
    attempt = 0
    while True:
        conn.breaker.before_call()
        request: RequestSpec = build()
        try:
            raw = yield request
            if raw.status in _GATEWAY_STATUSES:  # a proxy's answer, not Odoo's: the request may be retried
                raise HTTPStatusError(raw.status, raw.body[:200].decode("utf-8", "replace"))
        except TransportError as exc:
            conn.breaker.record_failure()
            delay = conn.retry.decide(request, exc, attempt)
            if delay is None:
                raise
            attempt += 1
            if delay:
                yield Sleep(delay)
            continue
        conn.breaker.record_success()
        return decode(raw)


_GATEWAY_STATUSES = frozenset({502, 503, 504})


def service(conn: Connection, service_name: str, method: str, args: list[Any]) -> Flow[Any]:
    proto = conn.initial_protocol()
    ctx = ErrorContext(service=service_name, method=method)
    return (
        yield from _send(
            conn,
            CallInfo(service_name, method),
            lambda: proto.service_request(service_name, method, args),
            lambda raw: proto.decode_service(raw, ctx),
        )
    )


def version(conn: Connection, *, warn: bool = True) -> Flow[dict[str, Any]]:
    """The server's ``common.version`` answer, asked once per client (a password login tells it for free)."""
    if conn.server_version is None:
        proto = conn.initial_protocol()
        info = yield from _send(conn, _VERSION, proto.version_request, proto.decode_version)
        if conn.server_version is None:
            conn.server_version = info
        if warn:
            _warn_if_deprecated(conn, proto)
    return dict(conn.server_version)


_VERSION = CallInfo("common", "version")
_LOG = logging.getLogger("zenoo_rpc")


def login(conn: Connection, db: str, user: str, secret: str, *, api_key: bool = False) -> Flow[int]:
    """Log in once; the uid (and session cookie) are kept for every later call.

    ``protocol="auto"`` never picks an endpoint that the server deprecates: a password logs in through the
    web session on every version (its answer tells the version: one call); an API key goes to JSON-2 on
    Odoo 19+ and is used as a password over JSON-RPC before (the version is asked at the same time as the
    JSON-2 attempt, so Odoo 19 costs one round trip). A forced protocol learns the version beside its login,
    in parallel, and warns once when the server deprecates it.
    """
    if not secret:
        raise ClientError(f"login of {user!r}: the {'API key' if api_key else 'password'} is empty")
    creds = Credentials(db=db, login=user, secret=secret, is_api_key=api_key)
    choice = conn.protocol_choice
    if choice == "session" and api_key:
        raise ClientError(
            "protocol='session' logs in as the web client does, and Odoo takes API keys on RPC logins only: "
            "use protocol='auto' (JSON-2 on Odoo 19+, JSON-RPC before) or log in with the password"
        )
    proto: Protocol
    if choice == "auto" and api_key:
        proto = yield from _login_with_api_key(conn, creds)
    else:
        proto = make_protocol("session" if choice == "auto" else choice)  # type: ignore[arg-type]
        failure = yield from _login_knowing_version(conn, proto, creds)
        if proto.name == "json2" and conn.server_version is not None and major_of(conn.server_version) < 19:
            raise ProtocolError(
                f"protocol='json2' needs Odoo 19 or later; this server runs "
                f"{conn.server_version.get('server_version')}: use protocol='auto'"
            )
        if failure is not None:
            raise failure.error
    conn.protocol, conn.creds = proto, creds
    _warn_if_deprecated(conn, proto)
    assert creds.uid is not None
    return creds.uid


_LOGIN = CallInfo("common", "login")


def _authenticate(conn: Connection, proto: Protocol, creds: Credentials) -> Flow[None]:
    told = yield from _send(
        conn, _LOGIN, lambda: proto.login_request(creds), lambda raw: proto.decode_login(raw, creds)
    )
    if told is not None and conn.server_version is None:
        conn.server_version = told


@attrs.frozen
class _Failed:
    """The error of a flow run by :func:`_attempt` (a value, so that drivers do not raise it)."""

    error: ZenooError


def _attempt(flow: Flow[Any]) -> Flow[_Failed | None]:
    """Run ``flow``; its error is returned rather than raised (for flows run side by side)."""
    try:
        yield from flow
    except ZenooError as exc:
        return _Failed(exc)
    return None


def _login_knowing_version(conn: Connection, proto: Protocol, creds: Credentials) -> Flow[_Failed | None]:
    """Log in; unless the login answer tells it or it is known, ask the version in parallel with it (a
    failed version call does not fail the login)."""
    if conn.server_version is not None or proto.login_tells_version:
        failure: _Failed | None = yield from _attempt(_authenticate(conn, proto, creds))
        return failure
    failure, _ = yield Parallel(
        (_attempt(_authenticate(conn, proto, creds)), _attempt(version(conn, warn=False)))
    )
    return failure


def _login_with_api_key(conn: Connection, creds: Credentials) -> Flow[Protocol]:
    json2 = make_protocol("json2")
    if conn.server_version is None:
        # JSON-2 tried while the version is asked: on Odoo 19+ the login costs one round trip; an older server
        # answers the attempt with a 404 and the key is then used as a password over JSON-RPC
        failure, _ = yield Parallel((_attempt(_authenticate(conn, json2, creds)), version(conn, warn=False)))
        if major_of(conn.server_version or {}) >= 19:
            if failure is not None:
                raise failure.error
            return json2
        creds.uid = None
    elif (conn.major_version or 0) >= 19:
        yield from _authenticate(conn, json2, creds)
        return json2
    rpc = make_protocol("jsonrpc")
    yield from _authenticate(conn, rpc, creds)
    return rpc


def _warn_if_deprecated(conn: Connection, proto: Protocol) -> None:
    """One warning per client (and a log line) when its protocol uses an endpoint the server deprecates."""
    major = conn.major_version
    if conn.deprecation_warned or major is None:
        return
    notice = deprecation_notice(proto, major)
    if notice is None:
        return
    conn.deprecation_warned = True
    notice = f"{conn.base_url}: {notice}"
    _LOG.warning("%s", notice)
    warnings.warn(notice, DeprecatedProtocolWarning, stacklevel=5)  # the caller of client.login()


def _relogin(conn: Connection) -> Flow[None]:
    proto, creds = conn.require_login()
    creds.session_id = None
    yield from _send(
        conn, _LOGIN, lambda: proto.login_request(creds), lambda raw: proto.decode_login(raw, creds)
    )


def call(
    conn: Connection,
    model: str,
    method: str,
    args: list[Any],
    kwargs: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    cache_ttl: float | None = None,
) -> Flow[Any]:
    """``execute_kw`` with the view's context merged in; reads may be cached, writes drop cached reads."""
    proto, creds = conn.require_login()
    kw = dict(kwargs or {})
    if context:
        kw["context"] = {**context, **(kw.get("context") or {})}
    is_read = method in READ_METHODS
    what = CallInfo(model, method)
    ctx = creds.context(model, method)
    key = None
    if cache_ttl is not None and is_read:
        key = _cache_key(conn, model, method, args, kw)
        hit = yield CacheGet(key)
        if hit is not None:
            return json.loads(hit)
    renewed = False
    while True:
        try:
            result = yield from _send(
                conn,
                what,
                lambda: proto.call_request(creds, model, method, args, kw),
                lambda raw: proto.decode_call(raw, ctx),
            )
        except SessionExpiredError:
            if renewed or proto.name != "session":
                raise
            renewed = True
            yield from _relogin(conn)
            continue
        break
    if key is not None:
        yield CachePut(
            key, json.dumps(result, separators=(",", ":")).encode(), cache_ttl, (conn.database_tag(),)
        )
    elif not is_read:
        yield CacheDrop((conn.database_tag(),))
    return result


def _cache_key(conn: Connection, model: str, method: str, args: list[Any], kw: Mapping[str, Any]) -> str:
    payload = json.dumps([model, method, args, kw], sort_keys=True, separators=(",", ":"), default=str)
    return f"{conn.cache_namespace()}:{hashlib.sha256(payload.encode()).hexdigest()}"


# -- schemas -----------------------------------------------------------------------------------------------
def schema_for(conn: Connection, model: str, family: Family = None) -> ModelSchema | None:
    """The schema of a model: for typed queries the generated class's of ``family`` (any class of the
    generated package the query started from), the server's (``fields_get``, read once per client) for
    dynamic ones, so that classes generated for another server never leak in."""
    if family is not None:
        cls = family.zenoo_related(model)
        if cls is not None:
            return cls.__zenoo_schema__
    return conn.schemas.get(model)


def ensure_schemas(
    conn: Connection, models: list[str], context: Mapping[str, Any] | None = None, family: Family = None
) -> Flow[None]:
    """Read ``fields_get`` once per client for models that have no generated class."""
    missing = sorted({m for m in models if schema_for(conn, m, family) is None})
    if not missing:
        return
    flows = tuple(
        call(conn, m, "fields_get", [], {"attributes": FIELDS_GET_ATTRIBUTES}, context) for m in missing
    )
    results = yield Parallel(flows)
    for m, fg in zip(missing, results):
        conn.schemas[m] = ModelSchema.from_fields_get(m, fg)


def _prefetch_tree(paths: tuple[str, ...]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.replace("__", ".").split("."):
            node = node.setdefault(part, {})
    return tree


def _models_for_prefetch(
    conn: Connection, model: str, tree: Mapping[str, Any], family: Family, context: Mapping[str, Any]
) -> Flow[None]:
    """Make sure every schema along the prefetch paths is known (fields_get for dynamic models)."""
    yield from ensure_schemas(conn, [model], context, family)
    schema = schema_for(conn, model, family)
    assert schema is not None
    for name, sub in tree.items():
        info = schema.get(name)
        if info is None:
            raise UnknownFieldError(model, name, "in prefetch_related()")
        if not info.is_relational or not info.relation:
            raise ClientError(f"{model}.{name} is a {info.type} field: prefetch_related() follows relations")
        yield from _models_for_prefetch(conn, info.relation, sub, family, context)


def _build(conn: Connection, spec_cls: Any, model: str, rows: list[dict[str, Any]], bind: Any) -> list[Any]:
    """Records of ``spec_cls`` (a generated class), or dynamic records built from the server's schema."""
    # rows are replaced in place, so each parsed dict can be freed as soon as its record exists: the peak
    # is one copy of the result set, not two
    records: list[Any] = rows
    if spec_cls is not None:
        from_odoo = spec_cls.from_odoo
        for i, row in enumerate(rows):
            records[i] = from_odoo(row)
    else:
        schema = schema_for(conn, model)
        assert schema is not None
        resolver = _resolver(conn, None)
        for i, row in enumerate(rows):
            records[i] = DynamicRecord.from_row(schema, row, resolver)
    if bind is not None:
        for rec in records:
            rec.zenoo_bind(bind)
    return records


def _resolver(conn: Connection, family: Family) -> Any:
    return lambda m: schema_for(conn, m, family)


def _fields_for(schema: ModelSchema, only: tuple[str, ...] | None, tree: Mapping[str, Any]) -> list[str]:
    fields = list(only) if only is not None else default_fields(schema)
    for name in tree:
        if name not in fields:
            fields.append(name)
    return fields


def fetch_records(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any
) -> Flow[list[Any]]:
    """search_read, then one read per prefetch level for the whole result set."""
    tree = _prefetch_tree(spec.prefetch)
    ctx = {**context, **spec.context}
    yield from _models_for_prefetch(conn, spec.model, tree, spec.record_cls, ctx)
    rows = yield from search_read_rows(conn, spec, context)
    records = _build(conn, spec.record_cls, spec.model, rows, bind)
    yield from _prefetch(conn, spec.model, records, tree, ctx, spec.cache_ttl, bind, spec.record_cls)
    return records


def search_read_rows(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], extra_domain: list[Any] | None = None
) -> Flow[list[dict[str, Any]]]:
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    schema = schema_for(conn, spec.model, spec.record_cls)
    assert schema is not None
    tree = _prefetch_tree(spec.prefetch)
    domain = spec.domain(_resolver(conn, spec.record_cls))
    if extra_domain:
        domain = ["&", *extra_domain, *domain] if domain else list(extra_domain)
    kwargs: dict[str, Any] = {"fields": _fields_for(schema, spec.fields, tree), **_paging(spec)}
    rows: list[dict[str, Any]] = yield from call(
        conn, spec.model, "search_read", [domain], kwargs, {**context, **spec.context}, spec.cache_ttl
    )
    return rows


def _paging(spec: QuerySpec, order_key: str = "order") -> dict[str, Any]:
    """offset/limit/order keyword arguments, only those the query sets."""
    kwargs: dict[str, Any] = {}
    if spec.offset:
        kwargs["offset"] = spec.offset
    if spec.limit is not None:
        kwargs["limit"] = spec.limit
    if spec.order:
        kwargs[order_key] = spec.order_string()
    return kwargs


def _prefetch(
    conn: Connection,
    model: str,
    records: list[Any],
    tree: Mapping[str, Any],
    context: Mapping[str, Any],
    ttl: float | None,
    bind: Any,
    family: Family,
) -> Flow[None]:
    if not tree or not records:
        return
    schema = schema_for(conn, model, family)
    assert schema is not None
    plans = []
    for name, sub in tree.items():
        info = schema.get(name)
        assert info is not None and info.relation
        seen: dict[int, None] = {}
        for rec in records:
            value = rec.zenoo_get(name)
            for ref in value if isinstance(value, list) else [value] if value is not None else []:
                seen[ref.id] = None
        target = schema_for(conn, info.relation or "", family)
        assert target is not None
        fields = _fields_for(target, None, sub)
        plans.append((name, info, list(seen), fields, sub))
    flows = tuple(
        call(conn, info.relation or "", "read", [ids], {"fields": fields}, context, ttl)
        for name, info, ids, fields, _ in plans
        if ids
    )
    results = iter((yield Parallel(flows)))
    for name, info, ids, _fields, sub in plans:
        if not ids:
            continue
        rows = next(results)
        cls = family.zenoo_related(info.relation or "") if family is not None else None
        related = _build(conn, cls, info.relation or "", rows, bind)
        by_id = {r.id: r for r in related}
        for rec in records:
            value = rec.zenoo_get(name)
            if isinstance(value, list):
                rec.zenoo_load(name, [by_id[r.id] for r in value if r.id in by_id])
            elif value is not None and value.id in by_id:
                rec.zenoo_load(name, by_id[value.id])
        yield from _prefetch(conn, info.relation or "", related, sub, context, ttl, bind, family)


def first(conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any) -> Flow[Any]:
    records = yield from fetch_records(conn, attrs.evolve(spec, limit=1), context, bind)
    return records[0] if records else None


def get(conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any) -> Flow[Any]:
    records = yield from fetch_records(conn, attrs.evolve(spec, limit=2), context, bind)
    if not records:
        raise DoesNotExist(f"{spec.model}: no record matches {spec.where!r}")
    if len(records) > 1:
        raise MultipleObjectsReturned(f"{spec.model}: more than one record matches {spec.where!r}")
    return records[0]


def count(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[int]:
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    kwargs: dict[str, Any] = {}
    if spec.limit is not None:
        kwargs["limit"] = spec.limit + spec.offset
    n = yield from call(
        conn,
        spec.model,
        "search_count",
        [spec.domain(_resolver(conn, spec.record_cls))],
        kwargs,
        {**context, **spec.context},
        spec.cache_ttl,
    )
    return max(0, int(n) - spec.offset) if spec.offset else int(n)


def search_ids(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[list[int]]:
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    kwargs = _paging(spec)
    ids: list[int] = yield from call(
        conn,
        spec.model,
        "search",
        [spec.domain(_resolver(conn, spec.record_cls))],
        kwargs,
        {**context, **spec.context},
        spec.cache_ttl,
    )
    return ids


def values(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = yield from search_read_rows(conn, spec, context)
    return rows


def fetch_page(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any, after_id: int, size: int
) -> Flow[list[Any]]:
    """One page of a keyset scan: ``id > after_id`` ordered by id (constant cost, whatever the depth)."""
    page_spec = attrs.evolve(spec, order=("id",), limit=size, offset=0)
    tree = _prefetch_tree(spec.prefetch)
    ctx = {**context, **spec.context}
    yield from _models_for_prefetch(conn, spec.model, tree, spec.record_cls, ctx)
    rows = yield from search_read_rows(conn, page_spec, context, [("id", ">", after_id)])
    records = _build(conn, spec.record_cls, spec.model, rows, bind)
    yield from _prefetch(conn, spec.model, records, tree, ctx, spec.cache_ttl, bind, spec.record_cls)
    return records


def create(
    conn: Connection, model: str, vals: Any, context: Mapping[str, Any], family: Family = None
) -> Flow[Any]:
    """One ``create`` call, for one dict or a list of dicts; values checked against the schema first."""
    yield from ensure_schemas(conn, [model], context, family)
    schema = schema_for(conn, model, family)
    single = isinstance(vals, Mapping)
    vals_list = [vals] if single else list(vals)
    wire = [validate_values(model, schema, v) for v in vals_list]
    if not wire:
        return []
    ids = yield from call(conn, model, "create", [wire], None, context)
    ids = ids if isinstance(ids, list) else [ids]
    return ids[0] if single else ids


def write(
    conn: Connection,
    model: str,
    ids: list[int],
    vals: Mapping[str, Any],
    context: Mapping[str, Any],
    family: Family = None,
) -> Flow[bool]:
    yield from ensure_schemas(conn, [model], context, family)
    wire = validate_values(model, schema_for(conn, model, family), vals)
    if not ids or not wire:
        return True
    return bool((yield from call(conn, model, "write", [list(ids), wire], None, context)))


def update(
    conn: Connection, spec: QuerySpec, vals: Mapping[str, Any], context: Mapping[str, Any]
) -> Flow[int]:
    ids = yield from search_ids(conn, spec, context)
    yield from write(conn, spec.model, ids, vals, {**context, **spec.context}, spec.record_cls)
    return len(ids)


def delete(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[int]:
    ids = yield from search_ids(conn, spec, context)
    if ids:
        yield from call(conn, spec.model, "unlink", [ids], None, {**context, **spec.context})
    return len(ids)


def save_record(conn: Connection, record: BaseRecord, context: Mapping[str, Any]) -> Flow[bool]:
    changes = record.zenoo_changes()
    if not changes:
        return False
    family = None if isinstance(record, DynamicRecord) else type(record)
    yield from write(conn, record._zenoo_model_name(), [record.id], changes, context, family)
    record.zenoo_mark_clean()
    return True


def refresh_record(conn: Connection, record: BaseRecord, context: Mapping[str, Any], bind: Any) -> Flow[Any]:
    model = record._zenoo_model_name()
    fields = [f for f in record._zenoo_loaded() if f != "id"]
    rows = yield from call(conn, model, "read", [[record.id]], {"fields": fields}, context)
    if not rows:
        raise DoesNotExist(f"{model}({record.id}) does not exist any more")
    cls = None if isinstance(record, DynamicRecord) else type(record)
    fresh = _build(conn, cls, model, rows, bind)[0]
    for name in fields:
        record.zenoo_load(name, fresh.zenoo_get(name))
    record.zenoo_mark_clean()
    return record


def aggregate(
    conn: Connection, spec: QuerySpec, aggregates: tuple[str, ...], context: Mapping[str, Any]
) -> Flow[list[dict[str, Any]]]:
    """Grouped aggregates as ``[{"state": "sale", "amount_total:sum": 1.0, "__count": 3}, ...]``.

    Uses ``formatted_read_group`` on Odoo 19+ and ``read_group`` (lazy=False) before; the answer has the
    same shape either way.
    """
    info = yield from version(conn)
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    major = major_of(info)
    domain = spec.domain(_resolver(conn, spec.record_cls))
    ctx = {**context, **spec.context}
    aggs = list(aggregates) or ["__count"]
    for a in aggs:
        if a != "__count" and ":" not in a:
            raise ClientError(f"{spec.model}: aggregate {a!r} must look like 'field:sum' or '__count'")
    if major >= 19:
        kwargs: dict[str, Any] = {"aggregates": aggs, **_paging(spec)}
        rows = yield from call(
            conn,
            spec.model,
            "formatted_read_group",
            [domain, list(spec.groupby)],
            kwargs,
            ctx,
            spec.cache_ttl,
        )
        return [{k: v for k, v in r.items() if k != "__extra_domain"} for r in rows]
    fields = [a for a in aggs if a != "__count"]
    kwargs = {"lazy": False, **_paging(spec, order_key="orderby")}
    rows = yield from call(
        conn, spec.model, "read_group", [domain, fields, list(spec.groupby)], kwargs, ctx, spec.cache_ttl
    )
    out = []
    for r in rows:
        row: dict[str, Any] = {g: r.get(g) for g in spec.groupby}
        for a in fields:
            row[a] = r.get(a.split(":")[0])
        if "__count" in aggs:
            row["__count"] = r.get("__count", r.get(f"{spec.groupby[0]}_count") if spec.groupby else None)
        out.append(row)
    return out
