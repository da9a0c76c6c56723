"""Odoo's wire protocols, sans I/O: each builds :class:`RequestSpec` objects and decodes :class:`RawResponse`.

- ``jsonrpc``: ``POST /jsonrpc`` with services ``common``, ``object`` and ``db`` (default for 17 and 18);
- ``xmlrpc``: ``POST /xmlrpc/2/common|object|db``;
- ``session``: ``/web/session/authenticate`` then ``/web/dataset/call_kw/<model>/<method>`` with the cookie;
- ``json2``: ``POST /json/2/<model>/<method>`` with a bearer API key and named arguments only (Odoo 19+).
"""

from __future__ import annotations

import itertools
import json
import re
import xmlrpc.client
from typing import Any, Literal

import attrs

from . import xmlrpc_codec
from .errors import (
    AuthenticationError,
    HTTPStatusError,
    OdooError,
    ProtocolError,
    error_from_odoo,
)
from .wire import RawResponse, RequestSpec

__all__ = [
    "JSON2_ARGUMENTS",
    "READ_METHODS",
    "Credentials",
    "Json2Protocol",
    "JsonRpcProtocol",
    "Protocol",
    "ProtocolName",
    "SessionProtocol",
    "XmlRpcProtocol",
    "json2_named_arguments",
    "make_protocol",
]

ProtocolName = Literal["jsonrpc", "xmlrpc", "session", "json2"]

#: Methods that never change data: safe to retry and to cache.
READ_METHODS = frozenset(
    {
        "search",
        "search_read",
        "read",
        "search_count",
        "name_search",
        "fields_get",
        "default_get",
        "read_group",
        "formatted_read_group",
        "web_search_read",
        "web_read",
        "exists",
        "check_access_rights",
        "has_access",
        "context_get",
        "name_get",
        "get_views",
    }
)

