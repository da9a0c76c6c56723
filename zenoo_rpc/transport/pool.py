"""``ConnectionPool``: raw, pooled HTTP access to an Odoo server for code that builds its own requests.

One aiohttp session (keep-alive connector) shared by ``pool_size`` handles: at most ``pool_size`` requests are
in flight; a circuit breaker opens after ``max_error_rate`` consecutive failures; a background task checks the
server's health every ``health_check_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from .. import _fork
from .._core.errors import ConnectError, RequestTimeout
from .._core.resilience import CircuitBreaker
from .._core.warn import warn

__all__ = ["ConnectionPool", "PoolResponse", "PooledConnection"]


class PoolResponse:
    """An answer read whole: ``status`` (also ``status_code``), ``headers`` and ``content`` (bytes)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.status_code = status
        self.headers = headers
        self.content = body

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")


class PooledConnection:
    """A handle lent by :meth:`ConnectionPool.get_connection`; it sends through the pool's session."""

    def __init__(self, pool: ConnectionPool, index: int) -> None:
        self._pool = pool
        self.index = index
        self.requests = 0

    async def post(
        self, path: str, *, json: Any = None, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> PoolResponse:
        """Send a POST of ``json`` (or raw ``data``) to ``path`` on the pool's server."""
        self.requests += 1
        return await self._pool._send("POST", path, json, data, headers)

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> PoolResponse:
        """Send a GET of ``path`` on the pool's server."""
        self.requests += 1
        return await self._pool._send("GET", path, None, None, headers)


class ConnectionPool:
    """Keep-alive HTTP connections to one Odoo server for async code of one's own (the clients do not need
    it): ``async with ConnectionPool(url) as pool: async with pool.get_connection() as conn: ...``. At most
    ``pool_size`` handles are lent at once; a circuit breaker stops sending after repeated failures; a
    health check runs every ``health_check_interval`` seconds (0: never). TLS is verified unless
    ``verify_ssl=False``."""

    def __init__(
        self,
        base_url: str,
        *,
        pool_size: int = 10,
        max_connections: int = 100,
        http2: bool = False,
        timeout: float = 30.0,
        health_check_interval: float = 30.0,
        max_error_rate: float = 5.0,
        connection_ttl: float = 300.0,
        verify_ssl: bool = True,
    ) -> None:
        if http2:
            warn("http2=True: aiohttp speaks HTTP/1.1; the pool uses keep-alive connections", RuntimeWarning)
        if pool_size < 1 or max_connections < 1:
            raise ValueError("pool_size and max_connections must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.pool_size = pool_size
        self.max_connections = max_connections
        self.timeout = timeout
        self.health_check_interval = health_check_interval
        self.connection_ttl = connection_ttl
        self.verify_ssl = verify_ssl
        self.circuit_breaker = CircuitBreaker(
            failure_threshold=max(1, int(max_error_rate)), clock=time.monotonic
        )
        self.connections: list[PooledConnection] = []
        self.available_connections: asyncio.Queue[PooledConnection] = asyncio.Queue()
        self.stats: dict[str, Any] = {
            "requests": 0,
            "errors": 0,
            "total_time": 0.0,
            "health_checks": 0,
            "healthy": None,
        }
        self._session: aiohttp.ClientSession | None = None
        self._health: asyncio.Task[None] | None = None
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        """In a forked child: the session, its connections and the health check are the parent's, left
        alone; the child opens its own on first use."""
        if self._session is not None:
            _fork.abandon((self._session, self._health))
        self._session = None
        self._health = None
        self.connections = []
        self.available_connections = asyncio.Queue()

    async def initialize(self) -> None:
        """Open the session and the handles (done on first use; idempotent)."""
        if self._session is not None:
            return
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            keepalive_timeout=min(self.connection_ttl, 300.0),
            ssl=bool(self.verify_ssl),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        self.connections = [PooledConnection(self, i) for i in range(self.pool_size)]
        for conn in self.connections:
            self.available_connections.put_nowait(conn)
        if self.health_check_interval > 0:
            self._health = asyncio.create_task(self._health_loop())

    async def _health_loop(self) -> None:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 0,
            "params": {"service": "common", "method": "version", "args": []},
        }
        while True:
            try:
                resp = await self._send("POST", "/jsonrpc", body, None, None)
                self.stats["healthy"] = resp.status == 200
            except Exception:
                self.stats["healthy"] = False
            self.stats["health_checks"] += 1
            await asyncio.sleep(self.health_check_interval)

    @asynccontextmanager
    async def get_connection(self) -> AsyncIterator[PooledConnection]:
        """Borrow a handle (waits while ``pool_size`` are in use)."""
        if self._session is None:
            await self.initialize()
        conn = await self.available_connections.get()
        try:
            yield conn
        finally:
            self.available_connections.put_nowait(conn)

    async def _send(
        self, method: str, path: str, payload: Any, data: bytes | None, headers: dict[str, str] | None
    ) -> PoolResponse:
        if self._session is None:
            raise RuntimeError("call initialize() first")
        self.circuit_breaker.before_call()
        started = time.perf_counter()
        self.stats["requests"] += 1
        try:
            async with self._session.request(
                method, self.base_url + path, json=payload, data=data, headers=headers
            ) as resp:
                body = await resp.read()
                result = PoolResponse(resp.status, dict(resp.headers), body)
        except asyncio.TimeoutError:
            self._failed()
            raise RequestTimeout(f"{self.base_url}{path} did not answer in time", sent=True) from None
        except aiohttp.ClientError as exc:
            self._failed()
            raise ConnectError(f"{self.base_url}{path}: {exc}", sent=True) from None
        finally:
            self.stats["total_time"] += time.perf_counter() - started
        if result.status >= 500:
            self._failed()
        else:
            self.circuit_breaker.record_success()
        return result

    def _failed(self) -> None:
        self.stats["errors"] += 1
        self.circuit_breaker.record_failure()

    async def close(self) -> None:
        """Stop the health check and close every connection."""
        if self._health is not None:
            self._health.cancel()
            self._health = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> ConnectionPool:
        await self.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
