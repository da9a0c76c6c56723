"""Every multi-step operation, written once as a generator of effects that both drivers run.

A flow yields :class:`RequestSpec` (and receives a :class:`RawResponse`), :class:`Sleep`, :class:`Parallel`
and cache effects; transport errors are thrown back into it so that retry decisions live here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from . import drift, session
from .connection import Connection
from .error_map import ErrorContext
from .errors import (
    AccessError,
    ClientError,
    DeprecatedProtocolWarning,
    DoesNotExist,
    HTTPStatusError,
    InvalidArgumentsError,
    MultipleObjectsReturned,
    ProtocolError,
    SessionExpiredError,
    TransportError,
    UnknownFieldError,
    UnknownMethodError,
    ZenooError,
)
from .protocols import READ_METHODS, Credentials, Protocol, deprecation_notice, major_of, make_protocol
from .query import QuerySpec, default_fields, validate_values
from .records import BaseRecord, DynamicRecord
from .resilience import Deadline, give_up, within
from .schema import FIELDS_GET_ATTRIBUTES, ModelSchema
from .warn import warn
from .wire import (
    CacheDrop,
    CacheGet,
    CachePut,
    CallInfo,
    CurrentDeadline,
    Flow,
    Once,
    Parallel,
    RequestSpec,
    Sleep,
)

#: the generated classes a typed query resolves related models with (any class of one generated package),
#: or None for dynamic records shaped by the server's own schema
Family: TypeAlias = "type[BaseRecord] | None"

__all__ = [
    "Failed",
    "aggregate",
    "call",
    "captured",
    "checked_values",
    "count",
    "create",
    "ensure_schemas",
    "fetch_numbered_page",
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
    """Send ``build()`` (again on a retry) and ``decode`` the answer; ``what`` names the call for errors.

    The breaker is asked once, before anything is sent. Each attempt's socket timeouts are capped by what is
    left of the call's deadline, and a retry happens only when its backoff ends before it. When the call
    gives up it raises the real error (see :func:`resilience.give_up`: a lost write is OutcomeUnknownError).
    """
    deadline: Deadline | None = yield _CURRENT_DEADLINE
    trial = conn.breaker.before_call()
    attempts = 0
    try:
        while True:
            request: RequestSpec = within(build(), deadline, what, attempts)
            seen = conn.observer.begin(what, request, attempts)
            attempts += 1
            try:
                raw = yield request
                # a gateway's answer, not Odoo's: a read may be retried, a write's outcome is unknown
                if raw.status in _GATEWAY_STATUSES:
                    raise HTTPStatusError(raw.status, raw.body[:200].decode("utf-8", "replace"))
            except TransportError as exc:
                seen.failed(exc)
                opened = conn.breaker.record_failure(exc)  # open now: stop retrying, raise what happened
                delay = None if opened else conn.retry.decide(request, exc, attempts - 1)
                if delay is None or (deadline is not None and delay >= deadline.left()):
                    error = give_up(what, request, exc, attempts, deadline)
                    if error is exc:
                        raise
                    raise error from exc
                if delay:
                    yield Sleep(delay)
                continue
            conn.breaker.record_success()
            return seen.answered(decode, raw)
    finally:
        if trial:
            conn.breaker.release_trial(trial)


_GATEWAY_STATUSES = frozenset({502, 503, 504})
_CURRENT_DEADLINE = CurrentDeadline()


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


def login(
    conn: Connection,
    db: str,
    user: str,
    secret: str,
    *,
    api_key: bool = False,
    store: session.SessionStore | None = None,
) -> Flow[int]:
    """Log in once; the uid (and session cookie) are kept for every later call. With a ``store``, adopt the
    session another client saved there for this login instead (no call at all), or log in and save it; an
    expired session is then renewed through the store too (see :mod:`.session`).

    ``protocol="auto"`` never picks an endpoint that the server deprecates: a password logs in through the
    web session on every version (its answer tells the version: one call); an API key goes to JSON-2 on
    Odoo 19+ and is used as a password over JSON-RPC before (the version is asked at the same time as the
    JSON-2 attempt, so Odoo 19 costs one round trip). A forced protocol learns the version beside its login,
    in parallel, and warns once when the server deprecates it.
    """
    if not secret:
        raise ClientError(f"login of {user!r}: the {'API key' if api_key else 'password'} is empty")
    if store is None:
        return (yield from _login(conn, db, user, secret, api_key))
    adopted = yield from session.login_through(
        conn, store, db, user, secret, api_key, lambda: _login(conn, db, user, secret, api_key)
    )
    conn.session_store = store
    if adopted is None:
        _, creds = conn.require_login()
        assert creds.uid is not None
        return creds.uid
    uid = session.adopt(conn, adopted, secret)
    assert conn.protocol is not None
    _warn_if_deprecated(conn, conn.protocol)
    return uid


def _login(conn: Connection, db: str, user: str, secret: str, api_key: bool) -> Flow[int]:
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


def _login_knowing_version(conn: Connection, proto: Protocol, creds: Credentials) -> Flow[Failed | None]:
    """Log in; unless the login answer tells it or it is known, ask the version in parallel with it (a
    failed version call does not fail the login). Returns the login's failure, if any."""
    if conn.server_version is not None or proto.login_tells_version:
        answer = yield from captured(_authenticate(conn, proto, creds))
    else:
        answer, _ = yield Parallel(
            (captured(_authenticate(conn, proto, creds)), captured(version(conn, warn=False)))
        )
    return answer if isinstance(answer, Failed) else None


