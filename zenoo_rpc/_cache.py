"""Cache backends (memory with cachetools, Redis sync and async) and the tiered cache manager.

Values are bytes (JSON made by the core); nothing is ever unpickled. Keys come from the core and embed
server, database and user, so an entry never crosses users or databases.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

import cachetools

from . import _fork

__all__ = ["AsyncRedisBackend", "CacheManager", "MemoryBackend", "RedisBackend"]

Op = tuple[Any, str, tuple[Any, ...]]  # (backend, method name, args): what manager flows yield


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
    """Key layout shared by the sync and async Redis backends."""

    def __init__(self, prefix: str, default_ttl: float | None) -> None:
        self.prefix = prefix
        self.default_ttl = default_ttl

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
        client: Any = None,
    ) -> None:
        super().__init__(prefix, default_ttl)
        if client is None:
            import redis

            client = redis.Redis.from_url(url)
        self.client = client

    def get(self, key: str) -> bytes | None:
        value = self.client.get(self.k(key))
        return bytes(value) if value is not None else None

    def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.k(key), value, px=self.ttl_ms(ttl))
        for tag in tags:
            pipe.sadd(self.t(tag), self.k(key))
        pipe.execute()

    def delete(self, key: str) -> None:
        self.client.delete(self.k(key))

    def drop_tags(self, tags: tuple[str, ...]) -> None:
        for tag in tags:
            keys = self.client.smembers(self.t(tag))
            self.client.delete(self.t(tag), *keys)

    def clear(self) -> None:
        for key in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
            self.client.delete(key)

    def size(self) -> int:
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
        client: Any = None,
    ) -> None:
        super().__init__(prefix, default_ttl)
        self._url = url if client is None else None
        self.client = client if client is not None else self._connect(url)
        _fork.register(self)

    @staticmethod
    def _connect(url: str) -> Any:
        import redis.asyncio

        return redis.asyncio.Redis.from_url(url)

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
        value = await self.client.get(self.k(key))
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.k(key), value, px=self.ttl_ms(ttl))
        for tag in tags:
            pipe.sadd(self.t(tag), self.k(key))
        await pipe.execute()

    async def delete(self, key: str) -> None:
        await self.client.delete(self.k(key))

    async def drop_tags(self, tags: tuple[str, ...]) -> None:
        for tag in tags:
            keys = await self.client.smembers(self.t(tag))
            await self.client.delete(self.t(tag), *keys)

    async def clear(self) -> None:
        async for key in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
            await self.client.delete(key)

    async def size(self) -> int:
        n = 0
        async for _ in self.client.scan_iter(match=f"{self.prefix}:v:*", count=500):
            n += 1
        return n

    async def close(self) -> None:
        await self.client.aclose()


ManagerFlow = Generator[Op, Any, Any]


class CacheManager:
    """Tiers in order (memory first, then Redis); a hit in a lower tier fills the tiers above it.

    Every method returns what the client's runner makes of it: a value for ``SyncZenooClient``, an awaitable
    for ``ZenooClient``.
    """

    def __init__(self, runner: Callable[[ManagerFlow], Any]) -> None:
        self._run = runner
        self.tiers: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0
        self.config: dict[str, Any] = {}

    def add_tier(self, name: str, backend: Any, config: dict[str, Any]) -> None:
        self.tiers[name] = backend
        order = {"memory": 0, "redis": 1}
        self.tiers = dict(sorted(self.tiers.items(), key=lambda kv: order.get(kv[0], 2)))
        self.config = {**self.config, **config}

    def _pick(self, backend: str | None) -> list[tuple[str, Any]]:
        if backend is None:
            return list(self.tiers.items())
        if backend not in self.tiers:
            raise KeyError(f"no {backend!r} cache tier; set one up with setup_cache_manager(backend=...)")
        return [(backend, self.tiers[backend])]

    # flows over backend operations ---------------------------------------------------------------------
    def lookup(self, key: str, backend: str | None = None) -> ManagerFlow:
        tiers = self._pick(backend)
        for i, (_name, tier) in enumerate(tiers):
            value = yield (tier, "get", (key,))
            if value is not None:
                self.hits += 1
                for _upper_name, upper in tiers[:i]:
                    yield (upper, "set", (key, value, None, ()))
                return value
        self.misses += 1
        return None

    def store(
        self,
        key: str,
        value: bytes,
        ttl: float | None,
        tags: tuple[str, ...] = (),
        backend: str | None = None,
    ) -> ManagerFlow:
        for _name, tier in self._pick(backend):
            yield (tier, "set", (key, value, ttl, tags))

    def drop(self, tags: tuple[str, ...]) -> ManagerFlow:
        for _name, tier in self.tiers.items():
            yield (tier, "drop_tags", (tags,))

    def _stats(self) -> ManagerFlow:
        size = 0
        evictions = 0
        for _name, tier in self.tiers.items():
            size += yield (tier, "size", ())
            evictions += getattr(tier, "evictions", 0)
        total = self.hits + self.misses
        return {
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": self.hits / total if total else 0.0,
            "size": size,
            "evictions": evictions,
            "tiers": list(self.tiers),
        }

    def _get_value(self, key: str, backend: str | None) -> ManagerFlow:
        raw = yield from self.lookup(self._user_key(key), backend)
        return json.loads(raw) if raw is not None else None

    def _set_value(self, key: str, value: Any, ttl: float | None, backend: str | None) -> ManagerFlow:
        yield from self.store(self._user_key(key), json.dumps(value).encode(), ttl, (), backend)

    def _delete(self, key: str, backend: str | None) -> ManagerFlow:
        for _name, tier in self._pick(backend):
            yield (tier, "delete", (self._user_key(key),))

    def _clear(self) -> ManagerFlow:
        for _name, tier in self.tiers.items():
            yield (tier, "clear", ())

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
