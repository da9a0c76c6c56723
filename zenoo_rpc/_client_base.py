"""What both clients share: settings, connection state, context views, query construction, batches."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from . import _fork
from ._cache import CacheManager
from ._core import flows
from ._core.batch import BatchOperation, run_batch
from ._core.connection import Connection, normalize_base_url
from ._core.errors import ClientError
from ._core.query import QuerySpec
from ._core.records import BaseRecord
from ._core.resilience import CircuitBreaker, Deadline, RetryPolicy
from ._core.session import SessionInfo, capture
from ._core.wire import CacheDrop, CacheGet, CachePut
from ._instrument import CallEvent, Instrument
from ._settings import ClientSettings

__all__ = ["Batch", "ClientBase"]

R = TypeVar("R", bound=BaseRecord)


class ClientBase:
    """Construction and everything that does not send: both faces inherit it unchanged."""

    _query_cls: Any

    def __init__(
        self,
        host: str = "localhost",
        port: int | None = None,
        *,
        protocol: str = "auto",
        timeout: float = 30.0,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 30.0,
        headers: Mapping[str, str] | None = None,
        verify_ssl: bool = True,
        http2: bool = False,
        max_concurrency: int = 10,
        retry: RetryPolicy | None = None,
        circuit_breaker: CircuitBreaker | bool | None = None,
        trust_env: bool = True,
        proxies: Mapping[str, str] | str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        client_cert: str
        | os.PathLike[str]
        | tuple[str | os.PathLike[str], str | os.PathLike[str]]
        | None = None,
        event_hooks: Mapping[str, Iterable[Callable[[CallEvent], Any]]] | None = None,
    ) -> None:
        """``timeout`` is the deadline of each call (every request, retry and backoff in it; a call's own
        ``timeout=`` overrides it); ``connect_timeout``/``read_timeout`` bound each attempt's socket waits.
        ``circuit_breaker=False`` turns the breaker off; a :class:`CircuitBreaker` sets its thresholds.
        Proxies come from the environment (``trust_env``) unless ``proxies=`` names them; ``ca_bundle`` and
        ``client_cert`` are PEM files; TLS is verified unless ``verify_ssl=False``."""
        if protocol not in ("auto", "jsonrpc", "xmlrpc", "session", "json2"):
            raise ValueError(f"unknown protocol {protocol!r}: use auto, jsonrpc, xmlrpc, session or json2")
        self._settings = ClientSettings.build(
            timeout=timeout,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=keepalive_expiry,
            headers=headers,
            verify_ssl=verify_ssl,
            http2=http2,
            max_concurrency=max_concurrency,
            trust_env=trust_env,
            proxies=proxies,
            ca_bundle=ca_bundle,
            client_cert=client_cert,
        )
        if isinstance(circuit_breaker, CircuitBreaker):
            breaker = circuit_breaker
        else:
            breaker = CircuitBreaker(enabled=circuit_breaker is not False)
        if breaker.clock is None:
            breaker.clock = time.monotonic
        if breaker.lock is None:  # threads of the sync face (and every view) share the breaker
            breaker.lock = _fork.ForkSafeLock()
        self._conn = Connection(
            normalize_base_url(host, port),
            protocol,
            retry or RetryPolicy(),
            breaker,
        )
        self._instrument = Instrument(self._conn.base_url, event_hooks)
        self._conn.observer = self._instrument
        self._transport = self._make_transport()
        #: monotonic seconds, for call deadlines
        self._clock: Callable[[], float] = time.monotonic
        self._context: dict[str, Any] = {}
        self._shared: dict[str, Any] = {
            "cache": None,
            "batch": {"max_chunk_size": 100, "max_concurrency": 10},
        }

    def _make_transport(self) -> Any:
        raise NotImplementedError

    def _run(self, flow: Any, timeout: float | None = None, deadline: Deadline | None = None) -> Any:
        raise NotImplementedError

    def _deadline(self, timeout: float | None) -> Deadline:
        """The deadline of a call that starts now: ``timeout`` seconds, or the client's ``timeout``."""
        if timeout is None:
            timeout = self._settings.timeout
        elif isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ClientError(f"timeout= takes a positive number of seconds, not {timeout!r}")
        return Deadline.start(timeout, self._clock)

    # -- facts ---------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The server's URL, normalized (``http://localhost:8069``)."""
        return self._conn.base_url

    @property
    def uid(self) -> int | None:
        """The logged-in user's id, None before a login."""
        return self._conn.creds.uid if self._conn.creds else None

    @property
    def db(self) -> str | None:
        """The database logged in to, None before a login."""
        return self._conn.creds.db if self._conn.creds else None

    @property
    def protocol(self) -> str | None:
        """The protocol the login chose: ``session``, ``json2``, ``jsonrpc`` or ``xmlrpc`` (None before)."""
        return self._conn.protocol.name if self._conn.protocol else None

    @property
    def session(self) -> SessionInfo | None:
        """The login's session as a :class:`SessionInfo` (no password or key in it), None before login."""
        return capture(self._conn)

    @property
    def context(self) -> dict[str, Any]:
        """A copy of the context this client (or view) adds to every call."""
        return dict(self._context)

    @property
    def requests_sent(self) -> int:
        """HTTP requests this client's transport has sent (answered or not)."""
        return int(self._transport.requests_sent)

    def __repr__(self) -> str:
        who = f" {self._conn.creds.login}@{self._conn.creds.db}" if self._conn.creds else ""
        return f"<{type(self).__name__} {self._conn.base_url}{who}>"

    # -- observability ---------------------------------------------------------------------------------
    def on_request(self, hook: Callable[[CallEvent], Any]) -> Callable[[CallEvent], Any]:
        """Call ``hook(event)`` before every request is sent (usable as a decorator); see :class:`CallEvent`."""
        return self._instrument.add_hook("request", hook)

    def on_response(self, hook: Callable[[CallEvent], Any]) -> Callable[[CallEvent], Any]:
        """Call ``hook(event)`` after every request answered without an error."""
        return self._instrument.add_hook("response", hook)

    def on_error(self, hook: Callable[[CallEvent], Any]) -> Callable[[CallEvent], Any]:
        """Call ``hook(event)`` after every request that failed: an error Odoo sent, or no usable answer."""
        return self._instrument.add_hook("error", hook)

    def stats(self) -> dict[str, Any]:
        """Counters since the client was made, shared with its ``with_context()`` views (no I/O).

        ``requests``/``retries``/``errors`` (by class) count requests sent; ``calls[model][method]`` has
        ``count``, ``errors``, ``retries``, ``seconds`` and ``p50``/``p90``/``p99``/``max`` latencies in
        seconds over the last 1000 requests; ``breaker``, ``cache`` (per tier) and ``pool`` say the rest.
        """
        snap = self._instrument.snapshot()
        in_flight, peak = snap.pop("in_flight"), snap.pop("peak_in_flight")
        breaker = self._conn.breaker
        manager = self._cache_manager(create=False)
        snap["breaker"] = {"state": breaker.state.value, "failures": breaker.failures}
        snap["cache"] = manager.tier_stats() if manager is not None else {}
        snap["pool"] = {
            "in_flight": in_flight,
            "peak_in_flight": peak,
            "max_concurrency": self._settings.max_concurrency,
            "max_connections": self._settings.max_connections,
            "requests_sent": self.requests_sent,
            **self._transport.pool_stats(),
        }
        return snap

    # -- views -----------------------------------------------------------------------------------------
    def with_context(self, **context: Any) -> Any:
        """A lightweight view with more context (``lang``, ``tz``, ``active_test``, ...) sharing the pool."""
        view = copy.copy(self)
        view._context = {**self._context, **context}
        return view

    def with_company(self, company_id: int, *allowed: int) -> Any:
        """A view acting in ``company_id`` (and the other allowed companies)."""
        return self.with_context(allowed_company_ids=[company_id, *allowed])

    # -- queries ---------------------------------------------------------------------------------------
    @overload
    def model(self, model: type[R]) -> Any: ...
    @overload
    def model(self, model: str) -> Any: ...
    def model(self, model: type[R] | str) -> Any:
        """A query over a generated model class (or a model name)."""
        if isinstance(model, str):
            return self.model_by_name(model)
        if not (isinstance(model, type) and issubclass(model, BaseRecord) and model.__zenoo_model__):
            raise TypeError(f"model() takes a generated model class or a model name, not {model!r}")
        return self._query_cls(self, QuerySpec(model.__zenoo_model__, model))

    def model_by_name(self, name: str) -> Any:
        """A query over any model by name, with dynamic records shaped by the server's own ``fields_get``
        (read once per client and model). Use :meth:`model` with a generated class for typed records."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"model_by_name() takes a model name such as 'res.partner', not {name!r}")
        return self._query_cls(self, QuerySpec(name, None))

    if not TYPE_CHECKING:  # hidden from checkers: the typed clients generated by zenoo-gen declare these

        def __getattr__(self, name: str) -> Any:
            # client.res_partner is the typed clients' (they know their generated package); several packages
            # may have a class for one model, so the plain client does not guess
            hint = ""
            if not name.startswith("_"):
                hint = (
                    ": query a model with client.model(<generated class>) or client.model_by_name(<model>), or"
                    " use your generated package's TypedSyncZenooClient / TypedZenooClient for client.<model>"
                )
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}{hint}")

    # -- record actions (called by BaseRecord.save/delete/refresh) -------------------------------------
    def _save_record(self, record: BaseRecord) -> Any:
        return self._run(flows.save_record(self._conn, record, self._context))

    def _unlink_record(self, record: BaseRecord) -> Any:
        return self._run(
            flows.call(self._conn, record._zenoo_model_name(), "unlink", [[record.id]], None, self._context)
        )

    def _refresh_record(self, record: BaseRecord, fields: tuple[str, ...] = ()) -> Any:
        return self._run(flows.refresh_record(self._conn, record, self._context, self, fields))

    # -- cache and batch setup -------------------------------------------------------------------------
    def _cache_manager(self, create: bool) -> CacheManager | None:
        manager: CacheManager | None = self._shared["cache"]
        if manager is None and create:
            manager = CacheManager(self._run)
            from ._cache import MemoryBackend

            manager.add_tier(
                "memory", MemoryBackend(), {"max_size": 10_000, "default_ttl": 300.0, "strategy": "lru"}
            )
            self._shared["cache"] = manager
        return manager

    def _cache_flow(self, effect: CacheGet | CachePut | CacheDrop) -> Any:
        """The cache manager's flow for a cache effect; None when nothing is to be done. ``cache(ttl)`` on a
        client with no cache set up creates a memory cache rather than silently not caching."""
        if isinstance(effect, CacheDrop):
            manager = self._cache_manager(create=False)
            return manager.drop(effect.tags) if manager is not None else None
        manager = self._cache_manager(create=True)
        assert manager is not None
        if isinstance(effect, CacheGet):
            return manager.lookup(effect.key, ttl=effect.ttl, tags=effect.tags)
        return manager.store(effect.key, effect.value, effect.ttl, effect.tags)

    @property
    def cache_manager(self) -> CacheManager | None:
        """The cache set up with ``setup_cache_manager()`` (or by a first ``cache(ttl)``), else None."""
        return self._cache_manager(create=False)

    def _setup_cache(
        self,
        backend: Any,
        url: str | None,
        max_size: int,
        default_ttl: float | None,
        strategy: str,
        prefix: str | None,
        redis_backend: Callable[..., Any],
        timeout: float,
        retry_interval: float,
    ) -> CacheManager:
        manager: CacheManager | None = self._shared["cache"]
        if manager is None:
            manager = CacheManager(self._run)
            self._shared["cache"] = manager
        config = {"max_size": max_size, "default_ttl": default_ttl, "strategy": strategy}
        if backend == "memory":
            from ._cache import MemoryBackend

            manager.add_tier("memory", MemoryBackend(max_size, default_ttl, strategy), config, retry_interval)
        elif backend == "redis":
            if timeout <= 0:
                raise ValueError(f"timeout must be positive, not {timeout!r}")
            manager.add_tier(
                "redis",
                redis_backend(
                    url or "redis://127.0.0.1:6379/0",
                    prefix=prefix or "zenoo",
                    default_ttl=default_ttl,
                    timeout=timeout,
                ),
                config,
                retry_interval,
            )
        elif not isinstance(backend, str):
            manager.add_tier(
                str(getattr(backend, "tier_name", type(backend).__name__)), backend, config, retry_interval
            )
        else:
            raise ValueError(f"unknown cache backend {backend!r}: use memory, redis or a backend object")
        return manager

    def _batch_settings(
        self,
        max_chunk_size: int,
        max_concurrency: int,
        retry_attempts: int,
        progress_callback: Callable[[int, int], None] | None,
    ) -> dict[str, Any]:
        if max_chunk_size < 1 or max_concurrency < 1:
            raise ClientError("max_chunk_size and max_concurrency must be at least 1")
        self._conn.retry.max_attempts = max(1, retry_attempts)
        self._shared["batch"] = {
            "max_chunk_size": max_chunk_size,
            "max_concurrency": max_concurrency,
            "progress_callback": progress_callback,
        }
        return dict(self._shared["batch"])

    def batch_context(self, max_chunk_size: int | None = None) -> Batch:
        """Collect create/update/delete operations and run them in chunks with :meth:`Batch.execute`."""
        return Batch(self, max_chunk_size or self._shared["batch"]["max_chunk_size"])


class Batch:
    """Usable as ``with`` (sync client) or ``async with`` (async client)."""

    def __init__(self, client: ClientBase, max_chunk_size: int) -> None:
        self._client = client
        self.max_chunk_size = max_chunk_size
        self.operations: list[BatchOperation] = []

    def create(self, model: str, values: list[Mapping[str, Any]]) -> BatchOperation:
        op = BatchOperation("create", model, list(values))
        self.operations.append(op)
        return op

    def update(self, model: str, updates: list[Mapping[str, Any]]) -> BatchOperation:
        """Each item is ``{"id": ..., field: value}``; records given the same values share one write."""
        op = BatchOperation("update", model, list(updates))
        self.operations.append(op)
        return op

    def delete(self, model: str, ids: list[int]) -> BatchOperation:
        op = BatchOperation("delete", model, list(ids))
        self.operations.append(op)
        return op

    def execute(self) -> Any:
        """Run the collected operations; returns one :class:`BatchResult` per operation, in order."""
        settings = self._client._shared["batch"]
        ops, self.operations = self.operations, []
        return self._client._run(
            run_batch(
                self._client._conn,
                ops,
                chunk_size=self.max_chunk_size,
                concurrency=settings["max_concurrency"],
                context=self._client._context,
                progress=settings.get("progress_callback"),
            )
        )

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> Batch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