def _login_with_api_key(conn: Connection, creds: Credentials) -> Flow[Protocol]:
    json2 = make_protocol("json2")
    if conn.server_version is None:
        # JSON-2 tried while the version is asked: on Odoo 19+ the login costs one round trip; an older server
        # answers the attempt with a 404 and the key is then used as a password over JSON-RPC
        answer, _ = yield Parallel((captured(_authenticate(conn, json2, creds)), version(conn, warn=False)))
        if major_of(conn.server_version or {}) >= 19:
            if isinstance(answer, Failed):
                raise answer.error
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
    warn(notice, DeprecatedProtocolWarning)


def _relogin(conn: Connection, stale: str | None) -> Flow[None]:
    """Renew the web session that answered "expired" (``stale``): once for all the flows of the client that
    see it expire (threads, views), none when another flow renewed it meanwhile; through the login's
    session store when it has one (another client may have renewed it already)."""
    if conn.require_login()[1].session_id == stale:
        yield Once("login:renew", _renew(conn, stale))


def _renew(conn: Connection, stale: str | None) -> Flow[None]:
    _, creds = conn.require_login()
    if creds.session_id != stale:  # renewed by a run that ended just before this one started
        return
    store, old = conn.session_store, session.capture(conn)
    if store is None or old is None:
        yield from _authenticate_again(conn)
        return
    fresh = yield from session.renew_through(conn, store, old, lambda: _authenticate_again(conn))
    if fresh is not None:
        session.adopt(conn, fresh, creds.secret)


def _authenticate_again(conn: Connection) -> Flow[None]:
    """Log in again as the same user; the credentials change in place, and only once the login succeeded."""
    proto, creds = conn.require_login()
    fresh = attrs.evolve(creds, uid=None, session_id=None)
    yield from _send(
        conn, _LOGIN, lambda: proto.login_request(fresh), lambda raw: proto.decode_login(raw, fresh)
    )
    creds.uid, creds.session_id = fresh.uid, fresh.session_id


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
        hit = yield CacheGet(key, cache_ttl, (conn.database_tag(),))
        if hit is not None:
            return json.loads(hit)
    renewed = False
    while True:
        sent_with = creds.session_id
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
            yield from _relogin(conn, sent_with)
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
    yield from _server_schemas(conn, [m for m in models if schema_for(conn, m, family) is None], context)


def _server_schemas(conn: Connection, models: list[str], context: Mapping[str, Any] | None) -> Flow[None]:
    """The server's own fields (``fields_get``) of the models not known yet, read at most once per client;
    dynamic records are built from them and typed queries check their classes against them."""
    missing = sorted({m for m in models if m not in conn.schemas})
    if missing:
        # concurrent queries of one client that need the same model share one fields_get
        yield Parallel(tuple(_once(f"fields_get:{m}", _fields_get(conn, m, context)) for m in missing))


def _once(key: str, flow: Flow[Any]) -> Flow[Any]:
    return (yield Once(key, flow))


def _fields_get(conn: Connection, model: str, context: Mapping[str, Any] | None) -> Flow[None]:
    if model in conn.schemas:  # read by a run that ended just before this one started
        return
    fg = yield from call(conn, model, "fields_get", [], {"attributes": FIELDS_GET_ATTRIBUTES}, context)
    conn.schemas.setdefault(model, ModelSchema.from_fields_get(model, fg))


