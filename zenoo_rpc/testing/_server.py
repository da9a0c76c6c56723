"""The emulator's HTTP face: Odoo's routes on a real loopback socket, run in a background thread."""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from typing import Any

from aiohttp import web

from .._core import xmlrpc_codec
from . import _business, _orm
from ._exceptions import (
    AccessDenied,
    BadRequest,
    EmulatedError,
    NotEmulated,
    NotFound,
    Unauthorized,
)
from ._generate import add_partners, fill_from_schema
from ._store import Database

__all__ = ["DEFAULT_API_KEY", "OdooEmulator"]

#: The admin's API key unless another is given (``--api-key``).
DEFAULT_API_KEY = "zenoo-emulator-admin-api-key"
_NOT_FOUND_DB = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and the "
    "requested URL was not found in the server-wide controllers.</p>\n<p>Please verify the hostname, <a "
    "href=/web/login>login</a> and try again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)
_NOT_FOUND_PAGE = "<!doctype html><title>404 Not Found</title>"
_PG_PORT = {17: 5432, 18: 5433, 19: 5434}
_PASSWORDS = {"admin": "admin", "demo": "demo", "portal": "portal"}
#: werkzeug's NotFound() as Odoo serializes it
_NOT_FOUND_TEXT = (
    "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again."
)
#: the gist of what Odoo 19 logs on every call to /xmlrpc, /xmlrpc/2 and /jsonrpc
_DEPRECATION_NOTICE = (
    "deprecated endpoint called: Odoo 19 deprecates /xmlrpc, /xmlrpc/2 and /jsonrpc and will remove them; "
    "the client making the request should move to JSON-2"
)


def _traceback(exc: EmulatedError) -> str:
    short = exc.odoo_name.removeprefix("builtins.")
    return (
        'Traceback (most recent call last):\n  File "{odoo}/odoo/http.py", line 1, in _serve_db\n'
        f"    (emulated by zenoo_rpc.testing)\n{short}: {exc.message}\n"
    )


class _Fault:
    def __init__(self, kind: str, count: int, path: str | None, seconds: float) -> None:
        self.kind = kind
        self.count = count
        self.path = path
        self.seconds = seconds


