"""Cache backends: cachetools in memory, a real Redis (sync and async), tiers; JSON only, keys per user."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc._cache import AsyncRedisBackend, MemoryBackend, RedisBackend
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator


def test_memory_backend_ttl_lru_lfu_and_tags() -> None:
    lru = MemoryBackend(max_size=2, default_ttl=None, strategy="lru")
    lru.set("a", b"1", None, ("t",))
    lru.set("b", b"2", None)
    assert lru.get("a") == b"1"
    lru.set("c", b"3", None)  # evicts b, the least recently used
    assert lru.get("b") is None and lru.evictions == 1
    lru.drop_tags(("t",))
    assert lru.get("a") is None and lru.get("c") == b"3"
    short = MemoryBackend(default_ttl=0.01, strategy="ttl")
    short.set("k", b"v", None)
    import time

    time.sleep(0.02)
    assert short.get("k") is None
    lfu = MemoryBackend(max_size=2, strategy="lfu")
    lfu.set("x", b"1", None)
    lfu.get("x")
    lfu.get("x")
    lfu.set("y", b"2", None)
    lfu.set("z", b"3", None)  # evicts y, the least frequently used
    assert lfu.get("x") == b"1" and lfu.get("y") is None
    with pytest.raises(ValueError):
        MemoryBackend(strategy="fifo")


def test_redis_backend_sync(redis_url: str, redis_prefix: str) -> None:
    backend = RedisBackend(redis_url, prefix=redis_prefix, default_ttl=60)
    backend.set("k1", b'{"a": 1}', None, ("db:x",))
    backend.set("k2", b"[]", 1, ())
    assert backend.get("k1") == b'{"a": 1}' and backend.size() == 2
    raw = redis.Redis.from_url(redis_url)
    assert 0 < raw.pttl(f"{redis_prefix}:v:k1") <= 60_000 and raw.pttl(f"{redis_prefix}:v:k2") <= 1000
    backend.drop_tags(("db:x",))
    assert backend.get("k1") is None and backend.get("k2") == b"[]"
    backend.clear()
    assert backend.size() == 0
    raw.close()
    backend.close()


def test_redis_backend_async(redis_url: str, redis_prefix: str) -> None:
    async def go() -> None:
        backend = AsyncRedisBackend(redis_url, prefix=redis_prefix, default_ttl=60)
        await backend.set("k", b"1", None, ("t",))
        assert await backend.get("k") == b"1" and await backend.size() == 1
        await backend.drop_tags(("t",))
        assert await backend.get("k") is None
        await backend.close()

    asyncio.run(go())


def test_query_cache_through_redis_is_json_and_per_user(
    odoo19: OdooEmulator, redis_url: str, redis_prefix: str
) -> None:
    admin = SyncZenooClient(odoo19.url)
    admin.login("demo", "admin", "admin")
    admin.setup_cache_manager(backend="redis", url=redis_url, prefix=redis_prefix)
    rows = admin.model(ResPartner).filter(is_company=True).only("name").cache(ttl=120).all()
    raw = redis.Redis.from_url(redis_url)
    values = [raw.get(k) for k in raw.scan_iter(match=f"{redis_prefix}:v:*")]
    assert values and all(v is not None and v[:1] in (b"[", b"{") for v in values)  # JSON, never pickle
    demo = SyncZenooClient(odoo19.url)
    demo.login("demo", "demo", "demo")
    demo.setup_cache_manager(backend="redis", url=redis_url, prefix=redis_prefix)
    odoo19.reset_counts()
    again = demo.model(ResPartner).filter(is_company=True).only("name").cache(ttl=120).all()
    assert odoo19.requests == 1  # same store, another user: a miss, never admin's entry
    assert [r.id for r in again] == [r.id for r in rows]
    odoo19.reset_counts()
    admin.model(ResPartner).filter(is_company=True).only("name").cache(ttl=120).all()
    assert odoo19.requests == 0
    admin.model(ResPartner).create({"name": "Invalidates"})  # a write drops this database's cached reads
    admin.model(ResPartner).filter(is_company=True).only("name").cache(ttl=120).all()
    assert odoo19.requests == 2
    raw.close()
    admin.close()
    demo.close()


def test_async_tiered_query_cache(odoo19: OdooEmulator, redis_url: str, redis_prefix: str) -> None:
    async def go() -> list[Any]:
        async with ZenooClient(odoo19.url) as client:
            await client.login("demo", "admin", "admin")
            await client.setup_cache_manager(backend="memory", max_size=100)
            await client.setup_cache_manager(backend="redis", url=redis_url, prefix=redis_prefix)
            q = client.model(ResPartner).filter(customer_rank__gt=0).only("name").cache(ttl=60)
            first = await q.all()
            odoo19.reset_counts()
            second = await q.all()
            assert odoo19.requests == 0
            stats = await client.cache_manager.get_stats()
            assert stats["hits"] >= 1 and stats["tiers"] == ["memory", "redis"]
            return [first, second]

    first, second = asyncio.run(go())
    assert [r.id for r in first] == [r.id for r in second]


def test_a_copy_filled_from_redis_into_memory_is_dropped_by_a_write(
    make_client: Any, odoo19: OdooEmulator, redis_url: str, redis_prefix: str
) -> None:
    """Another process put the entry in Redis; this client copies it into its memory tier on a hit there.
    The copy carries the database's tag, so this client's next write drops it too."""
    other = make_client(odoo19.url)
    other.login("demo", "admin", "admin")
    other.setup_cache_manager("redis", url=redis_url, prefix=redis_prefix)
    tiered = make_client(odoo19.url)
    tiered.login("demo", "admin", "admin")
    tiered.setup_cache_manager("memory")
    tiered.setup_cache_manager("redis", url=redis_url, prefix=redis_prefix)

    def names(c: Any) -> list[str]:
        return [p.name for p in c.model(ResPartner).filter(is_company=True).only("name").cache(ttl=60).all()]

    before = names(other)
    odoo19.reset_counts()
    assert names(tiered) == before and odoo19.requests == 0  # a Redis hit, now copied into memory
    stats = tiered.stats()["cache"]
    assert (stats["memory"]["misses"], stats["redis"]["hits"]) == (1, 1)
    tiered.model(ResPartner).create({"name": "Zz New Company", "is_company": True})
    assert "Zz New Company" in names(tiered)