# -- typed reads and writes against the server's own fields -------------------------------------------------
@attrs.frozen
class Failed:
    """A flow's error handed back as a value (see :func:`captured`)."""

    error: ZenooError


def captured(flow: Flow[Any]) -> Flow[Any]:
    """Run ``flow`` and hand back its error as a :class:`Failed` value, so that one failed sibling of a
    :class:`Parallel` neither hides the others' results nor leaves them running unobserved."""
    try:
        return (yield from flow)
    except ZenooError as exc:
        return Failed(exc)


@attrs.frozen
class _Read:
    """One read call of a typed query. ``kwargs["fields"]``, when present, is what the class asks for;
    ``paths`` are the fields its domain and order name."""

    model: str
    method: str
    args: list[Any]
    kwargs: Mapping[str, Any]
    context: Mapping[str, Any]
    ttl: float | None = None
    paths: tuple[str, ...] = ()
    #: builds the keyword arguments again from what the client knows now (a specification read, whose
    #: nested field lists are filtered by the server fields learned after a refusal)
    rebuild: Any = None


def _reads(
    conn: Connection, family: Family, reads: list[_Read], companions: tuple[str, ...] = ()
) -> Flow[list[Any]]:
    """Run independent reads (in parallel when there are several); those of a typed query ask only for the
    fields the server has.

    While a model's server fields are unknown the read is sent as the class asks; only when Odoo refuses a
    field of a generated class is the model's ``fields_get`` read (once per client) and the read sent again
    with what both have: no extra call where the server has every field. Once a model of this client has
    shown drift, ``fields_get`` comes before the first read of every further typed model (one extra call
    instead of a refused read and a retry); ``companions``, the models the query reads next (prefetch
    levels), are learned in the same round as the refused model. A filter or order on a field the server
    lacks is refused. Dynamic records (``family`` None) are shaped by the server's own fields already.
    """
    if family is not None and conn.drift.seen:
        typed = [r.model for r in reads if "fields" in r.kwargs and family.zenoo_related(r.model) is not None]
        yield from _server_schemas(conn, typed, reads[0].context)
    results: list[Any] = [None] * len(reads)
    refused: dict[int, ZenooError] = {}
    pending = list(range(len(reads)))
    while pending:
        known = set(conn.schemas)  # what the reads below are built with (another flow may learn more)
        attempts = []
        for i in pending:
            r = reads[i]
            kwargs = dict(r.kwargs if r.rebuild is None else r.rebuild())
            if family is not None:
                try:
                    drift.check_paths(conn, r.model, family, r.paths)
                except ZenooError as exc:
                    raise exc from refused.get(i)
                if "fields" in kwargs:
                    cls = family.zenoo_related(r.model)
                    kwargs["fields"] = drift.readable_fields(conn, r.model, cls, kwargs["fields"])
            attempts.append(captured(call(conn, r.model, r.method, r.args, kwargs, r.context, r.ttl)))
        answers = [(yield from attempts[0])] if len(attempts) == 1 else (yield Parallel(tuple(attempts)))
        learn: list[str] = []
        retry: list[int] = []
        for i, answer in zip(pending, answers):
            if not isinstance(answer, Failed):
                results[i] = answer
                continue
            target = _drift_target(family, answer.error, known)
            if target is None:
                raise answer.error
            refused[i] = answer.error
            learn.append(target)
            retry.append(i)
        if learn:  # a declared field was refused: this server drifts, learn the models read next as well
            assert family is not None
            learn += [m for m in companions if family.zenoo_related(m) is not None]
        yield from _server_schemas(conn, learn, reads[0].context)
        pending = retry
    return results


def _drift_target(family: Family, error: ZenooError, known: set[str]) -> str | None:
    """The model whose server fields would explain Odoo's refusal: a generated class of ``family`` declares
    the field Odoo named, and the refused call was built before that model's server fields were ``known``."""
    found = drift.invalid_field(error)
    if found is None or family is None:
        return None
    model, field = found
    cls = family.zenoo_related(model)
    if cls is None or model in known or field not in cls.__zenoo_schema__.fields:
        return None
    return model


