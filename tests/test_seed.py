"""The performance guide's examples, as written, against the emulator (the async face), and their sync twins.

The only edits to the guide's code: the port is the emulator's, and the Redis URL is the test Redis.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.models.common import ProductProduct, ResPartner, SaleOrder
from zenoo_rpc.testing import OdooEmulator
from zenoo_rpc.transport.pool import ConnectionPool


@pytest.fixture
def port(odoo19: OdooEmulator) -> int:
    return odoo19.port


async def test_performance_demo(port: int, capsys: pytest.CaptureFixture[str]) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        await client.setup_cache_manager(backend="memory", max_size=10000)
        await client.setup_batch_manager(max_chunk_size=100)
        start_time = time.time()
        tasks = [
            client.model(ResPartner).filter(is_company=True).cache(ttl=300).all(),
            client.model(ResPartner).filter(customer_rank__gt=0).cache(ttl=300).all(),
            client.model(ResPartner).filter(supplier_rank__gt=0).cache(ttl=300).all(),
        ]
        results = await asyncio.gather(*tasks)
        elapsed = time.time() - start_time
        print(f"Completed 3 concurrent queries in {elapsed:.2f}s")
        print(f"Total records: {sum(len(result) for result in results)}")
    out = capsys.readouterr().out
    assert "Completed 3 concurrent queries" in out and sum(len(r) for r in results) > 10


class OptimizedClient:
    def __init__(self, host: str, port: int = 8069):
        with pytest.warns(RuntimeWarning):  # http2=True says what happens instead
            self.client = ZenooClient(
                host,
                port=port,
                http2=True,
                max_connections=100,
                max_keepalive_connections=20,
                keepalive_expiry=30.0,
                timeout=30.0,
                connect_timeout=10.0,
                read_timeout=30.0,
                headers={
                    "Accept-Encoding": "gzip, deflate, br",
                    "User-Agent": "ZenooRPC/1.0 (Performance-Optimized)",
                },
            )

    async def __aenter__(self):
        await self.client.__aenter__()
        return self.client

    async def __aexit__(self, *args):
        await self.client.__aexit__(*args)


async def test_optimized_client(port: int) -> None:
    async with OptimizedClient("localhost", port) as client:
        await client.login("demo", "admin", "admin")
        assert await client.model(ResPartner).filter(is_company=True).count() > 5


class HighPerformancePool:
    def __init__(self, base_url: str):
        with pytest.warns(RuntimeWarning):
            self.pool = ConnectionPool(
                base_url=base_url,
                pool_size=20,
                max_connections=100,
                http2=True,
                timeout=30.0,
                health_check_interval=30.0,
                max_error_rate=5.0,
                connection_ttl=300.0,
            )

    async def initialize(self):
        await self.pool.initialize()

    async def get_stats(self) -> dict:
        return {
            "pool_size": len(self.pool.connections),
            "available": self.pool.available_connections.qsize(),
            "stats": self.pool.stats,
            "circuit_breaker": self.pool.circuit_breaker.state.value,
        }


async def test_connection_pool(port: int) -> None:
    pool = HighPerformancePool(f"http://localhost:{port}")
    await pool.initialize()
    rpc_data = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {"service": "common", "method": "version", "args": []},
    }
    async with pool.pool.get_connection() as client:
        response = await client.post("/jsonrpc", json=rpc_data)
    assert response.json()["result"]["server_serie"] == "19.0"
    stats = await pool.get_stats()
    assert stats["pool_size"] == 20 and stats["available"] == 20 and stats["circuit_breaker"] == "closed"
    await pool.pool.close()


async def efficient_operations(port: int):
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        partners = await client.model(ResPartner).filter(is_company=True).all()
        products = await client.model(ProductProduct).filter(active=True).all()
        orders = await client.model(SaleOrder).filter(state="sale").all()
        return partners, products, orders


async def test_connection_reuse(port: int) -> None:
    partners, products, orders = await efficient_operations(port)
    assert partners and products and len(orders) == 19


class TieredCacheManager:
    def __init__(self, client: ZenooClient, redis_url: str):
        self.client = client
        self.redis_url = redis_url

    async def setup_caching(self):
        await self.client.setup_cache_manager(backend="memory", max_size=1000, default_ttl=60, strategy="lru")
        await self.client.setup_cache_manager(
            backend="redis",
            url=self.redis_url,
            max_size=10000,
            default_ttl=300,
            strategy="ttl",
            prefix=self.prefix,
        )

    async def get_with_fallback(self, key: str) -> Any:
        value = await self.client.cache_manager.get(key, backend="memory")
        if value is not None:
            return value
        value = await self.client.cache_manager.get(key, backend="redis")
        if value is not None:
            await self.client.cache_manager.set(key, value, ttl=60, backend="memory")
            return value
        return None


async def test_tiered_cache(port: int, redis_url: str, redis_prefix: str) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        manager = TieredCacheManager(client, redis_url)
        manager.prefix = redis_prefix
        await manager.setup_caching()
        assert await manager.get_with_fallback("greeting") is None
        await client.cache_manager.set("greeting", {"hello": "world"}, backend="redis")
        assert await manager.get_with_fallback("greeting") == {"hello": "world"}
        assert await client.cache_manager.get("greeting", backend="memory") == {"hello": "world"}
        companies = await client.model(ResPartner).filter(is_company=True).cache(ttl=300).all()
        stats = await client.cache_manager.get_stats()
        assert stats["tiers"] == ["memory", "redis"] and len(companies) > 5


class CacheOptimizedService:
    def __init__(self, client: ZenooClient):
        self.client = client

    async def get_companies(self, use_cache: bool = True) -> list[ResPartner]:
        query = self.client.model(ResPartner).filter(is_company=True)
        if use_cache:
            query = query.cache(ttl=300)
        return await query.all()

    async def get_partner_details(self, partner_id: int) -> ResPartner:
        return await (
            self.client.model(ResPartner)
            .filter(id=partner_id)
            .prefetch_related("category_id", "country_id", "state_id")
            .cache(ttl=600)
            .first()
        )

    async def search_partners(self, query: str, limit: int = 20) -> list[ResPartner]:
        return await (
            self.client.model(ResPartner)
            .filter(name__ilike=f"%{query}%")
            .limit(limit)
            .only("id", "name", "email", "phone")
            .cache(ttl=120)
            .all()
        )


class CacheMonitor:
    def __init__(self, cache_manager):
        self.cache_manager = cache_manager

    async def get_performance_metrics(self) -> dict:
        stats = await self.cache_manager.get_stats()
        hit_rate = (
            stats["hits"] / (stats["hits"] + stats["misses"]) if (stats["hits"] + stats["misses"]) > 0 else 0
        )
        return {
            "hit_rate": f"{hit_rate:.2%}",
            "total_requests": stats["hits"] + stats["misses"],
            "cache_size": stats["size"],
            "memory_usage": stats.get("memory_usage", "N/A"),
            "evictions": stats.get("evictions", 0),
            "avg_response_time": stats.get("avg_response_time", 0),
        }

    async def optimize_cache_settings(self):
        metrics = await self.get_performance_metrics()
        hit_rate = float(metrics["hit_rate"].rstrip("%")) / 100
        if hit_rate < 0.7:
            await self.cache_manager.configure(
                max_size=self.cache_manager.config["max_size"] * 1.5,
                default_ttl=self.cache_manager.config["default_ttl"] * 1.2,
            )
        elif hit_rate > 0.95:
            await self.cache_manager.configure(max_size=self.cache_manager.config["max_size"] * 0.8)


async def test_cache_optimized_service_and_monitor(port: int) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        await client.setup_cache_manager(backend="memory", max_size=1000, default_ttl=300, strategy="lru")
        service = CacheOptimizedService(client)
        companies = await service.get_companies()
        again = await service.get_companies()
        assert [c.id for c in again] == [c.id for c in companies]
        details = await service.get_partner_details(companies[0].id)
        assert details.country_id is None or details.country_id.name
        assert all("a" in p.name.lower() for p in await service.search_partners("a"))
        monitor = CacheMonitor(client.cache_manager)
        metrics = await monitor.get_performance_metrics()
        assert metrics["total_requests"] >= 4
        await monitor.optimize_cache_settings()
        assert client.cache_manager.config["max_size"] in (1000, 1500, 800)


class BatchProcessor:
    def __init__(self, client: ZenooClient):
        self.client = client
        self.progress: list[tuple[int, int]] = []

    async def setup_batch_processing(self):
        await self.client.setup_batch_manager(
            max_chunk_size=100,
            max_concurrency=10,
            retry_attempts=3,
            progress_callback=self._progress_callback,
        )

    async def bulk_create_partners(self, partner_data: list[dict]) -> list[int]:
        async with self.client.batch_context() as batch:
            batch.create("res.partner", partner_data)
            results = await batch.execute()
            return results[0].result

    async def bulk_update_with_different_data(self, updates: list[dict]) -> list[dict]:
        async with self.client.batch_context(max_chunk_size=50) as batch:
            batch.update("res.partner", updates)
            results = await batch.execute()
            return results[0].result

    async def parallel_batch_operations(self, data_sets: list[list[dict]]) -> list[list[int]]:
        return await asyncio.gather(*(self.bulk_create_partners(d) for d in data_sets))

    def _progress_callback(self, completed: int, total: int):
        self.progress.append((completed, total))
        print(f"Batch progress: {completed}/{total} ({completed / total * 100:.1f}%)")


async def test_batch_processor(port: int, odoo19: OdooEmulator) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        processor = BatchProcessor(client)
        await processor.setup_batch_processing()
        odoo19.reset_counts()
        ids = await processor.bulk_create_partners([{"name": f"Seed {i}"} for i in range(250)])
        assert len(ids) == 250 and odoo19.count("res.partner", "create") == 3
        assert processor.progress[-1] == (3, 3)
        updated = await processor.bulk_update_with_different_data(
            [{"id": i, "city": f"C{i % 3}"} for i in ids]
        )
        assert all(updated) and odoo19.count("res.partner", "write") == 3 * 2  # 3 cities, chunks of 50 ids
        sets = await processor.parallel_batch_operations([[{"name": "P1"}], [{"name": "P2"}, {"name": "P3"}]])
        assert [len(s) for s in sets] == [1, 2]


class StreamingProcessor:
    def __init__(self, client: ZenooClient):
        self.client = client
        self.seen = 0

    async def stream_large_dataset(self, model_name: str, batch_size: int = 1000):
        offset = 0
        while True:
            batch = await self.client.model_by_name(model_name).limit(batch_size).offset(offset).all()
            if not batch:
                break
            await self.process_batch(batch)
            offset += batch_size
            await asyncio.sleep(0)

    async def process_batch(self, batch: list[Any]):
        for record in batch:
            await self.process_record(record)
        del batch

    async def process_record(self, record: Any):
        self.seen += 1


async def test_streaming_processor(port: int) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        processor = StreamingProcessor(client)
        await processor.stream_large_dataset("res.partner.category", batch_size=3)
        assert processor.seen == await client.model_by_name("res.partner.category").count()


class OptimizedQueryService:
    def __init__(self, client: ZenooClient):
        self.client = client

    async def get_companies_with_contacts(self) -> list[ResPartner]:
        return await (
            self.client.model(ResPartner)
            .filter(is_company=True)
            .prefetch_related("child_ids")
            .only("id", "name", "email", "child_ids")
            .cache(ttl=300)
            .all()
        )

    async def get_partner_summary(self, partner_ids: list[int]) -> list[dict]:
        return await (
            self.client.model(ResPartner)
            .filter(id__in=partner_ids)
            .only("id", "name", "email", "phone", "is_company")
            .values()
        )

    async def search_with_pagination(self, search_term: str, page: int = 1, page_size: int = 20):
        offset = (page - 1) * page_size
        total_count = await self.client.model(ResPartner).filter(name__ilike=f"%{search_term}%").count()
        results = await (
            self.client.model(ResPartner)
            .filter(name__ilike=f"%{search_term}%")
            .limit(page_size)
            .offset(offset)
            .only("id", "name", "email")
            .cache(ttl=60)
            .all()
        )
        return {
            "results": results,
            "total_count": total_count,
            "page": page,
            "page_size": page_size,
            "total_pages": (total_count + page_size - 1) // page_size,
        }


async def test_optimized_query_service(port: int) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        service = OptimizedQueryService(client)
        companies = await service.get_companies_with_contacts()
        assert any(c.child_ids and c.child_ids[0].name for c in companies)
        summary = await service.get_partner_summary([c.id for c in companies[:3]])
        assert len(summary) == 3 and set(summary[0]) == {"id", "name", "email", "phone", "is_company"}
        page = await service.search_with_pagination("a", page=2, page_size=5)
        assert len(page["results"]) == 5 and page["total_pages"] >= 2


class RelationshipOptimizer:
    def __init__(self, client: ZenooClient):
        self.client = client

    async def get_orders_with_details(self) -> list[dict]:
        orders = await (
            self.client.model(SaleOrder)
            .filter(state="sale")
            .prefetch_related("partner_id", "order_line", "order_line.product_id")
            .select_related("partner_id")
            .all()
        )
        return [
            {
                "order_id": order.id,
                "customer_name": order.partner_id.name,
                "total_amount": order.amount_total,
                "line_count": len(order.order_line),
                "products": [line.product_id.name for line in order.order_line],
            }
            for order in orders
        ]

    async def get_partners_with_categories(self) -> list[dict]:
        partners = (
            await self.client.model(ResPartner).filter(is_company=True).prefetch_related("category_id").all()
        )
        return [
            {"partner_id": p.id, "name": p.name, "categories": [cat.name for cat in p.category_id]}
            for p in partners
        ]


async def test_relationship_optimizer(port: int, odoo19: OdooEmulator) -> None:
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        optimizer = RelationshipOptimizer(client)
        odoo19.reset_counts()
        orders = await optimizer.get_orders_with_details()
        assert len(orders) == 19 and odoo19.requests == 4
        partners = await optimizer.get_partners_with_categories()
        assert any(p["categories"] for p in partners)


class MemoryOptimizer:
    def __init__(self, client: ZenooClient):
        self.client = client
        self.count = 0

    async def process_large_dataset_efficiently(self, model_name: str):
        async for batch in self._batch_generator(model_name, batch_size=500):
            await self._process_batch_memory_efficient(batch)
            del batch
            await asyncio.sleep(0)

    async def _batch_generator(self, model_name: str, batch_size: int = 500):
        offset = 0
        while True:
            batch = await self.client.model_by_name(model_name).limit(batch_size).offset(offset).values()
            if not batch:
                break
            yield batch
            offset += batch_size

    async def _process_batch_memory_efficient(self, batch: list[dict]):
        for record in batch:
            await self._process_record(record)

    async def _process_record(self, record: dict):
        self.count += 1


async def test_memory_optimizer(port: int, odoo19: OdooEmulator) -> None:
    odoo19.load_partners(1200)
    async with ZenooClient("localhost", port=port) as client:
        await client.login("demo", "admin", "admin")
        optimizer = MemoryOptimizer(client)
        await optimizer.process_large_dataset_efficiently("res.partner")
        assert optimizer.count == await client.model_by_name("res.partner").count()


async def test_best_practices(port: int) -> None:
    with pytest.warns(RuntimeWarning):
        client = ZenooClient(
            "localhost",
            port=port,
            http2=True,
            max_connections=100,
            max_keepalive_connections=20,
            timeout=30.0,
        )
    await client.login("demo", "admin", "admin")
    partners = await (
        client.model(ResPartner)
        .filter(is_company=True)
        .only("id", "name", "email")
        .prefetch_related("category_id")
        .cache(ttl=300)
        .limit(100)
        .all()
    )
    partner_data = [{"name": f"Best {i}"} for i in range(10)]
    async with client.batch_context(max_chunk_size=100) as batch:
        batch.create("res.partner", partner_data)
        results = await batch.execute()
    await client.setup_cache_manager(backend="memory", max_size=1000, default_ttl=300, strategy="lru")
    await client.close()
    assert partners and len(results[0].result) == 10


def test_sync_twin_of_the_guide(odoo19: OdooEmulator, redis_url: str, redis_prefix: str) -> None:
    """The same patterns on SyncZenooClient, as a Django view would use them."""
    with SyncZenooClient("localhost", port=odoo19.port) as client:
        client.login("demo", "admin", "admin")
        client.setup_cache_manager(backend="memory", max_size=1000, default_ttl=60, strategy="lru")
        client.setup_cache_manager(backend="redis", url=redis_url, default_ttl=300, prefix=redis_prefix)
        q = client.model(ResPartner).filter(is_company=True).only("id", "name").cache(ttl=300)
        first = q.all()
        odoo19.reset_counts()
        assert [p.id for p in q.all()] == [p.id for p in first] and odoo19.requests == 0
        client.setup_batch_manager(max_chunk_size=100)
        with client.batch_context() as batch:
            batch.create("res.partner", [{"name": f"Sync {i}"} for i in range(150)])
            results = batch.execute()
        assert len(results[0].result) == 150
        orders = (
            client.model(SaleOrder)
            .filter(state="sale")
            .prefetch_related("partner_id", "order_line.product_id")
            .all()
        )
        assert all(o.partner_id.name for o in orders)
        assert (
            sum(1 for _ in client.model(ResPartner).only("name").iterate(batch_size=50))
            == client.model(ResPartner).count()
        )
