"""A fault-injecting HTTP proxy on a real loopback socket, for tests of what a client does when the network fails.

Two modes:

- reverse proxy (``FaultProxy(upstream=odoo.url)``): clients talk to the proxy as if it were the server; it keeps
  their connections alive (HTTP/1.1) and forwards each request on a fresh connection to the upstream, like nginx
  in front of Odoo;
- forward proxy (``FaultProxy()``): for ``HTTP_PROXY``/``HTTPS_PROXY`` tests; it takes absolute-form requests
  (``POST http://host:port/path``) and ``CONNECT host:port`` tunnels. It only connects to loopback addresses
  unless ``loopback_only=False``.

Faults (:meth:`FaultProxy.inject`), for the next ``count`` requests that match ``path``/``match``:

- ``drop_after_forward``: the upstream gets the request and answers; the client gets no answer (reset);
- ``drop_before_forward``: the request is read and the connection reset; the upstream never sees it;
- ``502``/``503``/``504``: the proxy answers with that status without forwarding;
- ``slow``: the request is forwarded at once, its answer held back ``seconds`` (past the client's timeout);
- ``close_after_answer``: the answer is sent as keep-alive, then the connection is closed, so the client's next
  request on it finds it gone.

:meth:`FaultProxy.close_idle_connections` closes every client connection that waits for its next request. The
counters say what happened: ``received`` (requests read from clients), ``forwarded`` (requests sent to the
upstream in full), ``answered`` (answers relayed), ``tunnels`` (CONNECT tunnels opened), ``connections``
(client connections accepted).

HTTP/1.1 framing on both sides is h11's (the sans-IO HTTP/1.1 library httpx is built on).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs
import h11

__all__ = ["FAULTS", "FaultProxy", "ProxiedRequest"]

FAULTS = frozenset(
    {"drop_after_forward", "drop_before_forward", "502", "503", "504", "slow", "close_after_answer"}
)
_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"content-length",
    }
)
_READ_SIZE = 65536


@attrs.frozen
class ProxiedRequest:
    """A request as the proxy received it (what a fault's ``match`` sees)."""

    method: str
    #: the request target as sent: ``/path`` (reverse), ``http://host:port/path`` or ``host:port`` (CONNECT)
    target: str
    #: the path part of the target (the authority for CONNECT)
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@attrs.define
class _Fault:
    kind: str
    count: int
    path: str | None
    match: Callable[[ProxiedRequest], bool] | None
    seconds: float

    def applies(self, request: ProxiedRequest) -> bool:
        if self.path is not None and not request.path.startswith(self.path):
            return False
        return self.match is None or bool(self.match(request))


class FaultProxy:
    """``with FaultProxy(upstream=odoo.url) as proxy: client = SyncZenooClient(proxy.url)``.

    ``ssl`` (a server-side :class:`ssl.SSLContext`) makes the proxy listen with TLS, e.g. to stand for an HTTPS
    Odoo in front of the plain-HTTP emulator.
    """

    def __init__(
        self,
        upstream: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl: ssl.SSLContext | None = None,
        loopback_only: bool = True,
        upstream_timeout: float = 60.0,
    ) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        if self.upstream is not None:
            parts = urlsplit(self.upstream)
            if parts.scheme != "http" or not parts.hostname:
                raise ValueError(f"upstream must be an http:// URL, not {upstream!r}")
        self.host = host
        self.port = port
        self.loopback_only = loopback_only
        self.upstream_timeout = upstream_timeout
        self._ssl = ssl
        self.received = 0
        self.forwarded = 0
        self.answered = 0
        self.tunnels = 0
        #: client connections accepted (keep-alive: several requests share one)
        self.connections = 0
        #: every request received, in order (bodies included: keep tests' secrets in mind)
        self.requests: list[ProxiedRequest] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._idle: set[asyncio.StreamWriter] = set()
        self._open: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where clients connect: ``http://127.0.0.1:<port>`` (``https`` with ``ssl``)."""
        return f"{'https' if self._ssl else 'http'}://{self.host}:{self.port}"

    @property
    def mode(self) -> str:
        """``"reverse"`` in front of ``upstream``, else ``"forward"`` (an HTTP proxy that also tunnels CONNECT)."""
        return "reverse" if self.upstream else "forward"

    def start(self) -> FaultProxy:
        """Listen on a free loopback port in a thread of its own; returns the proxy (``with`` calls it)."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, self.host, self.port, ssl=self._ssl, backlog=128)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # report bind errors to the caller
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            self._server.close()
            for writer in list(self._open):
                writer.transport.abort()
            loop.run_until_complete(self._server.wait_closed())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and end the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -----------------------------------------------------------------------------------------
    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        path: str | None = None,
        match: Callable[[ProxiedRequest], bool] | None = None,
        seconds: float = 5.0,
    ) -> None:
        """Apply fault ``kind`` to the next ``count`` requests whose path starts with ``path`` and for which
        ``match(request)`` is true (both optional). Faults are tried in the order they were injected; the first
        that applies to a request is used (and counted down)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}: use one of {', '.join(sorted(FAULTS))}")
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count!r}")
        with self._lock:
            self._faults.append(_Fault(kind, count, path, match, seconds))

    def clear_faults(self) -> None:
        """Drop every injected fault that has not fired yet."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> int:
        """How many faulty requests are still to come."""
        with self._lock:
            return sum(f.count for f in self._faults)

    def close_idle_connections(self) -> int:
        """Close every client connection that waits for its next request (as a keep-alive timeout does);
        returns how many were closed, once they are."""
        loop = self._loop
        if loop is None:
            return 0

        async def close_all() -> int:
            idle = list(self._idle)
            self._idle.clear()
            for writer in idle:
                writer.close()
            for writer in idle:
                # a TLS close waits for the client's close_notify, which an idle client may never send
                with contextlib.suppress(OSError, ssl.SSLError, asyncio.TimeoutError):
                    await asyncio.wait_for(writer.wait_closed(), 0.5)
                writer.transport.abort()
            return len(idle)

        return asyncio.run_coroutine_threadsafe(close_all(), loop).result(10)

    def reset_counts(self) -> None:
        """Zero the counters (received, forwarded, answered, tunnels, connections) and forget the requests seen."""
        with self._lock:
            self.received = self.forwarded = self.answered = self.tunnels = self.connections = 0
            self.requests.clear()

    # -- serving ---------------------------------------------------------------------------------------
    def _take_fault(self, request: ProxiedRequest) -> _Fault | None:
        with self._lock:
            self.received += 1
            self.requests.append(request)
            for fault in self._faults:
                if fault.applies(request):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        with self._lock:
            self.connections += 1
        conn = h11.Connection(h11.SERVER)
        try:
            while await self._one_exchange(conn, reader, writer):
                conn.start_next_cycle()
        except (OSError, ssl.SSLError, h11.ProtocolError, asyncio.IncompleteReadError):
            pass  # the client went away or sent garbage: nothing to answer
        finally:
            self._idle.discard(writer)
            self._open.discard(writer)
            if not writer.transport.is_closing():
                writer.transport.abort()

    async def _one_exchange(
        self, conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Serve one request; True when the connection stays open for another."""
        self._idle.add(writer)
        event = await _next_event(conn, reader, on_data=lambda: self._idle.discard(writer))
        self._idle.discard(writer)
        if not isinstance(event, h11.Request):
            return False  # ConnectionClosed: the client is done
        body = bytearray()
        while True:
            part = await _next_event(conn, reader)
            if isinstance(part, h11.Data):
                body += part.data
            elif isinstance(part, h11.EndOfMessage) or part is h11.PAUSED:
                break
            else:
                return False
        method = event.method.decode("ascii")
        target = event.target.decode("ascii")
        request = ProxiedRequest(
            method,
            target,
            target if method == "CONNECT" else (urlsplit(target).path or "/"),
            tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers),
            bytes(body),
        )
        fault = self._take_fault(request)
        if method == "CONNECT":
            return await self._tunnel(conn, reader, writer, request, fault)
        kind = fault.kind if fault is not None else None
        if kind == "drop_before_forward":
            writer.transport.abort()
            return False
        if kind in ("502", "503", "504"):
            assert kind is not None
            await self._answer(conn, writer, int(kind), [(b"content-type", b"text/html")], _page(kind))
            return conn.our_state is h11.DONE and conn.their_state is h11.DONE
        where = self._where(request)
        if isinstance(where, str):
            await self._answer(conn, writer, 403 if "not allowed" in where else 400, [], where.encode())
            return False
        try:
            status, headers, answer = await asyncio.wait_for(
                self._forward(where, event, request), self.upstream_timeout
            )
        except (OSError, asyncio.TimeoutError, h11.ProtocolError) as exc:
            await self._answer(conn, writer, 502, [], f"upstream failed: {exc!r}".encode())
            return conn.our_state is h11.DONE and conn.their_state is h11.DONE
        if kind == "drop_after_forward":
            writer.transport.abort()
            return False
        if kind == "slow":
            assert fault is not None
            await asyncio.sleep(fault.seconds)
            if writer.transport.is_closing():
                return False
        await self._answer(conn, writer, status, headers, answer)
        if kind == "close_after_answer":
            await writer.drain()
            writer.close()
            return False
        return conn.our_state is h11.DONE and conn.their_state is h11.DONE

    def _where(self, request: ProxiedRequest) -> tuple[str, int, str] | str:
        """(host, port, origin-form target) to forward to, or the reason why not."""
        if self.upstream is not None:
            if not request.target.startswith("/"):
                return f"this is a reverse proxy for {self.upstream}: send origin-form requests"
            parts = urlsplit(self.upstream)
            return parts.hostname or "", parts.port or 80, parts.path + request.target
        parts = urlsplit(request.target)
        if parts.scheme != "http" or not parts.hostname:
            return f"a forward proxy takes absolute http:// targets or CONNECT, not {request.target!r}"
        if not self._allowed(parts.hostname):
            return f"{parts.hostname} is not allowed: this proxy only connects to loopback addresses"
        origin = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.hostname, parts.port or 80, origin

    def _allowed(self, host: str) -> bool:
        if not self.loopback_only:
            return True
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            return False

    async def _forward(
        self, where: tuple[str, int, str], event: h11.Request, request: ProxiedRequest
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        host, port, target = where
        up_reader, up_writer = await asyncio.open_connection(host, port)
        try:
            up = h11.Connection(h11.CLIENT)
            headers = [
                (k, v) for k, v in event.headers if k.lower() not in _HOP_BY_HOP and k.lower() != b"host"
            ]
            netloc = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
            headers = [(b"host", netloc.encode()), *headers, (b"connection", b"close")]
            headers.append((b"content-length", str(len(request.body)).encode()))
            up_writer.write(
                up.send(h11.Request(method=event.method, target=target.encode(), headers=headers))
            )
            if request.body:
                up_writer.write(up.send(h11.Data(data=request.body)))
            up_writer.write(up.send(h11.EndOfMessage()))
            await up_writer.drain()
            with self._lock:
                self.forwarded += 1
            response = await _next_event(up, up_reader)
            while isinstance(response, h11.InformationalResponse):
                response = await _next_event(up, up_reader)
            if not isinstance(response, h11.Response):
                raise h11.RemoteProtocolError(f"upstream answered {response!r}")
            body = bytearray()
            while True:
                part = await _next_event(up, up_reader)
                if isinstance(part, h11.Data):
                    body += part.data
                elif isinstance(part, h11.EndOfMessage):
                    break
                else:
                    raise h11.RemoteProtocolError(f"upstream answer cut short: {part!r}")
            kept = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
            return response.status_code, kept, bytes(body)
        finally:
            up_writer.transport.abort()

    async def _answer(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
        if conn.their_state is not h11.DONE:
            headers.append((b"connection", b"close"))
        with self._lock:  # counted before the client can read it
            self.answered += 1
        writer.write(conn.send(h11.Response(status_code=status, headers=headers)))
        if body:
            writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()

    async def _tunnel(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: ProxiedRequest,
        fault: _Fault | None,
    ) -> bool:
        """CONNECT host:port: open a byte tunnel (faults: drop_before_forward, 502/503/504; others ignored)."""
        kind = fault.kind if fault is not None else None
        if kind == "drop_before_forward":
            writer.transport.abort()
            return False
        if kind in ("502", "503", "504"):
            assert kind is not None
            await self._answer(conn, writer, int(kind), [], b"")
            return False
        host, _, port_text = request.target.rpartition(":")
        host = host.strip("[]")
        if self.upstream is not None or not host or not port_text.isdigit() or not self._allowed(host):
            await self._answer(conn, writer, 403, [], f"CONNECT to {request.target} refused".encode())
            return False
        try:
            up_reader, up_writer = await asyncio.open_connection(host, int(port_text))
        except OSError as exc:
            await self._answer(conn, writer, 502, [], f"cannot connect: {exc}".encode())
            return False
        with self._lock:
            self.tunnels += 1
            self.forwarded += 1
        writer.write(conn.send(h11.Response(status_code=200, headers=[])))
        await writer.drain()
        leftover, _closed = conn.trailing_data
        if leftover:
            up_writer.write(leftover)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
        return False


async def _next_event(
    conn: h11.Connection, reader: asyncio.StreamReader, on_data: Callable[[], None] | None = None
) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        data = await reader.read(_READ_SIZE)
        if data and on_data is not None:
            on_data()
        conn.receive_data(data)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_READ_SIZE):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


def _page(status: str) -> bytes:
    titles = {"502": "Bad Gateway", "503": "Service Unavailable", "504": "Gateway Time-out"}
    title = f"{status} {titles[status]}"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()