def _write_call(
    conn: Connection,
    model: str,
    method: str,
    args: list[Any],
    wire: list[dict[str, Any]],
    context: Mapping[str, Any],
    family: Family,
) -> Flow[Any]:
    """A create or write of checked ``wire`` values; never sent again. When the server refuses a field of a
    generated class that the client did not know it lacks, the model's ``fields_get`` is read once so that
    the error says so (and the next such write fails before sending)."""
    known = set(conn.schemas)
    if family is not None:  # again: another flow of this client may have learned the server's fields since
        drift.check_values(conn, model, family.zenoo_related(model), wire)
    try:
        return (yield from call(conn, model, method, args, None, context))
    except ZenooError as exc:
        target = _drift_target(family, exc, known)
        if target is None:
            raise
        yield from _server_schemas(conn, [target], context)
        clear = drift.refusal_for(conn, family, exc, "the server refused the call (nothing was written)")
        if clear is None:
            raise
        raise clear from exc


class _Node:
    """What a query reads of one model: ``fields`` named by ``only()`` at this level (None: the default set,
    see :func:`default_fields`) and the relations read as nested records (``sub``)."""

    __slots__ = ("fields", "sub")

    def __init__(self, fields: list[str] | None) -> None:
        self.fields = fields
        self.sub: dict[str, _Node] = {}

    def add(self, name: str) -> None:
        if self.fields is not None and name not in self.fields:
            self.fields.append(name)


def _tree(spec: QuerySpec) -> _Node:
    """The read plan of a query: dotted ``only()`` names (``"order_line.product_id.name"``) read exactly those
    fields at each level; ``prefetch_related()`` paths read the default set of levels ``only()`` does not
    name."""
    root = _Node(None if spec.fields is None else [])
    for path in spec.fields or ():
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            node.add(part)
            child = node.sub.get(part)
            if child is None:
                child = node.sub[part] = _Node([])
            node = child
        node.add(leaf)
    for path in spec.prefetch:
        node = root
        for part in path.replace("__", ".").split("."):
            node.add(part)
            node = node.sub.setdefault(part, _Node(None))
    return root


def _models_for_prefetch(
    conn: Connection, model: str, node: _Node, family: Family, context: Mapping[str, Any], depth: int = 0
) -> Flow[list[str]]:
    """Make sure every schema along the nested paths is known (fields_get for dynamic models) and that each
    path follows relations to fields that exist; returns the models the query reads."""
    yield from ensure_schemas(conn, [model], context, family)
    schema = schema_for(conn, model, family)
    assert schema is not None
    if depth and node.fields is not None:
        for name in node.fields:
            if schema.get(name) is None:
                raise UnknownFieldError(model, name, "in only()")
    models = [model]
    for name, sub in node.sub.items():
        info = schema.get(name)
        where = "in prefetch_related()" if sub.fields is None else "in only()"
        if info is None:
            raise UnknownFieldError(model, name, where)
        if not info.is_relational or not info.relation:
            raise ClientError(f"{model}.{name} is a {info.type} field: {where[3:]} follows relations only")
        models += yield from _models_for_prefetch(conn, info.relation, sub, family, context, depth + 1)
    return models


def _learn_if_drifting(
    conn: Connection, family: Family, models: list[str], context: Mapping[str, Any]
) -> Flow[None]:
    """Once this client's server has shown drift, the server fields of every typed model a query is about
    to read, in one parallel round (rather than a refused read and a retry per model)."""
    if family is not None and conn.drift.seen:
        typed = [m for m in models if family.zenoo_related(m) is not None]
        yield from _server_schemas(conn, typed, context)


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


def _fields_for(schema: ModelSchema, only: Any, tree: Mapping[str, Any]) -> list[str]:
    fields = list(only) if only is not None else default_fields(schema)
    for name in tree:
        if name not in fields:
            fields.append(name)
    return fields


def _node_fields(conn: Connection, family: Family, model: str, node: _Node) -> list[str]:
    """The fields read of ``model`` at one level: what ``only()`` names there or the default set, the nested
    relations, never a field the server is known to lack."""
    schema = schema_for(conn, model, family)
    assert schema is not None
    fields = _fields_for(schema, node.fields, node.sub)
    cls = family.zenoo_related(model) if family is not None else None
    return drift.readable_fields(conn, model, cls, fields) if cls is not None else fields


