"""A cache outage never breaks reads: a Redis of the test's own is stopped and restarted under both faces;
a Redis that accepts connections and never answers is skipped within the tier's timeout."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_NO_AUTOSAVE = ("--save", "", "--appendonly", "no", "--dbfilename", "dump.rdb")


class RedisServer:
    """A redis-server on a free loopback port; stop() saves its data (SHUTDOWN SAVE), start() loads it
    again, as a restarted production Redis with persistence would."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is needed for the outage tests")
        self.binary = binary
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="zenoo-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir, *_NO_AUTOSAVE],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                r = redis.Redis(port=self.port, socket_timeout=0.5)
                if r.ping():
                    r.close()
                    return
            except redis.exceptions.RedisError:
                time.sleep(0.02)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        assert self.proc is not None
        r = redis.Redis(port=self.port, socket_timeout=2)
        with contextlib.suppress(redis.exceptions.ConnectionError):  # it closes the connection as it exits
            r.shutdown(save=True)
        self.proc.wait(10)
        self.proc = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.close()


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "zenoo_rpc.cache" and r.levelno == logging.WARNING]


def _wait_for_retry(client: Any) -> None:
    time.sleep(client.stats()["cache"]["redis"]["retry_in"] + 0.02)


def test_reads_survive_a_redis_outage_and_a_write_made_during_it_is_never_undone(
    make_client: Any, odoo19: OdooEmulator, own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zenoo_rpc.cache")
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    c.setup_cache_manager("redis", url=own_redis.url, prefix="outage", retry_interval=0.3)

    def companies() -> list[int]:
        return [p.id for p in c.model(ResPartner).filter(is_company=True).only("name").cache(ttl=300).all()]

    before = companies()
    odoo19.reset_counts()
    assert companies() == before and odoo19.requests == 0  # served by Redis

    own_redis.stop()
    for _ in range(3):
        assert companies() == before  # answered by Odoo, not an error
    assert odoo19.requests == 3
    tier = c.stats()["cache"]["redis"]
    # (a slow machine may see the interval pass and one more try fail: no exact count of errors)
    assert tier["state"] == "down" and tier["outages"] == 1 and tier["errors"] >= 1 and tier["skipped"] >= 1
    assert len(_cache_warnings(caplog)) == 1  # one warning per outage, not one per call

    new_id = c.model(ResPartner).create({"name": "Made During The Outage", "is_company": True})
    assert c.stats()["cache"]["redis"]["pending"] == 1  # the write's invalidation, not applied yet

    own_redis.start()
    raw = own_redis.client()
    assert list(raw.scan_iter(match="outage:v:*"))  # the entry the write made stale survived the restart
    _wait_for_retry(c)
    odoo19.reset_counts()
    after = companies()
    assert new_id in after and after != before  # never the stale entry
    assert odoo19.requests == 1
    tier = c.stats()["cache"]["redis"]
    assert tier["state"] == "up" and tier["pending"] == 0
    odoo19.reset_counts()
    assert companies() == after and odoo19.requests == 0  # the tier is used again
    assert len(_cache_warnings(caplog)) == 1
    assert any("answers again" in r.getMessage() for r in caplog.records if r.name == "zenoo_rpc.cache")
    raw.close()


def test_tiered_cache_outage_keeps_the_memory_tier(
    make_client: Any, odoo19: OdooEmulator, own_redis: RedisServer
) -> None:
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    c.setup_cache_manager("memory")
    c.setup_cache_manager("redis", url=own_redis.url, prefix="tiers", retry_interval=0.2)
    q = c.model(ResPartner).filter(is_company=False).only("name").cache(ttl=300)
    first = [p.id for p in q.all()]
    own_redis.stop()
    odoo19.reset_counts()
    assert [p.id for p in q.all()] == first and odoo19.requests == 0  # memory still answers
    c.model(ResPartner).create({"name": "Another Person"})  # drops memory now, Redis on the next contact
    assert len(q.all()) == len(first) + 1  # from Odoo: memory was dropped, Redis is down
    stats = c.stats()["cache"]
    assert stats["memory"]["state"] == "up" and stats["redis"]["state"] == "down"
    own_redis.start()
    _wait_for_retry(c)
    c.raw.cache_manager.tiers["memory"].clear()  # as if this process had just started: memory is empty
    odoo19.reset_counts()
    assert len(q.all()) == len(first) + 1 and odoo19.requests == 1  # Redis's stale entry was dropped first
    assert c.stats()["cache"]["redis"]["state"] == "up"
    odoo19.reset_counts()
    c.raw.cache_manager.tiers["memory"].clear()
    assert len(q.all()) == len(first) + 1 and odoo19.requests == 0  # and Redis serves the fresh one


def test_user_set_during_an_outage_never_leaves_the_old_value(
    make_client: Any, odoo19: OdooEmulator, own_redis: RedisServer
) -> None:
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    manager = c.setup_cache_manager("redis", url=own_redis.url, prefix="userkeys", retry_interval=0.2)
    c.resolve(manager.set("report", {"version": 1}))
    own_redis.stop()
    c.resolve(manager.set("report", {"version": 2}))  # cannot reach Redis: the key is deleted there later
    assert c.resolve(manager.get("report")) is None
    own_redis.start()
    _wait_for_retry(c)
    assert c.resolve(manager.get("report")) is None  # not the older {"version": 1}
    c.resolve(manager.set("report", {"version": 3}))
    assert c.resolve(manager.get("report")) == {"version": 3}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a Redis stuck or overloaded)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield int(s.getsockname()[1])


def test_slow_redis_is_skipped_within_the_timeout(
    make_client: Any, odoo19: OdooEmulator, silent_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    c.setup_cache_manager("redis", url=f"redis://127.0.0.1:{silent_server}/0", timeout=0.2)
    q = c.model(ResPartner).filter(is_company=True).only("name").cache(ttl=60)
    started = time.monotonic()
    rows = q.all()
    waited = time.monotonic() - started
    assert rows and waited < 2.0  # bounded by the tier's timeout, not redis-py's 5 s default, nor forever
    started = time.monotonic()
    assert [p.id for p in q.all()] == [p.id for p in rows]
    assert time.monotonic() - started < 1.0  # the tier is skipped, not waited for again
    tier = c.stats()["cache"]["redis"]
    assert (
        tier["state"] == "down"
        and tier["errors"] >= 1
        and "Timeout" in _cache_warnings(caplog)[0].getMessage()
    )