#: Positional parameter names of the standard ORM methods, after ``ids`` for record methods. JSON-2 takes
#: named arguments only: a positional call is translated with this table before it is sent.
JSON2_ARGUMENTS: dict[str, tuple[bool, tuple[str, ...]]] = {
    # method: (takes ids first, names of the following positional arguments)
    "search": (False, ("domain", "offset", "limit", "order")),
    "search_read": (False, ("domain", "fields", "offset", "limit", "order")),
    "search_count": (False, ("domain", "limit")),
    "search_fetch": (False, ("domain", "field_names", "offset", "limit", "order")),
    "read": (True, ("fields", "load")),
    "create": (False, ("vals_list",)),
    "write": (True, ("vals",)),
    "unlink": (True, ()),
    "copy": (True, ("default",)),
    "copy_data": (True, ("default",)),
    "exists": (True, ()),
    "name_search": (False, ("name", "domain", "operator", "limit")),
    "name_create": (False, ("name",)),
    "fields_get": (False, ("allfields", "attributes")),
    "default_get": (False, ("fields",)),
    "read_group": (False, ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy")),
    "formatted_read_group": (
        False,
        ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"),
    ),
    "web_search_read": (False, ("domain", "specification", "offset", "limit", "order", "count_limit")),
    "web_read": (True, ("specification",)),
    "has_access": (True, ("operation",)),
    "check_access_rights": (False, ("operation", "raise_exception")),
    "check_access": (True, ("operation",)),
    "get_metadata": (True, ()),
    "toggle_active": (True, ()),
    "action_archive": (True, ()),
    "action_unarchive": (True, ()),
    "context_get": (False, ()),
}


def json2_named_arguments(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Translate an ``execute_kw``-style call into JSON-2's named arguments.

    Methods missing from :data:`JSON2_ARGUMENTS` are treated as record methods when their first positional
    argument is a list of ids (``action_confirm(ids)``); any further positional argument is refused.
    """
    named = dict(kwargs)
    takes_ids, names = JSON2_ARGUMENTS.get(method, (None, ()))
    rest = list(args)
    if takes_ids is None:
        takes_ids = bool(rest) and _is_ids(rest[0])
    if takes_ids and rest:
        ids = rest.pop(0)
        named["ids"] = [ids] if isinstance(ids, int) else list(ids)
    if method == "name_search" and "args" in named:  # the 17/18 keyword became `domain`
        named["domain"] = named.pop("args")
    if len(rest) > len(names):
        raise TypeError(
            f"{method}: {len(rest)} positional arguments given but JSON-2 knows names for {len(names)}; "
            "pass them as keyword arguments"
        )
    for name, value in zip(names, rest):
        if name in named:
            raise TypeError(f"{method}: argument {name!r} given twice")
        named[name] = value
    return named


def _is_ids(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


@attrs.define
class Credentials:
    """Who the calls are made as. Secrets never appear in ``repr()``."""

    db: str
    login: str
    secret: str = attrs.field(repr=False)
    uid: int | None = None
    session_id: str | None = attrs.field(default=None, repr=False)
    is_api_key: bool = False


#: service methods that change nothing: retried like reads (a login only checks the password)
_SAFE_SERVICE_METHODS = frozenset({"version", "list", "login"})

_ids = itertools.count(1)
_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _jsonrpc_body(params: dict[str, Any]) -> bytes:
    return _dumps({"jsonrpc": "2.0", "method": "call", "id": next(_ids), "params": params})


def _decode_json(raw: RawResponse) -> Any:
    try:
        return json.loads(raw.body)
    except ValueError:
        text = raw.body.decode("utf-8", "replace")
        if raw.status != 200:
            raise HTTPStatusError(raw.status, _html_text(text)) from None
        raise ProtocolError(f"answer is not JSON: {text[:200]!r}") from None


def _html_text(text: str) -> str:
    """The readable part of an HTML error page (Odoo's 404 page names what was not found)."""
    if "<" not in text:
        return text
    parts = [p.strip() for p in re.sub(r"<[^>]+>", "\n", text).splitlines()]
    return " ".join(p for p in parts if p)


def decode_jsonrpc(raw: RawResponse) -> Any:
    """Decode a JSON-RPC answer (``/jsonrpc`` and the web routes): the result, or raise the mapped error."""
    payload = _decode_json(raw)
    if not isinstance(payload, dict):
        raise ProtocolError(f"unexpected JSON-RPC answer: {payload!r:.200}")
    error = payload.get("error")
    if error is not None:
        data = error.get("data") or {}
        message = data.get("message") or error.get("message") or "Odoo error"
        raise error_from_odoo(
            data.get("name", ""),
            message,
            arguments=data.get("arguments"),
            debug=data.get("debug", ""),
            code=error.get("code"),
            status=raw.status,
        )
    if raw.status != 200:
        raise HTTPStatusError(raw.status, raw.body.decode("utf-8", "replace"))
    # A method that returns None gives an answer with no "result" key at all.
    return payload.get("result")


class Protocol:
    """What every protocol offers to the flows."""

    name: ProtocolName

    def version_request(self) -> RequestSpec:
        return self.service_request("common", "version", [])

    def decode_version(self, raw: RawResponse) -> dict[str, Any]:
        return dict(self.decode_service(raw))

    def login_request(self, creds: Credentials) -> RequestSpec:
        """``common.login``: one call, answered by the uid or ``false``."""
        return self.service_request("common", "login", [creds.db, creds.login, creds.secret])

    def decode_login(self, raw: RawResponse, creds: Credentials) -> None:
        """Store the uid (and the session cookie) in ``creds``; raise AuthenticationError on refusal."""
        uid = self.decode_service(raw)
        if not uid:
            raise _refused(creds)
        creds.uid = int(uid)

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        raise NotImplementedError

    def decode_call(self, raw: RawResponse) -> Any:
        raise NotImplementedError

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        raise NotImplementedError

    def decode_service(self, raw: RawResponse) -> Any:
        raise NotImplementedError


def _refused(creds: Credentials) -> AuthenticationError:
    return AuthenticationError(
        f"login refused for user {creds.login!r} on database {creds.db!r}",
        odoo_name="odoo.exceptions.AccessDenied",
    )


class JsonRpcProtocol(Protocol):
    name: ProtocolName = "jsonrpc"

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        body = _jsonrpc_body({"service": service, "method": method, "args": args})
        return RequestSpec("/jsonrpc", body, _JSON_HEADERS, idempotent=method in _SAFE_SERVICE_METHODS)

    def decode_service(self, raw: RawResponse) -> Any:
        return decode_jsonrpc(raw)

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        body = _jsonrpc_body(
            {
                "service": "object",
                "method": "execute_kw",
                "args": [creds.db, creds.uid, creds.secret, model, method, args, kwargs],
            }
        )
        return RequestSpec("/jsonrpc", body, _JSON_HEADERS, idempotent=method in READ_METHODS)

    def decode_call(self, raw: RawResponse) -> Any:
        return decode_jsonrpc(raw)


_FAULT_LAST_LINE = re.compile(r"^([\w.]+(?:Error|Exception|Denied|Warning)): (.*)$", re.S)
_XML_FAULT_NAMES = {
    2: "odoo.exceptions.UserError",
    3: "odoo.exceptions.AccessDenied",
    4: "odoo.exceptions.AccessError",
}


class XmlRpcProtocol(Protocol):
    name: ProtocolName = "xmlrpc"

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        body = xmlrpc_codec.dumps_call(method, tuple(args))
        return RequestSpec(
            f"/xmlrpc/2/{service}",
            body,
            {"Content-Type": "text/xml"},
            idempotent=method in _SAFE_SERVICE_METHODS,
        )

    def decode_service(self, raw: RawResponse) -> Any:
        if raw.status != 200:
            raise HTTPStatusError(raw.status, _html_text(raw.body.decode("utf-8", "replace")))
        try:
            params, _ = xmlrpc_codec.loads(raw.body)
        except xmlrpc.client.Fault as fault:
            raise self._fault_error(fault) from None
        except Exception as exc:  # expat errors, truncated bodies
            raise ProtocolError(f"answer is not XML-RPC: {exc}") from None
        return params[0] if params else None

    @staticmethod
    def _fault_error(fault: xmlrpc.client.Fault) -> OdooError:
        text = str(fault.faultString)
        code = int(fault.faultCode)
        if code == 1 or text.startswith("Traceback"):
            last = text.rstrip().rsplit("\n", 1)[-1]
            match = _FAULT_LAST_LINE.match(last)
            if match:
                exc_name, message = match.groups()
                name = exc_name if "." in exc_name else f"builtins.{exc_name}"
                return error_from_odoo(name, message, arguments=[message], debug=text, code=code)
            return error_from_odoo("", last, debug=text, code=code)
        return error_from_odoo(_XML_FAULT_NAMES.get(code, ""), text, arguments=[text], code=code)

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        spec = self.service_request(
            "object", "execute_kw", [creds.db, creds.uid, creds.secret, model, method, args, kwargs]
        )
        return attrs.evolve(spec, idempotent=method in READ_METHODS)

    def decode_call(self, raw: RawResponse) -> Any:
        return self.decode_service(raw)


_SESSION_COOKIE = re.compile(r"(?:^|;\s*)session_id=([^;]*)")


class SessionProtocol(JsonRpcProtocol):
    """The web client's routes: one login sets a session cookie; an expired session is renewed once."""

    name: ProtocolName = "session"

    def login_request(self, creds: Credentials) -> RequestSpec:
        body = _jsonrpc_body({"db": creds.db, "login": creds.login, "password": creds.secret})
        return RequestSpec("/web/session/authenticate", body, _JSON_HEADERS, idempotent=True)

    def decode_login(self, raw: RawResponse, creds: Credentials) -> None:
        info = decode_jsonrpc(raw)
        if not info or not info.get("uid"):
            raise _refused(creds)
        creds.uid = int(info["uid"])
        for cookie in raw.cookies:
            match = _SESSION_COOKIE.search(cookie)
            if match:
                creds.session_id = match.group(1)
        if not creds.session_id:
            raise ProtocolError("/web/session/authenticate answered without a session cookie")

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        body = _jsonrpc_body({"model": model, "method": method, "args": args, "kwargs": kwargs})
        headers = dict(_JSON_HEADERS)
        if creds.session_id:
            headers["Cookie"] = f"session_id={creds.session_id}"
        return RequestSpec(
            f"/web/dataset/call_kw/{model}/{method}", body, headers, idempotent=method in READ_METHODS
        )


class Json2Protocol(Protocol):
    """Odoo 19's JSON-2 API: ``POST /json/2/<model>/<method>``, bearer API key, named arguments only."""

    name: ProtocolName = "json2"

    def __init__(self) -> None:
        self._rpc = JsonRpcProtocol()

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        return self._rpc.service_request(service, method, args)

    def decode_service(self, raw: RawResponse) -> Any:
        return self._rpc.decode_service(raw)

    def version_request(self) -> RequestSpec:
        return self._rpc.version_request()

    def login_request(self, creds: Credentials) -> RequestSpec:
        # The key is checked by the first real call; this one also tells us the uid for cache keys.
        return self.call_request(creds, "res.users", "search", [[["login", "=", creds.login]]], {"limit": 1})

    def decode_login(self, raw: RawResponse, creds: Credentials) -> None:
        ids = self.decode_call(raw)
        if not ids:
            raise _refused(creds)
        creds.uid = int(ids[0])

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        headers = dict(_JSON_HEADERS)
        headers["Authorization"] = f"bearer {creds.secret}"
        headers["X-Odoo-Database"] = creds.db
        body = _dumps(json2_named_arguments(method, args, kwargs))
        return RequestSpec(f"/json/2/{model}/{method}", body, headers, idempotent=method in READ_METHODS)

    def decode_call(self, raw: RawResponse) -> Any:
        payload = _decode_json(raw)
        if raw.status == 200:
            return payload
        if isinstance(payload, dict) and "name" in payload:
            args = list(payload.get("arguments") or [])
            if len(args) == 2 and args[1] == raw.status:  # werkzeug errors append the status
                args = args[:1]
            raise error_from_odoo(
                payload["name"],
                payload.get("message", ""),
                arguments=args,
                debug=payload.get("debug", ""),
                status=raw.status,
            )
        raise HTTPStatusError(raw.status, raw.body.decode("utf-8", "replace"))


def make_protocol(name: ProtocolName) -> Protocol:
    try:
        return {
            "jsonrpc": JsonRpcProtocol,
            "xmlrpc": XmlRpcProtocol,
            "session": SessionProtocol,
            "json2": Json2Protocol,
        }[name]()
    except KeyError:
        raise ValueError(f"unknown protocol {name!r}: use jsonrpc, xmlrpc, session or json2") from None