def fetch_records(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any
) -> Flow[list[Any]]:
    """The records of a query with their nested records (see :func:`_rows`)."""
    records, _ = yield from _fetch(conn, spec, context, bind, None)
    return records


def _fetch(
    conn: Connection,
    spec: QuerySpec,
    context: Mapping[str, Any],
    bind: Any,
    extra_domain: list[Any] | None,
    counted: bool = False,
    count_limit: int | None = None,
) -> Flow[tuple[list[Any], int | None]]:
    root = _tree(spec)
    ctx = {**context, **spec.context}
    models = yield from _models_for_prefetch(conn, spec.model, root, spec.record_cls, ctx)
    yield from _learn_if_drifting(conn, spec.record_cls, models, ctx)
    rows, length = yield from _rows(
        conn, spec, context, root, extra_domain, tuple(models[1:]), counted, count_limit
    )
    records = _build_nested(conn, spec.record_cls, spec.record_cls, spec.model, rows, root, bind)
    return records, length


def _rows(
    conn: Connection,
    spec: QuerySpec,
    context: Mapping[str, Any],
    root: _Node,
    extra_domain: list[Any] | None,
    companions: tuple[str, ...],
    counted: bool,
    count_limit: int | None = None,
) -> Flow[tuple[list[dict[str, Any]], int | None]]:
    """The rows of a query, its nested levels as dicts (a many2one) and lists of dicts (an x2many), and the
    number of matching records when ``counted`` (None when it could not be told in the same call).

    A query that reads nested records (or needs its count) on Odoo 17+ is ONE ``web_search_read`` with a
    field specification of every level. Where the server or the model refuses it (an older server, a method
    not published, an access rule on the web methods) the client falls back, once per client and model and
    for good, to ``search_read`` and one ``read`` per nested level for the whole result set; both give the
    same rows.
    """
    if (root.sub or counted) and (yield from _specification_allowed(conn, spec.model)):
        answer = yield from captured(
            _web_search_read(conn, spec, context, root, extra_domain, (spec.model, *companions), count_limit)
        )
        if not isinstance(answer, Failed):
            rows_and_length: tuple[list[dict[str, Any]], int | None] = answer
            return rows_and_length
        if not isinstance(answer.error, _SPECIFICATION_REFUSED):
            raise answer.error
        conn.specification_refused.add(spec.model)
        _LOG.info("%s: web_search_read refused (%s), reading level by level", spec.model, answer.error)
    rows = yield from search_read_rows(conn, spec, context, extra_domain, companions, root)
    ctx = {**context, **spec.context}
    yield from _read_levels(conn, spec.record_cls, spec.model, rows, root, ctx, spec.cache_ttl)
    return rows, None


#: the answers that mean "this server or model does not serve specification reads": no such method (before
#: Odoo 17 or unpublished), an access rule on it, arguments it does not take
_SPECIFICATION_REFUSED = (UnknownMethodError, AccessError, InvalidArgumentsError)


def _specification_allowed(conn: Connection, model: str) -> Flow[bool]:
    if model in conn.specification_refused:
        return False
    if conn.server_version is None:
        yield from version(conn, warn=False)
    return (conn.major_version or 0) >= 17


def _web_search_read(
    conn: Connection,
    spec: QuerySpec,
    context: Mapping[str, Any],
    root: _Node,
    extra_domain: list[Any] | None,
    companions: tuple[str, ...],
    count_limit: int | None,
) -> Flow[tuple[list[dict[str, Any]], int]]:
    family = spec.record_cls
    domain = _query_domain(conn, spec, extra_domain)

    def kwargs() -> dict[str, Any]:
        kw: dict[str, Any] = {
            "domain": domain,
            "specification": _specification(conn, family, spec.model, root),
            **_paging(spec),
        }
        if count_limit is not None:
            kw["count_limit"] = count_limit
        return kw

    read = _Read(
        spec.model,
        "web_search_read",
        [],
        kwargs(),
        {**context, **spec.context},
        spec.cache_ttl,
        tuple(drift.domain_paths(domain, spec.order)),
        rebuild=kwargs,
    )
    [answer] = yield from _reads(conn, family, [read], companions)
    rows: list[dict[str, Any]] = answer["records"]
    _flatten(conn, family, spec.model, rows, root)
    return rows, int(answer["length"])


