"""A counting reverse proxy for the benchmarks: every client (Zenoo's two faces, odoorpc, hand-written requests)
talks to it as to the server, and it notes, per request, the model method called and how many fields it asked
for. It works in front of the emulator and of any real Odoo (http or https), whatever the protocol: JSON-RPC
(``/jsonrpc``), the web client's ``/web/dataset/call_kw``, JSON-2 (``/json/2/<model>/<method>``) and XML-RPC.

Fields per call: ``fields`` of ``read``/``search_read`` (keyword or positional), the leaves of a
``specification`` (``web_read``/``web_search_read``: nested levels counted in full), ``None`` for a read that
names no fields (Odoo then reads every field), and no entry for calls that read no fields (login, search,
create, ...).
"""

from __future__ import annotations

import asyncio
import json
import threading
import xmlrpc.client
from typing import Any

import aiohttp
from aiohttp import web

__all__ = ["CountingProxy", "fields_of", "summary"]

_READS = {"read": 1, "search_read": 1}  # positional index of ``fields`` in args
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


def _spec_size(spec: Any) -> int:
    if not isinstance(spec, dict):
        return 0
    return sum(
        1 + _spec_size((sub or {}).get("fields")) if isinstance(sub, dict) else 1 for sub in spec.values()
    )


def fields_of(method: str, args: list[Any], kwargs: dict[str, Any]) -> int | bool | None:
    """How many fields a model call asks for: a number, None (all fields), or False (it reads none)."""
    if "specification" in kwargs:
        return _spec_size(kwargs["specification"])
    if method in ("web_read", "web_search_read"):
        spec = args[-1] if args and isinstance(args[-1], dict) else None
        return _spec_size(spec) if spec is not None else None
    if method not in _READS:
        return False
    fields = kwargs.get("fields")
    if fields is None and len(args) > _READS[method]:
        fields = args[_READS[method]]
    return len(fields) if fields else None


def _model_call(path: str, body: bytes) -> tuple[str, list[Any], dict[str, Any]] | None:
    """(method, args, kwargs) of a model call, from any of Odoo's protocols; None for other requests."""
    try:
        if path.startswith("/json/2/"):
            parts = path.split("/")
            named = json.loads(body or b"{}")
            return parts[4], [], dict(named)
        if path.startswith("/xmlrpc"):
            params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            if method == "execute_kw":
                return str(params[4]), list(params[5]), dict(params[6]) if len(params) > 6 else {}
            return None
        payload = json.loads(body or b"{}")
        params = payload.get("params") or {}
        if path.startswith("/web/dataset/call_kw"):
            return str(params["method"]), list(params.get("args") or []), dict(params.get("kwargs") or {})
        if path == "/jsonrpc" and params.get("method") == "execute_kw":
            a = params["args"]
            return str(a[4]), list(a[5]), dict(a[6]) if len(a) > 6 else {}
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return None


class CountingProxy:
    """``CountingProxy(upstream).start()``: ``url`` to give the clients; ``calls`` (requests seen) and
    ``fields`` (per model call that reads fields: a count, or None for all) since ``reset()``."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.calls = 0
        self.fields: list[int | None] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def reset(self) -> None:
        self.calls = 0
        self.fields = []

    def start(self) -> CountingProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession(auto_decompress=True)
        app = web.Application(client_max_size=1 << 30)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.calls += 1
        call = _model_call(request.path, body)
        if call is not None:
            n = fields_of(*call)
            if n is not False:
                self.fields.append(n)  # type: ignore[arg-type]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        assert self._session is not None
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers, allow_redirects=False
        ) as resp:
            data = await resp.read()
            out = web.Response(status=resp.status, body=data)
            for key, value in resp.headers.items():
                if key.lower() in _HOP:
                    continue
                if key.lower() == "set-cookie":  # the proxy speaks plain HTTP on loopback
                    value = value.replace("; Secure", "").replace("; secure", "")
                out.headers.add(key, value)
            return out


def summary(fields: list[int | None]) -> str:
    """``4 reads, fields 2x2+all+5``: the fields asked per reading call, in order (runs compressed); for long
    lists, how many reads asked for how many fields (``155 reads, fields 1 (x77), 111 (x31), ...``)."""
    if not fields:
        return "no reads"
    runs: list[tuple[str, int]] = []
    for n in fields:
        label = "all" if n is None else str(n)
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1] + 1)
        else:
            runs.append((label, 1))
    total = sum(n for n in fields if n is not None)
    if len(runs) <= 8:
        parts = [label if count == 1 else f"{label}x{count}" for label, count in runs]
        return f"{len(fields)} reads, fields {'+'.join(parts)}"
    histogram: dict[str, int] = {}
    for n in fields:
        label = "all" if n is None else str(n)
        histogram[label] = histogram.get(label, 0) + 1
    top = sorted(histogram.items(), key=lambda kv: -kv[1])
    parts = [f"{label} (x{count})" for label, count in top[:6]] + (["..."] if len(top) > 6 else [])
    return f"{len(fields)} reads, fields {', '.join(parts)}; {total:,} fields in all"
