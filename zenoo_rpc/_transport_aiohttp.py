"""The async transport: one aiohttp ``ClientSession``/``TCPConnector`` per client."""

from __future__ import annotations

import asyncio
import math
import os
import ssl
from collections.abc import AsyncGenerator
from urllib.parse import urlsplit

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from . import _fork
from ._core.errors import ConnectError, ProtocolError, RequestTimeout, TLSError
from ._core.wire import RawResponse, RequestSpec
from ._settings import ClientSettings

__all__ = ["AiohttpTransport", "ssl_context"]


def ssl_context(settings: ClientSettings) -> ssl.SSLContext | bool:
    """What aiohttp's connector takes: False (not verified), True (its default context), or a context with
    the CA bundle and the client certificate (built once, when the client is made: bad files fail then)."""
    if not settings.verify_ssl:
        return False
    if settings.ca_bundle is None and settings.client_cert is None:
        return True
    bundle = settings.ca_bundle
    if bundle is None:
        context = ssl.create_default_context()
    elif os.path.isdir(bundle):
        context = ssl.create_default_context(capath=bundle)
    else:
        context = ssl.create_default_context(cafile=bundle)
    cert = settings.client_cert
    if cert is not None:
        certfile, keyfile = (cert, None) if isinstance(cert, str) else cert
        context.load_cert_chain(certfile, keyfile)
    return context


def _proxy(base_url: str, settings: ClientSettings) -> tuple[str | None, aiohttp.BasicAuth | None]:
    """Explicit ``proxies=`` first, then (``trust_env``) the environment's as aiohttp reads it (HTTP_PROXY,
    HTTPS_PROXY, NO_PROXY; proxy credentials from the URL or ~/.netrc), once, when the client is made."""
    explicit = settings.proxy_for(urlsplit(base_url).scheme)
    if explicit is not None:
        return explicit, None
    if settings.trust_env:
        try:
            proxy, auth = get_env_proxy_for_url(URL(base_url))
        except LookupError:  # none for this scheme, or NO_PROXY names the host
            return None, None
        return str(proxy), auth
    return None, None


def _finite(seconds: float) -> float | None:
    """aiohttp's "no limit" is None (``math.inf`` in our settings)."""
    return seconds if math.isfinite(seconds) else None


def _not_written(exc: aiohttp.ClientError) -> bool:
    """aiohttp could not write the request (the connection was closing): Odoo cannot have read it whole."""
    if isinstance(exc, aiohttp.ClientConnectionResetError) or isinstance(
        exc.__cause__, aiohttp.ClientConnectionResetError
    ):
        return True
    return isinstance(exc, aiohttp.ClientOSError) and str(exc.strerror or "").startswith(
        "Can not write request body"
    )


class AiohttpTransport:
    def __init__(self, base_url: str, settings: ClientSettings) -> None:
        self.base_url = base_url
        self.settings = settings
        self._ssl = ssl_context(settings)
        self._proxy, self._proxy_auth = _proxy(base_url, settings)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_end: AsyncGenerator[None, None] | None = None
        self.requests_sent = 0
        self.connections_opened = 0
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        """In a forked child: the session's connections are the parent's. On a loop that is gone, ``send``
        replaces the session as on any new loop; a loop still open at fork time is the parent's (the kernel
        shares its epoll with the child), so its session is never used, closed or freed here."""
        if self._session is not None and self._loop is not None and not self._loop.is_closed():
            _fork.abandon((self._session, self._loop_end))
            self._session = None
            self._loop = None
            self._loop_end = None

    def _open(self) -> aiohttp.ClientSession:
        s = self.settings
        self._loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(
            limit=max(1, s.max_connections), keepalive_timeout=s.keepalive_expiry, ssl=self._ssl
        )
        timeout = aiohttp.ClientTimeout(
            sock_connect=_finite(s.connect_timeout), sock_read=_finite(s.read_timeout)
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers=s.headers,
            cookie_jar=aiohttp.DummyCookieJar(),
            # the environment's proxy was read once (see _proxy); trust_env here would also read ~/.netrc
            # in a worker thread on every request and add its Basic auth to Odoo's requests
            trust_env=False,
            auto_decompress=True,
            trace_configs=[self._pool_trace()],
        )
        return self._session

    def _timeout(self, request: RequestSpec) -> aiohttp.ClientTimeout | None:
        """This attempt's socket timeouts, capped by what is left of the call's deadline."""
        left = request.timeout
        if left is None:
            return None
        s = self.settings
        return aiohttp.ClientTimeout(
            sock_connect=_finite(min(s.connect_timeout, left)), sock_read=_finite(min(s.read_timeout, left))
        )

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
            if getattr(self._loop_end, "ag_frame", None) is not None:
                # a loop closed without finalizing its generators: freeing this one would ask that loop
                _fork.abandon(self._loop_end)
            session = self._open()
            self._loop_end = _closed_with_loop(session)
            await self._loop_end.__anext__()
        url = self.base_url + request.path
        timeout = self._timeout(request)
        try:
            async with session.request(
                request.method,
                url,
                data=request.body,
                headers=request.headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_auth=self._proxy_auth,
                **({"timeout": timeout} if timeout is not None else {}),
            ) as resp:
                body = await resp.read()
                self.requests_sent += 1
                return RawResponse(
                    resp.status, dict(resp.headers), body, tuple(resp.headers.getall("Set-Cookie", ()))
                )
        except (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError) as exc:
            raise TLSError(f"TLS error talking to {self.base_url}: {exc}") from None
        except aiohttp.ClientHttpProxyError as exc:  # the proxy refused the CONNECT: nothing reached Odoo
            raise ConnectError(
                f"proxy refused to connect to {self.base_url}: {exc.status} {exc.message}"
            ) from None
        except aiohttp.ClientConnectorError as exc:
            raise ConnectError(f"cannot connect to {self.base_url}: {exc.os_error}", sent=False) from None
        except aiohttp.ConnectionTimeoutError:
            raise RequestTimeout(f"connecting to {self.base_url} timed out", sent=False) from None
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise RequestTimeout(f"{url} did not answer in time", sent=True) from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            if isinstance(exc.__cause__ or exc.__context__, ssl.SSLError) or isinstance(exc, ssl.SSLError):
                raise TLSError(f"TLS error talking to {self.base_url}: {exc}") from None
            if _not_written(exc):  # a kept-alive connection the server had closed: the request never left
                raise ConnectError(f"connection to {self.base_url} was closed: {exc}", sent=False) from None
            raise ConnectError(f"connection to {self.base_url} dropped: {exc}", sent=True) from None
        except aiohttp.ClientError as exc:
            raise ProtocolError(f"{url}: {exc}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._loop_end is not None:
            await self._loop_end.aclose()
            self._loop_end = None


async def _closed_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Started once per session: the event loop finalizes the async generators it started as it shuts down
    (``asyncio.run`` does), so the session's keep-alive sockets are closed with the loop that owns them
    instead of being found open by the garbage collector after it."""
    try:
        yield
    finally:
        if not session.closed:
            await session.close()