def _specification(conn: Connection, family: Family, model: str, node: _Node) -> dict[str, Any]:
    """Odoo's field specification of one level: ``{}`` per field, ``{"fields": {...}}`` per nested relation,
    ``{"fields": {"display_name": {}}}`` for the other many2one fields (``[id, display_name]`` once flattened,
    as ``search_read`` gives them)."""
    schema = schema_for(conn, model, family)
    assert schema is not None
    out: dict[str, Any] = {}
    for name in _node_fields(conn, family, model, node):
        info = schema.get(name)
        child = node.sub.get(name)
        if child is not None and info is not None and info.relation:
            out[name] = {"fields": _specification(conn, family, info.relation, child)}
        elif info is not None and info.type == "many2one":
            out[name] = {"fields": {"display_name": {}}}
        else:
            out[name] = {}
    return out


def _flatten(conn: Connection, family: Family, model: str, rows: list[dict[str, Any]], node: _Node) -> None:
    """A specification read's rows in place: many2one values that are not nested back to ``[id, name]``."""
    if not rows:
        return
    schema = schema_for(conn, model, family)
    assert schema is not None
    plain = [
        n
        for n in _node_fields(conn, family, model, node)
        if n not in node.sub and (info := schema.get(n)) is not None and info.type == "many2one"
    ]
    for row in rows:
        for name in plain:
            value = row.get(name)
            if isinstance(value, dict):
                row[name] = [value["id"], value.get("display_name", False)]
    for name, child in node.sub.items():
        info = schema.get(name)
        if info is None or not info.relation:
            continue
        kids: list[dict[str, Any]] = []
        for row in rows:
            value = row.get(name)
            if isinstance(value, dict):
                kids.append(value)
            elif isinstance(value, list):
                kids.extend(v for v in value if isinstance(v, dict))
        _flatten(conn, family, info.relation, kids, child)


def _read_levels(
    conn: Connection,
    family: Family,
    model: str,
    rows: list[dict[str, Any]],
    node: _Node,
    context: Mapping[str, Any],
    ttl: float | None,
) -> Flow[None]:
    """The batched plan: one ``read`` per nested relation for all the rows of its level (siblings in
    parallel), the values then replaced by the rows read, as a specification read gives them."""
    if not node.sub or not rows:
        return
    schema = schema_for(conn, model, family)
    assert schema is not None
    lacking = drift.lacking(conn, model, family.zenoo_related(model) if family is not None else None)
    plans = []
    for name, child in node.sub.items():
        info = schema.get(name)
        if info is None or not info.relation or name in lacking:
            continue  # not read: the records answer FieldNotOnServerError for it
        seen: dict[int, None] = {}
        for row in rows:
            value = row.get(name)
            if not value:
                continue
            if info.type == "many2one":
                seen[value[0] if isinstance(value, list) else value] = None
            else:
                seen.update(dict.fromkeys(value))
        plans.append((name, info.type == "many2one", info.relation, child, list(seen)))
    reads = [
        _Read(relation, "read", [ids], {"fields": _node_fields(conn, family, relation, child)}, context, ttl)
        for _, _, relation, child, ids in plans
        if ids
    ]
    results = iter((yield from _reads(conn, family, reads)) if reads else [])
    for name, single, relation, child, ids in plans:
        if not ids:
            continue
        got: list[dict[str, Any]] = next(results)
        yield from _read_levels(conn, family, relation, got, child, context, ttl)
        by_id = {r["id"]: r for r in got}
        for row in rows:
            value = row.get(name)
            if not value:
                continue
            if single:
                rid, label = (value[0], value[1]) if isinstance(value, list) else (value, False)
                row[name] = by_id.get(rid) or {"id": rid, "display_name": label}
            else:
                row[name] = [by_id.get(i) or {"id": i} for i in value]


_ABSENT: Any = object()


