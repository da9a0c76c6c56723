"""The async transport: one aiohttp ``ClientSession``/``TCPConnector`` per client."""

from __future__ import annotations

import asyncio

import aiohttp

from ._core.errors import ConnectError, ProtocolError, RequestTimeout, TLSError
from ._core.wire import RawResponse, RequestSpec
from ._settings import ClientSettings

__all__ = ["AiohttpTransport"]


class AiohttpTransport:
    def __init__(self, base_url: str, settings: ClientSettings) -> None:
        self.base_url = base_url
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.requests_sent = 0
        self.connections_opened = 0

    def _open(self) -> aiohttp.ClientSession:
        s = self.settings
        self._loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(
            limit=max(1, s.max_connections),
            keepalive_timeout=s.keepalive_expiry,
            ssl=bool(s.verify_ssl),
        )
        timeout = aiohttp.ClientTimeout(
            total=s.timeout, sock_connect=s.connect_timeout, sock_read=s.read_timeout
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers=s.headers,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=s.trust_env,
            auto_decompress=True,
            trace_configs=[self._pool_trace()],
        )
        return self._session

    def _pool_trace(self) -> aiohttp.TraceConfig:
        """Counts the connections the connector opens (aiohttp has no public view of its pool)."""
        trace = aiohttp.TraceConfig()

        async def opened(*_: object) -> None:
            self.connections_opened += 1

        trace.on_connection_create_end.append(opened)
        return trace

    def pool_stats(self) -> dict[str, int]:
        return {"connections_opened": self.connections_opened}

    async def send(self, request: RequestSpec) -> RawResponse:
        session = self._session
        if session is None or self._loop is not asyncio.get_running_loop():
            # first use, or a new event loop (a script calling asyncio.run() twice): the old session's
            # connections belong to a loop that is gone, so they are left behind
            if session is not None:
                old_loop, connector = self._loop, session.connector
                session.detach()
                if connector is not None and old_loop is not None and old_loop.is_closed():
                    await connector.close()  # nothing left to close on a closed loop: only marks it closed
            session = self._open()
        url = self.base_url + request.path
        try:
            async with session.request(
                request.method, url, data=request.body, headers=request.headers, allow_redirects=False
            ) as resp:
                body = await resp.read()
                self.requests_sent += 1
                return RawResponse(
                    resp.status, dict(resp.headers), body, tuple(resp.headers.getall("Set-Cookie", ()))
                )
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            raise TLSError(f"TLS error talking to {self.base_url}: {exc}") from None
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(f"cannot connect to {self.base_url}: {exc.os_error}", sent=False) from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            raise ConnectError(f"connection to {self.base_url} dropped: {exc}", sent=True) from None
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise RequestTimeout(f"{url} did not answer in time", sent=True) from None
        except aiohttp.ClientError as exc:
            raise ProtocolError(f"{url}: {exc}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
