"""A client used before ``os.fork()`` works in the child (gunicorn --preload, Celery prefork, multiprocessing).

Every test forks for real. The child runs under a time limit that the parent enforces (a hang fails the test
instead of hanging it), reports what it read through a pipe and leaves with ``os._exit``. The emulator runs
in the parent and notes the client port of every request, so a test sees which connections the child used:
never one of the parent's. The parent then uses its client again, on its own untouched connections.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.models.common import ResPartner, SaleOrder
from zenoo_rpc.testing import OdooEmulator
from zenoo_rpc.transport import ConnectionPool

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork()"),
    # Python 3.12+ warns that forking a multi-threaded process may deadlock: that is what is tested here
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

CHILD_TIMEOUT = 30.0


class RecordingEmulator(OdooEmulator):
    """The emulator, noting the client port of every request it answers."""

    def __init__(self, version: str) -> None:
        super().__init__(version)
        self.ports: list[int] = []

    def make_app(self) -> Any:
        app = super().make_app()

        async def note(request: Any, response: Any) -> None:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            if peer:
                self.ports.append(int(peer[1]))

        app.on_response_prepare.append(note)
        return app

    def ports_since(self, mark: int) -> list[int]:
        return self.ports[mark:]


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingEmulator]:
    emulator = RecordingEmulator("19.0")
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def odoo(server: RecordingEmulator) -> Iterator[RecordingEmulator]:
    yield server
    server.reset_data()


def in_child(body: Callable[[], Any], timeout: float = CHILD_TIMEOUT) -> Any:
    """Run ``body`` in a forked child and return what it returned (JSON); fail if it raised or hung."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's pytest machinery
        os.close(read_fd)
        code = 1
        try:
            try:
                message = json.dumps({"ok": body()})
                code = 0
            except BaseException:
                message = json.dumps({"error": traceback.format_exc()})
            os.write(write_fd, message.encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail(f"the forked child did not finish within {timeout:.0f}s: it hung")
            ready, _, _ = select.select([read_fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    report = json.loads(b"".join(chunks) or b'{"error": "the child wrote nothing"}')
    assert "error" not in report, f"in the forked child:\n{report['error']}"
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    return report["ok"]


# -- what both faces do: a parallel prefetch, a batch of several chunks, a cached read --------------------
def summary(orders: list[Any]) -> list[Any]:
    return sorted([o.name, o.partner_id.name, len(o.order_line)] for o in orders)


def use_sync(client: SyncZenooClient, tag: str) -> dict[str, Any]:
    orders = client.model(SaleOrder).filter(state="sale").prefetch_related("partner_id", "order_line").all()
    with client.batch_context(max_chunk_size=2) as batch:
        batch.create("res.partner", [{"name": f"fork-{tag}-{i}"} for i in range(6)])
        created = batch.execute()[0]
    names = client.model(ResPartner).filter(name__startswith=f"fork-{tag}-").only("name").cache(ttl=60).all()
    return {"orders": summary(orders), "created": len(created.result), "names": sorted(p.name for p in names)}


async def use_async(client: ZenooClient, tag: str) -> dict[str, Any]:
    orders = await (
        client.model(SaleOrder).filter(state="sale").prefetch_related("partner_id", "order_line").all()
    )
    async with client.batch_context(max_chunk_size=2) as batch:
        batch.create("res.partner", [{"name": f"fork-{tag}-{i}"} for i in range(6)])
        created = (await batch.execute())[0]
    query = client.model(ResPartner).filter(name__startswith=f"fork-{tag}-").only("name").cache(ttl=60)
    names = await query.all()
    return {"orders": summary(orders), "created": len(created.result), "names": sorted(p.name for p in names)}


def expected(tag: str, orders: list[Any]) -> dict[str, Any]:
    return {"orders": orders, "created": 6, "names": sorted(f"fork-{tag}-{i}" for i in range(6))}


def redis_marker(url: str) -> int:
    """Redis numbers its connections in order: every connection made before this one has a smaller id."""
    raw = redis.Redis.from_url(url)
    try:
        return int(raw.client_id())
    finally:
        raw.close()


def zenoo_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zenoo-rpc")]


# -- sync face --------------------------------------------------------------------------------------------
def test_sync_client_used_before_fork_works_in_the_child(odoo: RecordingEmulator) -> None:
    client = SyncZenooClient(odoo.url, max_concurrency=4)
    client.setup_batch_manager(max_chunk_size=2, max_concurrency=3)
    client.login("demo", "admin", "admin")
    first = use_sync(client, "parent")
    assert zenoo_threads(), "the parallel operations should have started the client's worker threads"
    assert first == expected("parent", first["orders"]) and first["orders"]
    parent_ports = set(odoo.ports)

    mark = len(odoo.ports)
    in_child_result = in_child(lambda: use_sync(client, "child"))
    child_ports = set(odoo.ports_since(mark))
    assert in_child_result == expected("child", first["orders"])
    assert child_ports and not child_ports & parent_ports, "the child used a connection of its parent"

    mark = len(odoo.ports)
    assert client.model(ResPartner).filter(name__startswith="fork-child-").count() == 6
    assert odoo.ports_since(mark)[0] in parent_ports, "the parent's pooled connection should be untouched"
    assert use_sync(client, "again") == expected("again", first["orders"])
    client.close()


def test_locks_held_by_other_threads_at_fork_time_are_not_inherited(odoo: RecordingEmulator) -> None:
    """A fork happens while another thread is inside the client (here: holds its locks): the child must not
    wait for a thread it does not have."""
    client = SyncZenooClient(odoo.url, max_concurrency=4)
    client.login("demo", "admin", "admin")
    client.setup_cache_manager("memory")
    first = use_sync(client, "parent")
    manager = client.cache_manager
    assert manager is not None
    locks = [
        manager.tiers["memory"]._lock,
        manager._lock,
        client._transport._lock,
        client._pool._lock,
        client._conn.breaker.lock,
        client._instrument._lock,
    ]
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        for lock in locks:
            lock.acquire()
        holding.set()
        release.wait(60)
        for lock in locks:
            lock.release()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        assert in_child(lambda: use_sync(client, "child")) == expected("child", first["orders"])
    finally:
        release.set()
        holder.join(10)
    assert use_sync(client, "again") == expected("again", first["orders"])
    client.close()


def test_a_once_run_in_flight_at_fork_time_is_not_inherited(odoo: RecordingEmulator) -> None:
    """Concurrent first queries of a model share one fields_get (a Once run). A fork while another thread
    holds the client's Once registry: the child's own first query of a model must not wait for it."""
    client = SyncZenooClient(odoo.url)
    client.login("demo", "admin", "admin")
    assert client.model_by_name("res.partner.category").count() > 0  # the registry exists
    lock = client._once.get().lock
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        assert in_child(lambda: client.model_by_name("res.country").count()) > 100
    finally:
        release.set()
        holder.join(10)
    assert client.model_by_name("res.currency").count() > 0
    client.close()


def test_sync_redis_cache_in_the_child_uses_its_own_connection(
    odoo: RecordingEmulator, redis_url: str, redis_prefix: str
) -> None:
    client = SyncZenooClient(odoo.url)
    client.login("demo", "admin", "admin")
    manager = client.setup_cache_manager("redis", url=redis_url, prefix=redis_prefix)
    redis_client = manager.tiers["redis"].client
    first = use_sync(client, "parent")
    marker = redis_marker(redis_url)

    def child() -> Any:
        return {"use": use_sync(client, "child"), "redis_id": redis_client.client_id()}

    got = in_child(child)
    assert got["use"] == expected("child", first["orders"])
    assert got["redis_id"] > marker, "the child used its parent's Redis connection"
    assert redis_client.client_id() < marker, "the parent's Redis connection should be kept"
    assert use_sync(client, "again") == expected("again", first["orders"])
    client.close()


# -- async face -------------------------------------------------------------------------------------------
def test_async_client_used_with_asyncio_run_then_in_a_forked_child(odoo: RecordingEmulator) -> None:
    client = ZenooClient(odoo.url, max_concurrency=4)

    async def setup() -> Any:
        await client.login("demo", "admin", "admin")
        return await use_async(client, "parent")

    first = asyncio.run(setup())
    assert first == expected("parent", first["orders"]) and first["orders"]
    parent_ports = set(odoo.ports)

    mark = len(odoo.ports)
    got = in_child(lambda: asyncio.run(use_async(client, "child")))
    child_ports = set(odoo.ports_since(mark))
    assert got == expected("child", first["orders"])
    assert child_ports and not child_ports & parent_ports, "the child used a connection of its parent"

    assert asyncio.run(use_async(client, "again")) == expected("again", first["orders"])
    asyncio.run(client.close())


def test_async_client_with_the_parents_loop_open_at_fork_time(
    odoo: RecordingEmulator, redis_url: str, redis_prefix: str
) -> None:
    """The parent keeps one event loop for its life and forks between two uses of it. The child runs its
    own loop; the parent's connections (HTTP and Redis) must come out of the child untouched."""
    loop = asyncio.new_event_loop()
    client = ZenooClient(odoo.url, max_concurrency=4, timeout=10)
    pool = ConnectionPool(odoo.url, pool_size=2, health_check_interval=0)

    async def setup() -> Any:
        await client.login("demo", "admin", "admin")
        await client.setup_cache_manager("redis", url=redis_url, prefix=redis_prefix)
        async with pool.get_connection() as conn:
            assert (await conn.get("/web/version")).status == 200
        return await use_async(client, "parent")

    async def redis_id() -> int:
        manager = client.cache_manager
        assert manager is not None
        return int(await manager.tiers["redis"].client.client_id())

    async def child() -> Any:
        async with pool.get_connection() as conn:
            assert (await conn.get("/web/version")).status == 200
        return {"use": await use_async(client, "child"), "redis_id": await redis_id()}

    try:
        first = loop.run_until_complete(setup())
        parent_ports = set(odoo.ports)
        marker = redis_marker(redis_url)
        mark = len(odoo.ports)
        got = in_child(lambda: asyncio.run(child()))
        child_ports = set(odoo.ports_since(mark))
        assert got["use"] == expected("child", first["orders"])
        assert child_ports and not child_ports & parent_ports, "the child used a connection of its parent"
        assert got["redis_id"] > marker, "the child used its parent's Redis connection"

        mark = len(odoo.ports)
        again = loop.run_until_complete(use_async(client, "again"))
        assert again == expected("again", first["orders"])
        assert odoo.ports_since(mark)[0] in parent_ports, "the parent's pooled connection should be untouched"
        assert loop.run_until_complete(redis_id()) < marker, "the parent's Redis connection should be kept"
        loop.run_until_complete(client.close())
        loop.run_until_complete(pool.close())
    finally:
        loop.close()