def _build_nested(
    conn: Connection,
    cls: Any,
    family: Family,
    model: str,
    rows: list[dict[str, Any]],
    node: _Node,
    bind: Any,
) -> list[Any]:
    """Records of rows whose nested levels are dicts: each related record is built once per level and id
    (a record of the family's class of its model, else a dynamic record) and set on the records."""
    if not node.sub or not rows:
        return _build(conn, cls, model, rows, bind)
    schema = schema_for(conn, model, family)
    assert schema is not None
    loads: list[tuple[str, bool, list[Any], dict[int, Any]]] = []
    for name, child in node.sub.items():
        info = schema.get(name)
        if info is None or not info.relation:
            continue
        taken = [row.pop(name, _ABSENT) for row in rows]
        unique: dict[int, dict[str, Any]] = {}
        for value in taken:
            if isinstance(value, dict):
                unique.setdefault(value["id"], value)
            elif isinstance(value, list):
                for v in value:
                    if isinstance(v, dict):
                        unique.setdefault(v["id"], v)
        relation = info.relation
        related_cls = family.zenoo_related(relation) if family is not None else None
        built = _build_nested(conn, related_cls, family, relation, list(unique.values()), child, bind)
        loads.append((name, info.type == "many2one", taken, {r.id: r for r in built}))
    records = _build(conn, cls, model, rows, bind)
    for name, single, taken, by_id in loads:
        for rec, value in zip(records, taken):
            if value is _ABSENT:
                continue
            if single:
                rec.zenoo_load(name, by_id[value["id"]] if isinstance(value, dict) else None)
            else:
                rec.zenoo_load(name, [by_id[v["id"]] for v in value or () if isinstance(v, dict)])
    return records


def _query_domain(conn: Connection, spec: QuerySpec, extra_domain: list[Any] | None) -> list[Any]:
    domain = spec.domain(_resolver(conn, spec.record_cls))
    if extra_domain:
        domain = ["&", *extra_domain, *domain] if domain else list(extra_domain)
    return domain


def search_read_rows(
    conn: Connection,
    spec: QuerySpec,
    context: Mapping[str, Any],
    extra_domain: list[Any] | None = None,
    companions: tuple[str, ...] = (),
    root: _Node | None = None,
) -> Flow[list[dict[str, Any]]]:
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    schema = schema_for(conn, spec.model, spec.record_cls)
    assert schema is not None
    root = _tree(spec) if root is None else root
    domain = _query_domain(conn, spec, extra_domain)
    kwargs: dict[str, Any] = {"fields": _fields_for(schema, root.fields, root.sub), **_paging(spec)}
    read = _Read(
        spec.model,
        "search_read",
        [domain],
        kwargs,
        {**context, **spec.context},
        spec.cache_ttl,
        tuple(drift.domain_paths(domain, spec.order)),
    )
    rows: list[dict[str, Any]] = (yield from _reads(conn, spec.record_cls, [read], companions))[0]
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
    domain = spec.domain(_resolver(conn, spec.record_cls))
    read = _Read(
        spec.model,
        "search_count",
        [domain],
        kwargs,
        {**context, **spec.context},
        spec.cache_ttl,
        tuple(drift.domain_paths(domain)),
    )
    [n] = yield from _reads(conn, spec.record_cls, [read])
    return max(0, int(n) - spec.offset) if spec.offset else int(n)


