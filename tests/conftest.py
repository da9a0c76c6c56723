"""Fixtures: emulators on loopback per Odoo version, a real Redis, and both client faces."""

from __future__ import annotations

import asyncio
import collections
import inspect
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc._query_async import AsyncQuery
from zenoo_rpc.testing import OdooEmulator

VERSIONS = ("17.0", "18.0", "19.0")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """pytest-django has set Django up with the example shop's settings (pyproject.toml) and exported
    DJANGO_SETTINGS_MODULE: the pytest runs and scripts that tests start must not inherit it."""
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)


@pytest.fixture(scope="session")
def emulators() -> Iterator[dict[str, OdooEmulator]]:
    servers = {v: OdooEmulator(v).start() for v in VERSIONS}
    yield servers
    for s in servers.values():
        s.stop()


@pytest.fixture(params=VERSIONS)
def odoo(request: pytest.FixtureRequest, emulators: dict[str, OdooEmulator]) -> Iterator[OdooEmulator]:
    """An emulator of each version, its data restored and counters reset after the test."""
    server = emulators[request.param]
    server.reset_counts()
    yield server
    server.reset_data()
    server.reset_counts()
    server.expire_sessions()


@pytest.fixture
def odoo19(emulators: dict[str, OdooEmulator]) -> Iterator[OdooEmulator]:
    server = emulators["19.0"]
    server.reset_counts()
    yield server
    server.reset_data()
    server.reset_counts()


class CountingEmulator(OdooEmulator):
    """The emulator, counting the requests it answers per path: ``logins`` are the web-session logins."""

    def __init__(self, version: str = "19.0", **options: Any) -> None:
        super().__init__(version, **options)
        self.paths: collections.Counter[str] = collections.Counter()

    def make_app(self) -> Any:
        app = super().make_app()

        async def note(request: Any, response: Any) -> None:
            self.paths[request.path] += 1

        app.on_response_prepare.append(note)
        return app

    @property
    def logins(self) -> int:
        return self.paths["/web/session/authenticate"]


@pytest.fixture(scope="session")
def counting_server() -> Iterator[CountingEmulator]:
    server = CountingEmulator("19.0")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def counting_odoo(counting_server: CountingEmulator) -> Iterator[CountingEmulator]:
    """A 19.0 emulator that counts requests per path (``.logins``), counters zero, data restored after."""
    counting_server.paths.clear()
    counting_server.reset_counts()
    yield counting_server
    counting_server.reset_data()
    counting_server.expire_sessions()
    counting_server.paths.clear()
    counting_server.reset_counts()


class AsyncFace:
    """Drives the async client from a synchronous test body: every awaitable is run on one event loop.

    The async client, its driver and aiohttp transport all run for real; only the waiting is done here.
    """

    face = "async"

    def __init__(self, client: ZenooClient, loop: asyncio.AbstractEventLoop) -> None:
        self._client = client
        self._loop = loop

    def resolve(self, value: Any) -> Any:
        if inspect.isawaitable(value):
            value = self._loop.run_until_complete(value)  # type: ignore[arg-type]
        if hasattr(value, "__aiter__"):

            async def collect() -> list[Any]:
                return [x async for x in value]

            return iter(self._loop.run_until_complete(collect()))
        if isinstance(value, AsyncQuery):
            return _Wrapped(value, self)
        if isinstance(value, ZenooClient):
            return AsyncFace(value, self._loop)
        return value

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if callable(attr):
            return lambda *a, **k: self.resolve(attr(*a, **k))
        return self.resolve(attr)

    @property
    def raw(self) -> ZenooClient:
        return self._client


class _Wrapped:
    def __init__(self, target: Any, face: AsyncFace) -> None:
        self._target = target
        self._face = face

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if callable(attr):
            return lambda *a, **k: self._face.resolve(attr(*a, **k))
        return attr


class SyncFace:
    face = "sync"

    def __init__(self, client: SyncZenooClient) -> None:
        self._client = client

    def resolve(self, value: Any) -> Any:
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    @property
    def raw(self) -> SyncZenooClient:
        return self._client


@pytest.fixture(params=["sync", "async"])
def face(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_client(face: str) -> Iterator[Any]:
    """``make_client(url, **options)`` -> a client of the test's face (both faces run every such test)."""
    loop = asyncio.new_event_loop()
    made: list[Any] = []

    def make(url: str, **options: Any) -> Any:
        if face == "sync":
            wrapped: Any = SyncFace(SyncZenooClient(url, **options))
        else:
            wrapped = AsyncFace(ZenooClient(url, **options), loop)
        made.append(wrapped)
        return wrapped

    yield make
    for c in made:
        c.resolve(c.raw.close())
    loop.close()


@pytest.fixture
def client(make_client: Any, odoo: OdooEmulator) -> Any:
    c = make_client(odoo.url)
    c.login("demo", "admin", "admin")
    return c


@pytest.fixture
def refuse_specification(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``refuse_specification("sale.order")``: every emulator of this process answers that model's
    ``web_search_read`` with an AccessError, as a server whose access rules keep RPC users off the web
    client's methods (the client must fall back to its batched reads)."""
    from zenoo_rpc.testing import _business
    from zenoo_rpc.testing._exceptions import AccessError

    def refuse(*models: str) -> None:
        for model in models:

            def deny(recs: Any, *args: Any, _model: str = model, **kwargs: Any) -> Any:
                raise AccessError(f"You are not allowed to call web_search_read on '{_model}' records.")

            methods = {**_business.MODEL_METHODS.get(model, {}), "web_search_read": deny}
            monkeypatch.setitem(_business.MODEL_METHODS, model, methods)

    return refuse


# -- Redis ---------------------------------------------------------------------------------------------
def _redis_up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The machine's Redis on 6379 (database 15), or a redis-server of our own when none answers."""
    if _redis_up(6379):
        yield "redis://127.0.0.1:6379/15"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("no Redis on 127.0.0.1:6379 and no redis-server to start (.ci/run installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = tempfile.mkdtemp()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            tmp,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if _redis_up(port):
            break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(5)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own; every key under it is deleted afterwards."""
    import redis

    prefix = f"zenoo-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield prefix
    r = redis.Redis.from_url(redis_url)
    for key in r.scan_iter(match=f"{prefix}:*"):
        r.delete(key)
    r.close()