class OdooEmulator:
    """An Odoo server for tests, demos and benchmarks.

    ``with OdooEmulator("19.0") as odoo: client = SyncZenooClient(odoo.url)``. Users ``admin``/``admin`` and
    ``demo``/``demo``; the admin's API key is :data:`DEFAULT_API_KEY` unless ``api_key`` is given.
    """

    def __init__(
        self,
        version: str = "19.0",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        api_key: str = DEFAULT_API_KEY,
        database: str = "demo",
        close_connections: bool = False,
        data_dir: Path | None = None,
        snapshot: Path | None = None,
        records_per_model: int = 20,
    ) -> None:
        if snapshot is None:
            self.db = Database(version, data_dir)
        else:
            self.db = Database.from_snapshot(
                snapshot, functools.partial(fill_from_schema, per_model=records_per_model)
            )
        self.database = database
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.api_key = api_key
        self.close_connections = close_connections
        self.calls: collections.Counter[tuple[str, str]] = collections.Counter()
        #: calls to endpoints this version deprecates (/jsonrpc, /xmlrpc, /xmlrpc/2 on 19+), by path; Odoo
        #: logs a warning for each, and so does the emulator (logger ``odoo.addons.rpc.controllers``)
        self.deprecated_calls: collections.Counter[str] = collections.Counter()
        self.requests = 0
        self.server_time = 0.0
        #: requests being answered right now, and the most seen at once since reset_counts()
        self.in_flight = 0
        self.max_in_flight = 0
        self._faults: list[_Fault] = []
        self._sessions: dict[str, int] = {}
        self._idle: set[asyncio.Transport] = set()
        self._users = self._load_users()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._snapshot = self.db.snapshot()

    # -- lifecycle -------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Where clients connect: ``http://127.0.0.1:<port>`` (the port is free and chosen at start)."""
        return f"http://{self.host}:{self.port}"

    @property
    def version(self) -> str:
        """The Odoo series emulated: ``"17.0"``, ``"18.0"`` or ``"19.0"``."""
        return self.db.version

    def start(self) -> OdooEmulator:
        """Serve on loopback in a thread of its own until :meth:`stop`; returns the emulator (``with`` calls it)."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:  # report bind errors to the caller
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_site())
            loop.close()

        self._thread = threading.Thread(target=run, name="odoo-emulator", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self

    async def _start_site(self) -> None:
        app = self.make_app()
        self._runner = web.AppRunner(app, access_log=None, keepalive_timeout=75.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, backlog=128)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]

    async def _stop_site(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop serving, close every connection and end the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> OdooEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -----------------------------------------------------------------------------------------
    def inject(self, kind: str, *, count: int = 1, path: str | None = None, seconds: float = 1.0) -> None:
        """Make the next ``count`` requests (to ``path`` if given) fail: ``drop`` (close the connection
        without an answer), ``502``, ``503`` or ``slow`` (wait ``seconds`` before answering)."""
        if kind not in ("drop", "502", "503", "slow"):
            raise ValueError(f"unknown fault {kind!r}")
        self._faults.append(_Fault(kind, count, path, seconds))

    def close_idle_connections(self) -> int:
        """Close every idle keep-alive connection, as Odoo's workers do; returns how many were closed."""
        idle = list(self._idle)
        if self._loop is not None:
            for transport in idle:
                self._loop.call_soon_threadsafe(transport.close)
        self._idle.clear()
        return len(idle)

    def revoke_api_key(self, login: str = "admin") -> None:
        """Revoke the user's API key (as if it expired or was deleted in Odoo): JSON-2 answers 401 "Invalid
        apikey" and an RPC login or call with it is refused, like any wrong key."""
        self._users[login].api_key = None

    def set_password(self, login: str, password: str) -> None:
        """Change the user's password; like Odoo, this ends the user's web sessions."""
        user = self._users[login]
        user.password = password
        for sid in [sid for sid, uid in self._sessions.items() if uid == user.uid]:
            del self._sessions[sid]

    def add_api_key(self, login: str) -> str:
        """Give ``login`` a new API key (replacing any it had) and return it."""
        key = secrets.token_hex(20)
        self._users[login].api_key = key
        return key

    def reset_counts(self) -> None:
        """Forget the calls counted so far (see :meth:`count`)."""
        self.calls.clear()
        self.deprecated_calls.clear()
        self.requests = 0
        self.server_time = 0.0
        self.max_in_flight = 0

    def reset_data(self) -> None:
        """Back to the demo data (and the passwords and API keys) this emulator started with."""
        self.db.restore(self._snapshot)
        self.reset_credentials()

    def reset_credentials(self) -> None:
        """Passwords and API keys back to those this emulator started with (after ``set_password``,
        ``revoke_api_key``, ``add_api_key``)."""
        self._users = self._load_users()

    def count(self, model: str | None = None, method: str | None = None) -> int:
        """How many model calls were answered, of ``model`` and/or ``method`` when given (login and version
        calls are not model calls): ``assert odoo.count("sale.order", "search_read") == 1``."""
        return sum(
            n
            for (m, f), n in self.calls.items()
            if (model is None or m == model) and (method is None or f == method)
        )

    def load_partners(self, n: int, *, start_name: str = "Generated Partner") -> list[int]:
        """Add ``n`` generated partners quickly (for benchmarks and streaming tests)."""
        with self.db.transaction():
            return add_partners(self.db, n, start_name)

    # -- users -----------------------------------------------------------------------------------------
    def _load_users(self) -> dict[str, _orm.User]:
        users: dict[str, _orm.User] = {}
        table = self.db.table("res.users")
        if table is None:
            return users
        for row in table.rows.values():
            login = row.get("login")
            if login in _PASSWORDS and row.get("active", True):
                users[login] = _orm.User(
                    row["id"],
                    login,
                    _PASSWORDS[login],
                    self.api_key if login == "admin" else None,
                    str(row.get("display_name") or login),
                    row.get("partner_id") or 0,
                )
        return users

    def _user_by_uid(self, uid: Any) -> _orm.User | None:
        for user in self._users.values():
            if user.uid == uid:
                return user
        return None

    def _check_db(self, db: Any) -> None:
        if db != self.database:
            raise EmulatedError(
                f'connection to server at "127.0.0.1", port {_PG_PORT.get(self.db.major, 5432)} failed: '
                f'FATAL:  database "{db}" does not exist\n',
                "psycopg2.OperationalError",
            )

    def _authenticate(self, db: Any, login: Any, password: Any, *, interactive: bool = False) -> int | bool:
        """Odoo's ``res.users.authenticate``: API keys are accepted on RPC logins only, never on the web
        session's interactive login."""
        self._check_db(db)
        user = self._users.get(login)
        if user is None or password is None:
            return False
        accepted = (user.password,) if interactive else (user.password, user.api_key)
        return user.uid if password in accepted else False

    def _env(self, db: Any, uid: Any, password: Any, context: dict[str, Any] | None) -> _orm.Env:
        self._check_db(db)
        user = self._user_by_uid(uid)
        if user is None or password not in (user.password, user.api_key):
            raise AccessDenied("Access Denied")
        return _orm.Env(self.db, user, context, rules=_business)

    # -- services (shared by /jsonrpc and /xmlrpc) -------------------------------------------------------
    def dispatch(self, service: str, method: str, args: list[Any]) -> Any:
        """Answer one call of the classic RPC services (``common``, ``object``, ``db``) as the JSON-RPC and
        XML-RPC endpoints do, without HTTP; raises the Odoo-shaped error a server would send."""
        if service == "common":
            if method == "version":
                return dict(self.db.version_info)
            if method == "login":
                return self._authenticate(*args[:3])
            if method == "authenticate":
                return self._authenticate(*args[:3])
            if method == "about":
                return "See http://openerp.com"
            raise EmulatedError(f"Method not found: {method}", "builtins.Exception")
        if service == "db":
            if method == "list":
                return [self.database]
            if method == "server_version":
                return self.db.version_info["server_version"]
            if method in ("db_exist",):
                return args[:1] == [self.database]
            raise AccessDenied("Access Denied")
        if service == "object":
            if method == "execute_kw":
                db, uid, password, model, meth = args[:5]
                call_args = args[5] if len(args) > 5 else []
                kwargs = args[6] if len(args) > 6 else {}
                return self._execute(db, uid, password, model, meth, call_args, kwargs or {})
            if method == "execute":
                db, uid, password, model, meth = args[:5]
                return self._execute(db, uid, password, model, meth, list(args[5:]), {})
            raise EmulatedError(f"Method not found: {method}", "builtins.Exception")
        raise EmulatedError(service, "builtins.KeyError")

    def _execute(
        self,
        db: Any,
        uid: Any,
        password: Any,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:
        env = self._env(db, uid, password, (kwargs or {}).get("context"))
        self.calls[(model, method)] += 1
        with self.db.transaction():
            return _orm.execute_kw(env, model, method, args, kwargs)

    # -- aiohttp -----------------------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        """The aiohttp application with every endpoint, e.g. to serve it on a socket or runner of one's own."""
        app = web.Application(client_max_size=256 * 1024 * 1024, middlewares=[self._middleware])
        app.router.add_post("/jsonrpc", self._jsonrpc)
        app.router.add_post("/xmlrpc/2/{service}", self._xmlrpc)
        app.router.add_post("/xmlrpc/{service}", self._xmlrpc)
        app.router.add_post("/web/session/authenticate", self._web_authenticate)
        app.router.add_post("/web/session/get_session_info", self._web_session_info)
        app.router.add_post("/web/session/destroy", self._web_session_destroy)
        app.router.add_post("/web/database/list", self._web_database_list)
        app.router.add_post("/web/dataset/call_kw", self._web_call_kw)
        app.router.add_post("/web/dataset/call_kw/{path:.*}", self._web_call_kw)
        app.router.add_route("*", "/web/version", self._http_version)
        app.router.add_route("*", "/json/version", self._http_version)
        app.router.add_post("/web/webclient/version_info", self._web_version)
        app.router.add_get("/doc-bearer/{model}.json", self._doc_bearer)
        app.router.add_route("*", "/json/2", self._json2)
        app.router.add_route("*", "/json/2/{model}/{method}", self._json2)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            self._idle.discard(transport)
        self.requests += 1
        for fault in list(self._faults):
            if fault.path is None or request.path.startswith(fault.path):
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
                if fault.kind == "drop":
                    await request.read()
                    if transport is not None:
                        transport.abort()  # like a worker killed mid-request: no answer at all
                    return web.Response(status=499)
                if fault.kind in ("502", "503"):
                    return web.Response(
                        status=int(fault.kind),
                        text=f"<html><body>{fault.kind}</body></html>",
                        content_type="text/html",
                    )
                if fault.kind == "slow":
                    await asyncio.sleep(fault.seconds)
                break
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_ms:
                await asyncio.sleep(self.latency_ms / 1000.0)
            started = time.perf_counter()
            try:
                response: web.StreamResponse = await handler(request)
            except web.HTTPException:
                raise
            except Exception as exc:  # never aiohttp's bare 500 page: an error shaped like the route's own
                response = self._internal_error(request, exc)
            self.server_time += time.perf_counter() - started
        finally:
            self.in_flight -= 1
        if self.close_connections:
            response.force_close()
        elif transport is not None:
            self._idle.add(transport)
        return response

    def _internal_error(self, request: web.Request, exc: Exception) -> web.Response:
        """What a route answers when the emulator fails where no handler caught it: the route's own error
        shape (XML-RPC fault, JSON-2 status, JSON-RPC error), named :class:`NotEmulated`."""
        path = request.path
        error = NotEmulated.from_internal("", f"{request.method} {path}", exc)
        if path.startswith("/xmlrpc"):
            quote = "'" if self.db.major < 18 else '"'
            payload = xmlrpc_codec.dumps_fault(1, _traceback(error), prolog_quote=quote)
            return web.Response(body=payload, content_type="text/xml", charset="utf-8")
        if path.startswith("/json/2"):
            return self._json2_error(error)
        return self._rpc_error(None, error)

    def _json(self, payload: Any, status: int = 200) -> web.Response:
        return web.Response(
            body=json.dumps(payload).encode(), status=status, content_type="application/json", charset="utf-8"
        )

    def _rpc_error(self, rid: Any, exc: EmulatedError, code: int | None = None) -> web.Response:
        if code is None:
            code = 0 if self.db.major >= 19 else 200
        message = {100: "Odoo Session Expired", 404: "404: Not Found"}.get(code, "Odoo Server Error")
        return self._json(
            {
                "jsonrpc": "2.0",
                "id": None if code == 100 else rid,
                "error": {
                    "code": code,
                    "message": message,
                    "data": {
                        "name": exc.odoo_name,
                        "message": exc.message,
                        "arguments": exc.arguments,
                        "context": {},
                        "debug": _traceback(exc),
                    },
                },
            }
        )

    def _rpc_result(self, rid: Any, result: Any) -> web.Response:
        payload: dict[str, Any] = {"jsonrpc": "2.0", "id": rid}
        if result is not None:
            payload["result"] = result
        return self._json(payload)

    async def _read_jsonrpc(self, request: web.Request) -> tuple[Any, dict[str, Any]] | web.Response:
        try:
            body = json.loads(await request.read())
            assert isinstance(body, dict)
        except (ValueError, AssertionError):
            return web.Response(status=400, text="Invalid JSON data", content_type="text/html")
        return body.get("id"), body.get("params") or {}

    def _deprecated(self, request: web.Request) -> None:
        if self.db.major >= 19:
            self.deprecated_calls[request.path] += 1
            _RPC_LOG.warning("%s (%s)", _DEPRECATION_NOTICE, request.path)

    async def _jsonrpc(self, request: web.Request) -> web.Response:
        self._deprecated(request)
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        rid, params = parsed
        service, method = params.get("service", ""), params.get("method", "")
        args = params.get("args") or []
        try:
            result = self.dispatch(service, method, list(args) if isinstance(args, list) else [args])
        except EmulatedError as exc:
            return self._rpc_error(rid, exc)
        except Exception as exc:
            return self._rpc_error(rid, NotEmulated.from_internal(*_call_name(service, method, args), exc))
        return self._rpc_result(rid, result)

    async def _xmlrpc(self, request: web.Request) -> web.Response:
        self._deprecated(request)
        quote = "'" if self.db.major < 18 else '"'
        body = await request.read()
        try:
            params, method = xmlrpc_codec.loads(body)
        except Exception as exc:
            return web.Response(
                body=xmlrpc_codec.dumps_fault(1, f"Invalid XML-RPC request: {exc}", prolog_quote=quote),
                content_type="text/xml",
                charset="utf-8",
            )
        service = request.match_info["service"]
        try:
            try:
                result = self.dispatch(service, method or "", list(params))
                payload = xmlrpc_codec.dumps_response(_xml_safe(result), prolog_quote=quote)
            except EmulatedError:
                raise
            except Exception as exc:
                raise NotEmulated.from_internal(
                    *_call_name(service, method or "", list(params)), exc
                ) from exc
        except EmulatedError as exc:
            text = exc.message if exc.xmlrpc_code != 1 else _traceback(exc)
            payload = xmlrpc_codec.dumps_fault(exc.xmlrpc_code, text, prolog_quote=quote)
        if quote == '"':  # Odoo 18+ leaves an empty line before the closing tag, like faults
            payload = payload.replace(b"</params>\n</methodResponse>", b"</params>\n\n</methodResponse>")
        return web.Response(body=payload, content_type="text/xml", charset="utf-8")

    def _session_cookie_response(
        self, rid: Any, result: Any, session: str, times: int | None = None
    ) -> web.Response:
        response = self._rpc_result(rid, result)
        expires = formatdate(time.time() + 604800 * 52, usegmt=True)
        cookie = f"session_id={session}; Expires={expires}; Max-Age=604800; HttpOnly; Path=/"
        for _ in range(times or (2 if self.db.major >= 19 else 1)):
            response.headers.add("Set-Cookie", cookie)
        return response

    def _session_info(self, uid: int) -> dict[str, Any]:
        info = json.loads(json.dumps(self.db.session_info)) if self.db.session_info else {}
        user = self._user_by_uid(uid)
        info.update(
            {
                "uid": uid,
                "db": self.database,
                "is_admin": bool(user and user.is_admin),
                "is_system": bool(user and user.is_admin),
            }
        )
        if user is not None:
            info["name"] = user.name
            info["partner_id"] = user.partner_id
            self._user_session_info(info, user)
        info.update({k: self.db.version_info[k] for k in ("server_version", "server_version_info")})
        return info

    def _user_session_info(self, info: dict[str, Any], user: _orm.User) -> None:
        """The parts of ``session_info`` that are the user's own (the recorded template is the admin's): login,
        partner, context, companies, and what the user's partner record says."""
        users, partners = self.db.table("res.users"), self.db.table("res.partner")
        row = users.rows.get(user.uid, {}) if users is not None else {}
        partner = partners.rows.get(user.partner_id, {}) if partners is not None else {}
        info["username"] = user.login
        if "user_id" in info:
            info["user_id"] = [user.uid]
        info["partner_display_name"] = self.db.display_name("res.partner", user.partner_id) or user.name
        if "partner_write_date" in info and partner.get("write_date"):
            info["partner_write_date"] = partner["write_date"]
        info["is_internal_user"] = not row.get("share", False)
        context = dict(info.get("user_context") or {})
        context.update(
            {"lang": partner.get("lang") or "en_US", "tz": partner.get("tz") or False, "uid": user.uid}
        )
        info["user_context"] = context
        settings = info.get("user_settings")
        if isinstance(settings, dict) and isinstance(settings.get("user_id"), dict):
            settings["user_id"] = {"id": user.uid}
        companies = info.get("user_companies")
        if isinstance(companies, dict) and row:
            allowed = {int(c) for c in row.get("company_ids") or []}
            current = row.get("company_id")
            current = current[0] if isinstance(current, list) else current
            offered = companies.get("allowed_companies") or {}
            companies["allowed_companies"] = {k: v for k, v in offered.items() if int(k) in allowed}
            if current:
                companies["current_company"] = current
            if "display_switch_company_menu" in info:
                info["display_switch_company_menu"] = len(companies["allowed_companies"]) > 1

    async def _web_authenticate(self, request: web.Request) -> web.Response:
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        rid, params = parsed
        try:
            uid = self._authenticate(
                params.get("db"), params.get("login"), params.get("password"), interactive=True
            )
            if not uid:
                raise AccessDenied("Access Denied")
        except EmulatedError as exc:
            return self._rpc_error(rid, exc)
        session = secrets.token_hex(20)
        self._sessions[session] = int(uid)
        return self._session_cookie_response(rid, self._session_info(int(uid)), session)

    def _session_uid(self, request: web.Request) -> int | None:
        sid = request.cookies.get("session_id")
        return self._sessions.get(sid) if sid else None

    def _session_expired(self, rid: Any) -> web.Response:
        return self._rpc_error(
            rid, EmulatedError("Session expired", "odoo.http.SessionExpiredException"), 100
        )

    def _api_key_user(self, request: web.Request) -> _orm.User | None:
        key = request.headers.get("Authorization", "").partition(" ")[2]
        users = self._users.values()
        return next((u for u in users if u.api_key and secrets.compare_digest(u.api_key, key)), None)

    def expire_sessions(self) -> None:
        """Forget every web session (the next call_kw answers "Session expired")."""
        self._sessions.clear()

    async def _web_session_info(self, request: web.Request) -> web.Response:
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        rid, _ = parsed
        uid = self._session_uid(request)
        if uid is None:
            return self._session_expired(rid)
        sid = request.cookies.get("session_id", "")
        return self._session_cookie_response(rid, self._session_info(uid), sid, times=1)

    async def _web_session_destroy(self, request: web.Request) -> web.Response:
        """``/web/session/destroy`` (auth="user"): logs the session out; the route returns None, so the
        answer has no ``result``; the cookie then names a session that has expired."""
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        rid, _ = parsed
        if self._session_uid(request) is None:
            return self._session_expired(rid)
        self._sessions.pop(request.cookies.get("session_id", ""), None)
        return self._rpc_result(rid, None)

    async def _web_call_kw(self, request: web.Request) -> web.Response:
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        rid, params = parsed
        model, method = params.get("model", ""), params.get("method", "")
        known = self.db.table(model) is not None or model in self.db.models
        if not known and self.db.major >= 18:
            # 18+ looks the model up to choose a read-only cursor, before authentication: werkzeug's NotFound
            return self._rpc_error(rid, NotFound(_NOT_FOUND_TEXT, arguments=[]), 404)
        uid = self._session_uid(request)
        if uid is None:
            return self._session_expired(rid)
        if not known:  # 17: request.env[model] raises the registry's KeyError (serialized as the bare key)
            return self._rpc_error(rid, EmulatedError(model, "builtins.KeyError"))
        user = self._user_by_uid(uid)
        assert user is not None
        kwargs = dict(params.get("kwargs") or {})
        env = _orm.Env(self.db, user, kwargs.get("context"), rules=_business)
        self.calls[(model, method)] += 1
        try:
            with self.db.transaction():
                result = _orm.execute_kw(env, model, method, list(params.get("args") or []), kwargs)
        except EmulatedError as exc:
            return self._rpc_error(rid, exc)
        except Exception as exc:
            return self._rpc_error(rid, NotEmulated.from_internal(str(model), str(method), exc))
        return self._rpc_result(rid, result)

    async def _web_database_list(self, request: web.Request) -> web.Response:
        parsed = await self._read_jsonrpc(request)
        if isinstance(parsed, web.Response):
            return parsed
        return self._rpc_result(parsed[0], [self.database])

    async def _http_version(self, request: web.Request) -> web.Response:
        """``/web/version`` and ``/json/version``: a plain JSON route of Odoo 19's rpc module (not on 17/18)."""
        if self.db.major < 19:
            return web.Response(status=404, text=_NOT_FOUND_PAGE, content_type="text/html")
        info = self.db.version_info
        return self._json({"version_info": info["server_version_info"], "version": info["server_version"]})

    async def _web_version(self, request: web.Request) -> web.Response:
        rid = None
        if request.method == "POST" and request.can_read_body:
            parsed = await self._read_jsonrpc(request)
            if isinstance(parsed, web.Response):
                return parsed
            rid = parsed[0]
        return self._rpc_result(rid, dict(self.db.version_info))

    async def _doc_bearer(self, request: web.Request) -> web.Response:
        """Odoo 19's api_doc: a model's fields and public methods with their signatures (admin's key only;
        other users lack the documentation group and get 403)."""
        if self.db.major < 19:
            return web.Response(status=404, text=_NOT_FOUND_PAGE, content_type="text/html")
        user = self._api_key_user(request)
        if user is None:
            return self._json2_error(Unauthorized("Invalid apikey"))
        model = request.match_info["model"]
        table = self.db.table(model)
        if table is None:
            return self._json2_error(NotFound(f"the model '{model}' does not exist"))
        methods: dict[str, Any] = {}
        for name in sorted(_business.MODEL_METHODS.get(model, {})):
            on_records = name in _orm.BaseModel._record_methods
            methods[name] = {
                "signature": "(self)",
                "parameters": [],
                "api": [] if on_records else ["model"],
                "model": model,
                "module": self.db.models.get(model, {}).get("modules", ""),
            }
        return self._json(
            {
                "model": model,
                "name": self.db.models.get(model, {}).get("name", model),
                "doc": "",
                "fields": {n: {"string": f.get("string", n)} for n, f in table.fields.items()},
                "methods": methods,
            }
        )

    def _json2_error(self, exc: EmulatedError) -> web.Response:
        args: list[Any] = [exc.message, exc.json2_status] if exc.status_in_arguments else [exc.message]
        payload = {
            "name": exc.odoo_name,
            "message": exc.message,
            "arguments": args,
            "context": {},
            "debug": _traceback(exc),
        }
        response = self._json(payload, exc.json2_status)
        if exc.json2_status == 401:
            response.headers["WWW-Authenticate"] = "Bearer "
        return response

    async def _json2(self, request: web.Request) -> web.Response:
        if self.db.major < 19:
            return web.Response(status=404, text=_NOT_FOUND_PAGE, content_type="text/html")
        if request.method != "POST" or "model" not in request.match_info:
            return self._json2_error(NotFound("Did you mean POST /json/2/<model>/<method>?"))
        db = request.headers.get("X-Odoo-Database", self.database)
        if db != self.database:
            return web.Response(status=404, text=_NOT_FOUND_DB, content_type="text/html")
        auth = request.headers.get("Authorization", "")
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return self._json2_error(
                Unauthorized("User not authenticated, use an API Key with a Bearer Authorization header.")
            )
        user = self._api_key_user(request)
        if user is None:
            return self._json2_error(Unauthorized("Invalid apikey"))
        raw = await request.read()
        try:
            named = json.loads(raw) if raw else {}
        except ValueError as exc:
            return self._json2_error(BadRequest(f"could not parse the body as json: {exc}"))
        model, method = request.match_info["model"], request.match_info["method"]
        if not isinstance(named, dict):
            from ._exceptions import UnprocessableEntity

            first = {"search_count": "domain", "search": "domain", "search_read": "domain"}.get(method, "ids")
            return self._json2_error(UnprocessableEntity(f"missing a required argument: '{first}'"))
        env = _orm.Env(self.db, user, named.get("context"), rules=_business)
        self.calls[(model, method)] += 1
        try:
            if self.db.table(model) is None and model not in self.db.models:
                raise NotFound(f"the model '{model}' does not exist")
            with self.db.transaction():
                result = _orm.execute_named(env, model, method, named)
        except EmulatedError as exc:
            if exc.odoo_name == "builtins.AttributeError":
                return self._json2_error(NotFound(exc.message))
            return self._json2_error(exc)
        except Exception as exc:
            return self._json2_error(NotEmulated.from_internal(model, method, exc))
        return self._json(result)


#: where Odoo 19 logs its warning for each call to a deprecated endpoint; silent (a library's logger) unless
#: the application configures logging, as ``python -m zenoo_rpc.testing`` does
_RPC_LOG = logging.getLogger("odoo.addons.rpc.controllers")
_RPC_LOG.addHandler(logging.NullHandler())


def _call_name(service: Any, method: Any, args: Any) -> tuple[str, str]:
    """(model, method) of an ``object.execute_kw``/``execute`` call, else ("", "service.method")."""
    if service == "object" and isinstance(args, list) and len(args) >= 5:
        return str(args[3]), str(args[4])
    return "", f"{service}.{method}"


def _xml_safe(value: Any) -> Any:
    """XML-RPC has no None: Odoo sends False."""
    if value is None:
        return False
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _xml_safe(v) for k, v in value.items()}
    return value


@contextmanager
def run_emulator(version: str = "19.0", **options: Any) -> Iterator[OdooEmulator]:
    """``with run_emulator("17.0") as odoo: ...`` — an emulator on a free loopback port."""
    server = OdooEmulator(version, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