def search_ids(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[list[int]]:
    yield from ensure_schemas(conn, [spec.model], context, spec.record_cls)
    domain = spec.domain(_resolver(conn, spec.record_cls))
    read = _Read(
        spec.model,
        "search",
        [domain],
        _paging(spec),
        {**context, **spec.context},
        spec.cache_ttl,
        tuple(drift.domain_paths(domain, spec.order)),
    )
    ids: list[int] = (yield from _reads(conn, spec.record_cls, [read]))[0]
    return ids


def values(conn: Connection, spec: QuerySpec, context: Mapping[str, Any]) -> Flow[list[dict[str, Any]]]:
    """Rows as dicts; dotted field names (``"partner_id.name"``) give nested dicts, read as records are."""
    if not any("." in f for f in spec.fields or ()):
        rows: list[dict[str, Any]] = yield from search_read_rows(conn, spec, context)
        return rows
    root = _tree(spec)
    ctx = {**context, **spec.context}
    models = yield from _models_for_prefetch(conn, spec.model, root, spec.record_cls, ctx)
    yield from _learn_if_drifting(conn, spec.record_cls, models, ctx)
    nested, _ = yield from _rows(conn, spec, context, root, None, tuple(models[1:]), False)
    return nested


def fetch_page(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any, after_id: int, size: int
) -> Flow[tuple[list[Any], bool]]:
    """One page of a keyset scan: ``id > after_id`` ordered by id (constant cost, whatever the depth), and
    whether another page may follow: on Odoo 17+ the same call tells how many records are left (counted up
    to ``size + 1``), so a scan ends without asking for an empty page."""
    page_spec = attrs.evolve(spec, order=("id",), limit=size, offset=0)
    records, left = yield from _fetch(conn, page_spec, context, bind, [("id", ">", after_id)], True, size + 1)
    return records, len(records) == size and (left is None or left > size)


def fetch_numbered_page(
    conn: Connection, spec: QuerySpec, context: Mapping[str, Any], bind: Any, number: int, size: int
) -> Flow[tuple[list[Any], int]]:
    """Page ``number`` (from 1) of ``size`` records and the number of matching records, in one call on Odoo
    17+ (``web_search_read``'s ``length``); a count beside the page where it cannot be told."""
    page_spec = attrs.evolve(spec, offset=(number - 1) * size, limit=size)
    records, total = yield from _fetch(conn, page_spec, context, bind, None, True)
    if total is None or (not records and page_spec.offset):  # Odoo says 0 for a page past the end
        total = yield from count(conn, attrs.evolve(spec, limit=None, offset=0), context)
    return records, total


def checked_values(
    conn: Connection,
    model: str,
    vals_list: list[Any],
    context: Mapping[str, Any],
    family: Family,
) -> Flow[list[dict[str, Any]]]:
    """Values checked before sending against the class (typed) or the server's fields (dynamic), and for a
    typed model against what the server is known to lack; returned as wire values."""
    yield from ensure_schemas(conn, [model], context, family)
    schema = schema_for(conn, model, family)
    try:
        wire = [validate_values(model, schema, v) for v in vals_list]
    except UnknownFieldError as exc:
        if schema is None or schema is not conn.schemas.get(model):
            raise
        raise UnknownFieldError(
            model, exc.field, f"the server {drift.server_label(conn)} does not have it (its fields_get)"
        ) from None
    drift.check_values(conn, model, family.zenoo_related(model) if family is not None else None, wire)
    return wire


def create(
    conn: Connection, model: str, vals: Any, context: Mapping[str, Any], family: Family = None
) -> Flow[Any]:
    """One ``create`` call, for one dict or a list of dicts; values checked against the schema first."""
    single = isinstance(vals, Mapping)
    wire = yield from checked_values(conn, model, [vals] if single else list(vals), context, family)
    if not wire:
        return []
    ids = yield from _write_call(conn, model, "create", [wire], wire, context, family)
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
    [wire] = yield from checked_values(conn, model, [vals], context, family)
    if not ids or not wire:
        return True
    return bool((yield from _write_call(conn, model, "write", [list(ids), wire], [wire], context, family)))


def update(
    conn: Connection, spec: QuerySpec, vals: Mapping[str, Any], context: Mapping[str, Any]
) -> Flow[int]:
    # bad values and fields the server is known to lack fail before the search, not after it
    yield from checked_values(conn, spec.model, [vals], context, spec.record_cls)
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
    cls = None if isinstance(record, DynamicRecord) else type(record)
    [rows] = yield from _reads(conn, cls, [_Read(model, "read", [[record.id]], {"fields": fields}, context)])
    if not rows:
        raise DoesNotExist(f"{model}({record.id}) does not exist any more")
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
    fields = [a for a in aggs if a != "__count"]
    paths = (*drift.domain_paths(domain, spec.order), *spec.groupby, *(a.split(":")[0] for a in fields))
    if major >= 19:
        kwargs: dict[str, Any] = {"aggregates": aggs, **_paging(spec)}
        args = [domain, list(spec.groupby)]
        read = _Read(spec.model, "formatted_read_group", args, kwargs, ctx, spec.cache_ttl, paths)
        [rows] = yield from _reads(conn, spec.record_cls, [read])
        return [{k: v for k, v in r.items() if k != "__extra_domain"} for r in rows]
    kwargs = {"lazy": False, **_paging(spec, order_key="orderby")}
    args = [domain, fields, list(spec.groupby)]
    read = _Read(spec.model, "read_group", args, kwargs, ctx, spec.cache_ttl, paths)
    [rows] = yield from _reads(conn, spec.record_cls, [read])
    out = []
    for r in rows:
        row: dict[str, Any] = {g: r.get(g) for g in spec.groupby}
        for a in fields:
            row[a] = r.get(a.split(":")[0])
        if "__count" in aggs:
            row["__count"] = r.get("__count", r.get(f"{spec.groupby[0]}_count") if spec.groupby else None)
        out.append(row)
    return out
