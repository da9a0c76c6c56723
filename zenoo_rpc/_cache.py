"""Cache backends (memory with cachetools, Redis sync and async) and the tiered cache manager.

Values are bytes (JSON made by the core); nothing is ever unpickled. Keys come from the core and embed
server, database and user, so an entry never crosses users or databases.

A cache is an optimisation: a tier that fails or does not answer within its timeout is skipped (one
warning per outage on the ``zenoo_rpc.cache`` logger), reads go to Odoo, and the tier is tried again after
a short, growing interval. What could not be removed from it meanwhile (a write's invalidation, a delete)
is remembered and applied on the next contact, before anything is read from that tier again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any, Protocol

import cachetools

from . import _fork
from ._core.errors import ZenooError

__all__ = [
    "DEFAULT_RETRY_INTERVAL",
    "DEFAULT_TIMEOUT",
    "AsyncRedisBackend",
    "CacheBackend",
    "CacheManager",
    "MemoryBackend",
    "RedisBackend",
]

_log = logging.getLogger("zenoo_rpc.cache")

#: seconds a Redis tier may take to connect, and again to answer a command, before it is skipped
DEFAULT_TIMEOUT = 0.25
#: seconds before a tier that failed is tried again; doubled after each failed try, up to MAX_RETRY_INTERVAL
DEFAULT_RETRY_INTERVAL = 1.0
MAX_RETRY_INTERVAL = 30.0
#: removals remembered for a tier that is down; past this many, one ``clear`` of the tier replaces them
MAX_PENDING = 10_000


class _TierDown(ZenooError):
    """A cache tier failed or did not answer in time. The cache manager catches it and skips the tier;
    it never reaches the caller of a query."""


class _Failures:
    """``with self._failures:`` turns the backend library's errors into :class:`_TierDown`."""

    def __init__(self, name: str, errors: tuple[type[BaseException], ...]) -> None:
        self.name = name
        self.errors = errors

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None and isinstance(exc, self.errors):
            raise _TierDown(f"{type(exc).__name__}: {exc}") from None


Op = tuple[Any, str, tuple[Any, ...]]  # (backend, method name, args): what manager flows yield


class CacheBackend(Protocol):
    """What a tier does; each method may be a coroutine on the async face. A failure raises
    :class:`_TierDown` (the manager then skips the tier). ``tier_name`` names the tier in stats and logs."""

    tier_name: str

    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> Any: ...
    def delete(self, key: str) -> Any: ...
    def drop_tags(self, tags: tuple[str, ...]) -> Any: ...
    def clear(self) -> Any: ...
    def size(self) -> Any: ...


class MemoryBackend:
    """An in-process cache: ``strategy`` is ``lru``, ``lfu`` or ``ttl``; every entry also has its own TTL."""

    def __init__(
        self, max_size: int = 10_000, default_ttl: float | None = 300.0, strategy: str = "lru"
    ) -> None:
        self.max_size = int(max_size)
        self.default_ttl = default_ttl
        self.strategy = strategy
        self.evictions = 0
        self._entries: cachetools.Cache[str, tuple[float, bytes]] = self._make()
        self._tags: dict[str, set[str]] = {}
        # cachetools caches are not thread-safe, and a sync client is shared by a web server's threads
        self._lock = threading.Lock()
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        """In a forked child: a new lock. If another thread held the old one at fork time, the entries may
        be half-changed, and the child starts empty."""
        if self._lock.locked():
            self._entries = self._make()
            self._tags = {}
        self._lock = threading.Lock()

    def _make(self) -> cachetools.Cache[str, tuple[float, bytes]]:
        base: Any = {
            "lru": cachetools.LRUCache,
            "lfu": cachetools.LFUCache,
            "ttl": cachetools.LRUCache,  # expiry is per entry below; LRU decides what to evict when full
        }.get(self.strategy, cachetools.LRUCache)
        backend = self

        class Counting(base):  # type: ignore[misc]
            def popitem(self) -> tuple[str, tuple[float, bytes]]:
                backend.evictions += 1
                return super().popitem()  # type: ignore[no-any-return]

        if self.strategy not in ("lru", "lfu", "ttl"):
            raise ValueError(f"unknown cache strategy {self.strategy!r}: use lru, lfu or ttl")
        return Counting(maxsize=max(1, self.max_size))

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires and expires < time.monotonic():
                self._entries.pop(key, None)
                return None
            return value

    def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        ttl = self.default_ttl if ttl is None else ttl
        expires = time.monotonic() + ttl if ttl else 0.0
        with self._lock:
            self._entries[key] = (expires, value)
            for tag in tags:
                self._tags.setdefault(tag, set()).add(key)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def drop_tags(self, tags: tuple[str, ...]) -> None:
        with self._lock:
            for tag in tags:
                for key in self._tags.pop(tag, ()):
                    self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._tags.clear()

    def size(self) -> int:
        return len(self._entries)

    def resize(self, max_size: int) -> None:
        with self._lock:
            old = list(self._entries.items())
            self.max_size = int(max_size)
            self._entries = self._make()
            for k, v in old[-self.max_size :]:
                self._entries[k] = v


class _RedisCommands:
    """Key layout and client options shared by the sync and async Redis backends."""

    def __init__(
        self,
        prefix: str,
        default_ttl: float | None,
        timeout: float,
        more_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        import redis.exceptions

        self.prefix = prefix
        self.default_ttl = default_ttl
        self.timeout = timeout
        # TimeoutError is an OSError; asyncio's is another class before Python 3.11
        self._failures = _Failures("redis", (redis.exceptions.RedisError, OSError, *more_errors))

    def client_options(self, retry_cls: Any) -> dict[str, Any]:
        """Bounded waits: a tier that does not answer is skipped, not waited for (options in the URL's query
        string still win). redis-py's own retries are limited to one immediate reconnection after a
        connection error (a pooled connection that a restarted Redis closed); a timeout is not retried."""
        import redis.exceptions
        from redis.backoff import NoBackoff

        return {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            "retry": retry_cls(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
        }

    def k(self, key: str) -> str:
        return f"{self.prefix}:v:{key}"

    def t(self, tag: str) -> str:
        return f"{self.prefix}:t:{tag}"

    def ttl_ms(self, ttl: float | None) -> int | None:
        ttl = self.default_ttl if ttl is None else ttl
        return int(ttl * 1000) if ttl else None


class RedisBackend(_RedisCommands):
    """redis-py's pool checks the process id on every use: a forked child gets connections of its own."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "zenoo",
        default_ttl: float | None = 300.0,
        timeout: float = DEFAULT_TIMEOUT,
        client: Any = None,
    ) -> None:
        super().__init__(prefix, default_ttl, timeout)
        if client is None:
            import redis
            from redis.retry import Retry

            client = redis.Redis.from_url(url, **self.client_options(Retry))
        self.client = client

    def get(self, key: str) -> bytes | None:
        with self._failures:
            value = self.client.get(self.k(key))
        return bytes(value) if value is not None else None

    def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        with self._failures:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(self.k(key), value, px=self.ttl_ms(ttl))
            for tag in tags:
                pipe.sadd(self.t(tag), self.k(key))
            pipe.execute()

    def delete(self, key: str) -> None:
        with self._failures:
            self.client.delete(self.k(key))

    def drop_tags(self, tags: tuple[str, ...]) -> None:
        with self._failures:
            for tag in tags:
                keys = self.client.smembers(self.t(tag))
                self.client.delete(self.t(tag), *keys)

    def clear(self) -> None:
        with self._failures:
            for key in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
                self.client.delete(key)

    def size(self) -> int:
        with self._failures:
            return sum(1 for _ in self.client.scan_iter(match=f"{self.prefix}:v:*", count=500))

    def close(self) -> None:
        self.client.close()


class AsyncRedisBackend(_RedisCommands):
    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        prefix: str = "zenoo",
        default_ttl: float | None = 300.0,
        timeout: float = DEFAULT_TIMEOUT,
        client: Any = None,
    ) -> None:
        import asyncio  # the async face has it loaded already; the sync face never needs it

        super().__init__(prefix, default_ttl, timeout, (asyncio.TimeoutError,))
        self._url = url if client is None else None
        self.client = client if client is not None else self._connect(url)
        _fork.register(self)

    def _connect(self, url: str) -> Any:
        import redis.asyncio
        from redis.asyncio.retry import Retry

        return redis.asyncio.Redis.from_url(url, **self.client_options(Retry))

    def _after_fork_in_child(self) -> None:
        """In a forked child: connections of its own (redis.asyncio, unlike redis-py's sync pool, does not
        check the process id). A client made here is replaced and the parent's left alone; a client given to
        the backend has its pool reset, which forgets the parent's connections without closing them."""
        if self._url is not None:
            _fork.abandon(self.client)
            self.client = self._connect(self._url)
        else:
            self.client.connection_pool.reset()

    async def get(self, key: str) -> bytes | None:
        with self._failures:
            value = await self.client.get(self.k(key))
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        with self._failures:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(self.k(key), value, px=self.ttl_ms(ttl))
            for tag in tags:
                pipe.sadd(self.t(tag), self.k(key))
            await pipe.execute()

    async def delete(self, key: str) -> None:
        with self._failures:
            await self.client.delete(self.k(key))

    async def drop_tags(self, tags: tuple[str, ...]) -> None:
        with self._failures:
            for tag in tags:
                keys = await self.client.smembers(self.t(tag))
                await self.client.delete(self.t(tag), *keys)

    async def clear(self) -> None:
        with self._failures:
            async for key in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
                await self.client.delete(key)

    async def size(self) -> int:
        n = 0
        with self._failures:
            async for _ in self.client.scan_iter(match=f"{self.prefix}:v:*", count=500):
                n += 1
        return n

    async def close(self) -> None:
        await self.client.aclose()


ManagerFlow = Generator[Op, Any, Any]

#: what a guarded operation returns when its tier was skipped (down, or failing now)
_SKIPPED: Any = object()


class _Health:
    """One tier's state: up, or down since an error and skipped until ``next_try``; its counters."""

    def __init__(self, retry_interval: float) -> None:
        self.retry_interval = retry_interval
        self.interval = retry_interval
        self.down_since: float | None = None
        self.next_try = 0.0
        self.probing = False
        #: removals that could not be applied while the tier was down, in order: (method, args)
        self.pending: dict[tuple[str, tuple[Any, ...]], None] = {}
        self.hits = 0
        self.misses = 0
        self.errors = 0
        self.skipped = 0
        self.outages = 0

    def remember(self, op: tuple[str, tuple[Any, ...]]) -> None:
        if len(self.pending) >= MAX_PENDING and op not in self.pending:
            self.pending = {("clear", ()): None}
        elif ("clear", ()) not in self.pending or op == ("clear", ()):
            self.pending[op] = None


class CacheManager:
    """Tiers in order (memory first, then Redis); a hit in a lower tier fills the tiers above it.

    Every method returns what the client's runner makes of it: a value for ``SyncZenooClient``, an awaitable
    for ``ZenooClient``. A tier that fails is skipped (see the module's docstring); :meth:`tier_stats` says
    how each tier is doing.
    """

    def __init__(
        self, runner: Callable[[ManagerFlow], Any], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._run = runner
        self._clock = clock
        self.tiers: dict[str, Any] = {}
        self._health: dict[str, _Health] = {}
        # counters and tier states; never held across a backend operation; a forked child gets it free
        self._lock = _fork.ForkSafeLock()
        self.hits = 0
        self.misses = 0
        self.config: dict[str, Any] = {}

    def add_tier(
        self,
        name: str,
        backend: Any,
        config: dict[str, Any],
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
    ) -> None:
        if retry_interval <= 0:
            raise ValueError(f"retry_interval must be positive, not {retry_interval!r}")
        self.tiers[name] = backend
        self._health[name] = _Health(retry_interval)
        order = {"memory": 0, "redis": 1}
        self.tiers = dict(sorted(self.tiers.items(), key=lambda kv: order.get(kv[0], 2)))
        self.config = {**self.config, **config}

    def _pick(self, backend: str | None) -> list[str]:
        if backend is None:
            return list(self.tiers)
        if backend not in self.tiers:
            raise KeyError(f"no {backend!r} cache tier; set one up with setup_cache_manager(backend=...)")
        return [backend]

    # a tier's health ----------------------------------------------------------------------------------
    def _op(
        self, name: str, method: str, args: tuple[Any, ...], undo: tuple[str, tuple[Any, ...]] | None = None
    ) -> ManagerFlow:
        """One backend operation on a tier, or :data:`_SKIPPED` when the tier is down or fails now. ``undo``
        is the removal to remember when this operation cannot be applied (a drop, a delete)."""
        health = self._health[name]
        ready = yield from self._ready(name)
        if ready:
            try:
                value = yield (self.tiers[name], method, args)
            except _TierDown as exc:
                self._failed(name, exc)
            else:
                if health.down_since is not None:
                    self._back(name)
                return value
        if undo is not None:
            with self._lock:
                health.remember(undo)
        return _SKIPPED

    def _ready(self, name: str) -> ManagerFlow:
        """True when the tier may be used now: it is up, or it is due for a try and what it missed while
        down has been applied to it first."""
        health = self._health[name]
        with self._lock:
            if health.down_since is None:
                return True
            now = self._clock()
            if health.probing or now < health.next_try:
                health.skipped += 1
                return False
            # this flow tries the tier; the others keep skipping it meanwhile (until the next interval)
            health.probing = True
            health.next_try = now + health.interval
        try:
            while True:
                with self._lock:
                    todo = list(health.pending)
                if not todo:
                    return True
                for op in todo:
                    method, args = op
                    try:
                        yield (self.tiers[name], method, args)
                    except _TierDown as exc:
                        self._failed(name, exc)
                        return False
                    with self._lock:
                        health.pending.pop(op, None)
        finally:
            health.probing = False

    def _failed(self, name: str, exc: _TierDown) -> None:
        health = self._health[name]
        with self._lock:
            health.errors += 1
            now = self._clock()
            first = health.down_since is None
            if first:
                health.down_since = now
                health.outages += 1
                health.interval = health.retry_interval
            else:
                health.interval = min(health.interval * 2, max(MAX_RETRY_INTERVAL, health.retry_interval))
            health.next_try = now + health.interval
            interval = health.interval
        if first:
            _log.warning(
                "cache tier %r is not answering (%s): skipping it, reads go to Odoo; trying it again in %.1f s",
                name,
                exc,
                interval,
            )
        else:
            _log.debug("cache tier %r still not answering (%s); next try in %.1f s", name, exc, interval)

    def _back(self, name: str) -> None:
        health = self._health[name]
        with self._lock:
            if health.down_since is None:
                return
            down_for = self._clock() - health.down_since
            health.down_since = None
            health.interval = health.retry_interval
            skipped = health.skipped
        _log.info(
            "cache tier %r answers again after %.1f s (%d operations skipped in all)", name, down_for, skipped
        )

    def tier_stats(self) -> dict[str, dict[str, Any]]:
        """Per tier: hits, misses, errors (operations that failed), skipped (not tried: the tier was down),
        outages, state (``up``/``down``), pending (removals to apply on the next contact), retry_in (s)."""
        now = self._clock()
        with self._lock:
            return {
                name: {
                    "hits": h.hits,
                    "misses": h.misses,
                    "errors": h.errors,
                    "skipped": h.skipped,
                    "outages": h.outages,
                    "state": "up" if h.down_since is None else "down",
                    "pending": len(h.pending),
                    "retry_in": max(0.0, h.next_try - now) if h.down_since is not None else 0.0,
                }
                for name, h in self._health.items()
            }

    # flows over backend operations ---------------------------------------------------------------------
    def lookup(
        self, key: str, backend: str | None = None, *, ttl: float | None = None, tags: tuple[str, ...] = ()
    ) -> ManagerFlow:
        """The value of ``key`` from the first tier that has it; copied into the tiers above that one with
        ``ttl`` and ``tags`` (so that a write drops the copy too)."""
        names = self._pick(backend)
        for i, name in enumerate(names):
            value = yield from self._op(name, "get", (key,))
            if value is _SKIPPED:
                continue
            health = self._health[name]
            if value is not None:
                with self._lock:
                    health.hits += 1
                    self.hits += 1
                for upper in names[:i]:
                    yield from self._op(upper, "set", (key, value, ttl, tags), ("delete", (key,)))
                return value
            with self._lock:
                health.misses += 1
        with self._lock:
            self.misses += 1
        return None

    def store(
        self,
        key: str,
        value: bytes,
        ttl: float | None,
        tags: tuple[str, ...] = (),
        backend: str | None = None,
        *,
        forget_on_skip: bool = False,
    ) -> ManagerFlow:
        """``forget_on_skip``: when a tier cannot take the value, delete the key from it on the next contact
        (an explicit ``set`` must not leave an older value to be read later)."""
        undo = ("delete", (key,)) if forget_on_skip else None
        for name in self._pick(backend):
            yield from self._op(name, "set", (key, value, ttl, tags), undo)

    def drop(self, tags: tuple[str, ...]) -> ManagerFlow:
        for name in self.tiers:
            yield from self._op(name, "drop_tags", (tags,), ("drop_tags", (tags,)))

    def _stats(self) -> ManagerFlow:
        size = 0
        evictions = 0
        for name, tier in self.tiers.items():
            n = yield from self._op(name, "size", ())
            size += n if n is not _SKIPPED else 0
            evictions += getattr(tier, "evictions", 0)
        total = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hits / total if total else 0.0,
            "size": size,
            "evictions": evictions,
            "tiers": list(self.tiers),
            "per_tier": self.tier_stats(),
        }

    def _get_value(self, key: str, backend: str | None) -> ManagerFlow:
        raw = yield from self.lookup(self._user_key(key), backend)
        return json.loads(raw) if raw is not None else None

    def _set_value(self, key: str, value: Any, ttl: float | None, backend: str | None) -> ManagerFlow:
        yield from self.store(
            self._user_key(key), json.dumps(value).encode(), ttl, (), backend, forget_on_skip=True
        )

    def _delete(self, key: str, backend: str | None) -> ManagerFlow:
        for name in self._pick(backend):
            op = ("delete", (self._user_key(key),))
            yield from self._op(name, *op, op)

    def _clear(self) -> ManagerFlow:
        for name in self.tiers:
            yield from self._op(name, "clear", (), ("clear", ()))

    @staticmethod
    def _user_key(key: str) -> str:
        return f"user:{key}"

    # public API (the seed's) ---------------------------------------------------------------------------
    def get(self, key: str, backend: str | None = None) -> Any:
        """A value stored with :meth:`set` (JSON values), or None."""
        return self._run(self._get_value(key, backend))

    def set(self, key: str, value: Any, ttl: float | None = None, backend: str | None = None) -> Any:
        return self._run(self._set_value(key, value, ttl, backend))

    def delete(self, key: str, backend: str | None = None) -> Any:
        return self._run(self._delete(key, backend))

    def clear(self) -> Any:
        return self._run(self._clear())

    def invalidate(self, tags: tuple[str, ...]) -> Any:
        return self._run(self.drop(tags))

    def get_stats(self) -> Any:
        return self._run(self._stats())

    def configure(self, *, max_size: float | None = None, default_ttl: float | None = None) -> Any:
        def flow() -> ManagerFlow:
            for tier in self.tiers.values():
                if max_size is not None and isinstance(tier, MemoryBackend):
                    tier.resize(int(max_size))
                if default_ttl is not None:
                    tier.default_ttl = float(default_ttl)
            if max_size is not None:
                self.config["max_size"] = int(max_size)
            if default_ttl is not None:
                self.config["default_ttl"] = float(default_ttl)
            return dict(self.config)
            yield  # a flow with no backend operation

        return self._run(flow())
