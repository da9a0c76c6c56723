"""Odoo's wire protocols, sans I/O: each builds :class:`RequestSpec` objects and decodes :class:`RawResponse`.

- ``jsonrpc``: ``POST /jsonrpc`` with services ``common``, ``object`` and ``db`` (deprecated by Odoo 19);
- ``xmlrpc``: ``POST /xmlrpc/2/common|object|db`` (deprecated by Odoo 19);
- ``session``: ``/web/session/authenticate`` then ``/web/dataset/call_kw/<model>/<method>`` with the cookie;
- ``json2``: ``POST /json/2/<model>/<method>`` with a bearer API key and named arguments only (Odoo 19+).

The web session and JSON-2 ask the server's version and database list from the web client's routes
(``/web/webclient/version_info``, ``/web/database/list``), which every version has and none deprecates.
Every error answer is turned into an exception by the one table in :mod:`.errors`; the decoders only put
each protocol's answer into its terms (an XML-RPC fault code, a traceback's last exception, an error page).
"""

from __future__ import annotations

import itertools
import json
import re
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .error_map import ErrorContext, error_from_odoo, error_from_page
from .errors import (
    HTTPStatusError,
    OdooError,
    ProtocolError,
)
from .wire import RawResponse, RequestSpec

if TYPE_CHECKING:
    import xmlrpc.client

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
    "deprecation_notice",
    "json2_named_arguments",
    "major_of",
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

    def context(self, model: str | None = None, method: str | None = None) -> ErrorContext:
        """What errors of a call made as these credentials may name (never the secret)."""
        return ErrorContext(model=model, method=method, db=self.db, login=self.login, api_key=self.is_api_key)


def major_of(info: dict[str, Any]) -> int:
    """The major version in a ``common.version`` answer: 17 for ``[17, 0, 0, "final", 0, ""]``, and for
    Odoo Online's ``["saas~17", 4, ...]`` or ``"saas~17.4+e"`` too; 0 when the answer has none."""
    for value in ((info.get("server_version_info") or [None])[0], info.get("server_version")):
        found = re.search(r"\d+", str(value)) if value is not None else None
        if found:
            return int(found.group())
    return 0


def _version_from_session(info: dict[str, Any]) -> dict[str, Any] | None:
    """The ``common.version`` answer that a session info carries (same keys, ``server_serie`` derived the way
    Odoo's release module does)."""
    version_info = info.get("server_version_info")
    if not version_info or "server_version" not in info:
        return None
    return {
        "server_version": info["server_version"],
        "server_version_info": list(version_info),
        "server_serie": ".".join(str(part) for part in version_info[:2]),
        "protocol_version": 1,
    }


#: service methods that change nothing: retried like reads (a login only checks the password)
_SAFE_SERVICE_METHODS = frozenset({"version", "list", "login"})

_ids = itertools.count(1)
_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _jsonrpc_body(params: dict[str, Any]) -> bytes:
    return _dumps({"jsonrpc": "2.0", "method": "call", "id": next(_ids), "params": params})


def _decode_json(raw: RawResponse, ctx: ErrorContext | None) -> Any:
    try:
        return json.loads(raw.body)
    except ValueError:
        text = raw.body.decode("utf-8", "replace")
        if raw.status != 200:
            raise _page_error(raw.status, text, ctx) from None
        raise ProtocolError(f"answer is not JSON: {text[:200]!r}") from None


def _page_error(status: int, text: str, ctx: ErrorContext | None) -> OdooError | HTTPStatusError:
    """An HTTP error page: an Odoo error when Odoo serves this page for a known condition, else the status."""
    readable = _html_text(text)
    return error_from_page(status, readable, ctx) or HTTPStatusError(status, readable)


def _html_text(text: str) -> str:
    """The readable part of an HTML error page (Odoo's 404 page names what was not found)."""
    if "<" not in text:
        return text
    parts = [p.strip() for p in re.sub(r"<[^>]+>", "\n", text).splitlines()]
    return " ".join(p for p in parts if p)


def decode_jsonrpc(raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
    """Decode a JSON-RPC answer (``/jsonrpc`` and the web routes): the result, or raise the mapped error."""
    payload = _decode_json(raw, ctx)
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
            context=ctx,
        )
    if raw.status != 200:
        raise HTTPStatusError(raw.status, raw.body.decode("utf-8", "replace"))
    # A method that returns None gives an answer with no "result" key at all.
    return payload.get("result")


class Protocol:
    """What every protocol offers to the flows."""

    name: ProtocolName
    #: the Odoo major version that deprecates this protocol's endpoints (None: not deprecated)
    deprecated_since: int | None = None
    #: the endpoint named in the deprecation warning
    endpoint: str = ""
    #: the login answer carries the server version (no separate version call is needed)
    login_tells_version = False

    def version_request(self) -> RequestSpec:
        return self.service_request("common", "version", [])

    def decode_version(self, raw: RawResponse) -> dict[str, Any]:
        return dict(self.decode_service(raw, ErrorContext(service="common", method="version")))

    def login_request(self, creds: Credentials) -> RequestSpec:
        """``common.login``: one call, answered by the uid or ``false``."""
        return self.service_request("common", "login", [creds.db, creds.login, creds.secret])

    def decode_login(self, raw: RawResponse, creds: Credentials) -> dict[str, Any] | None:
        """Store the uid (and the session cookie) in ``creds``; raise AuthenticationError on refusal. Returns
        the server version when the answer carries it."""
        uid = self.decode_service(raw, creds.context(method="login"))
        if not uid:
            raise _refused(creds)
        creds.uid = int(uid)
        return None

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        raise NotImplementedError

    def decode_call(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        raise NotImplementedError

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        raise NotImplementedError

    def decode_service(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        raise NotImplementedError


def deprecation_notice(proto: Protocol, major: int) -> str | None:
    """The warning for a protocol whose endpoint a server of version ``major`` deprecates, else None."""
    if proto.deprecated_since is None or major < proto.deprecated_since:
        return None
    return (
        f"protocol={proto.name!r} sends every call to {proto.endpoint}, which Odoo {proto.deprecated_since} "
        f"deprecates (this server runs Odoo {major}; the server logs a warning on every call, and the endpoint "
        "is removed in Odoo 22 and Odoo Online 21.1). Use protocol='auto': JSON-2 with login_with_api_key(), "
        "the web session with login()"
    )


def _refused(creds: Credentials) -> OdooError:
    """``common.login`` answers ``false`` for a bad password or key: the same error as Odoo's AccessDenied."""
    what = "API key" if creds.is_api_key else "password"
    return error_from_odoo(
        "odoo.exceptions.AccessDenied",
        f"login refused for user {creds.login!r} on database {creds.db!r} (bad login or {what})",
        context=creds.context(method="login"),
    )


class JsonRpcProtocol(Protocol):
    name: ProtocolName = "jsonrpc"
    deprecated_since = 19
    endpoint = "/jsonrpc"

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        body = _jsonrpc_body({"service": service, "method": method, "args": args})
        return RequestSpec("/jsonrpc", body, _JSON_HEADERS, idempotent=method in _SAFE_SERVICE_METHODS)

    def decode_service(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return decode_jsonrpc(raw, ctx)

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

    def decode_call(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return decode_jsonrpc(raw, ctx)


#: what Odoo's XML-RPC fault codes say (Odoo's ``xmlrpc_handle_exception_int``): 2 is any UserError subclass
#: or RedirectWarning, sent with the message only; 1 is any other exception, sent as its formatted traceback
_XML_FAULT_NAMES = {
    2: "odoo.exceptions.UserError",
    3: "odoo.exceptions.AccessDenied",
    4: "odoo.exceptions.AccessError",
}
#: the line of a formatted traceback that names the exception (after the last indented frame line)
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::[ ]?(.*))?$", re.S)


def _last_exception(traceback_text: str) -> tuple[str, str]:
    """``(qualified name, message)`` of the exception a formatted traceback ends with; the message may span
    several lines."""
    lines = traceback_text.rstrip("\n").split("\n")
    start = 0
    for i, line in enumerate(lines):
        if line.startswith((" ", "\t")) or line.startswith("Traceback ("):
            start = i + 1
    rest = "\n".join(lines[start:]).strip("\n")
    found = _EXCEPTION_LINE.match(rest)
    if not found:
        return "", lines[-1] if lines else ""
    name, message = found.group(1), (found.group(2) or "")
    return (name if "." in name else f"builtins.{name}"), message


class XmlRpcProtocol(Protocol):
    name: ProtocolName = "xmlrpc"
    deprecated_since = 19
    endpoint = "/xmlrpc/2"

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        from . import xmlrpc_codec  # the standard library's XML-RPC only for clients that use it

        body = xmlrpc_codec.dumps_call(method, tuple(args))
        return RequestSpec(
            f"/xmlrpc/2/{service}",
            body,
            {"Content-Type": "text/xml"},
            idempotent=method in _SAFE_SERVICE_METHODS,
        )

    def decode_service(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        if raw.status != 200:
            raise _page_error(raw.status, raw.body.decode("utf-8", "replace"), ctx)
        from . import xmlrpc_codec

        try:
            params, _ = xmlrpc_codec.loads(raw.body)
        except xmlrpc_codec.Fault as fault:
            raise self._fault_error(fault, ctx) from None
        except Exception as exc:  # expat errors, truncated bodies
            raise ProtocolError(f"answer is not XML-RPC: {exc}") from None
        return params[0] if params else None

    @staticmethod
    def _fault_error(fault: xmlrpc.client.Fault, ctx: ErrorContext | None) -> OdooError:
        text = str(fault.faultString)
        code = int(fault.faultCode)
        if code in _XML_FAULT_NAMES and not text.startswith("Traceback"):
            name, message, debug = _XML_FAULT_NAMES[code], text, ""
        else:
            (name, message), debug = _last_exception(text), text
        return error_from_odoo(name, message, arguments=[message], debug=debug, code=code, context=ctx)

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        spec = self.service_request(
            "object", "execute_kw", [creds.db, creds.uid, creds.secret, model, method, args, kwargs]
        )
        return attrs.evolve(spec, idempotent=method in READ_METHODS)

    def decode_call(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return self.decode_service(raw, ctx)


#: services the web client's own routes answer, so that the web session and JSON-2 never use /jsonrpc for them
_WEB_SERVICE_ROUTES = {
    ("common", "version"): "/web/webclient/version_info",
    ("db", "list"): "/web/database/list",
}


def _web_service_request(service: str, method: str, args: list[Any]) -> RequestSpec:
    route = _WEB_SERVICE_ROUTES.get((service, method))
    if route is None:  # no web route answers it: only /jsonrpc does
        return JsonRpcProtocol().service_request(service, method, args)
    return RequestSpec(route, _jsonrpc_body({}), _JSON_HEADERS, idempotent=True)


_SESSION_COOKIE = re.compile(r"(?:^|;\s*)session_id=([^;]*)")


class SessionProtocol(Protocol):
    """The web client's routes: one login sets a session cookie; an expired session is renewed once."""

    name: ProtocolName = "session"
    login_tells_version = True

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        return _web_service_request(service, method, args)

    def decode_service(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return decode_jsonrpc(raw, ctx)

    def login_request(self, creds: Credentials) -> RequestSpec:
        body = _jsonrpc_body({"db": creds.db, "login": creds.login, "password": creds.secret})
        return RequestSpec("/web/session/authenticate", body, _JSON_HEADERS, idempotent=True)

    def decode_login(self, raw: RawResponse, creds: Credentials) -> dict[str, Any] | None:
        info = decode_jsonrpc(raw, creds.context(method="login"))
        if not info:
            raise _refused(creds)
        if not info.get("uid"):  # Odoo's answer when the password was right but a second factor is due
            raise error_from_odoo(
                "odoo.exceptions.AccessDenied",
                f"login of {creds.login!r} on database {creds.db!r} needs a second factor (two-factor "
                "authentication is on for this user): log in with an API key, login_with_api_key()",
                context=creds.context(method="login"),
            )
        creds.uid = int(info["uid"])
        for cookie in raw.cookies:
            match = _SESSION_COOKIE.search(cookie)
            if match:
                creds.session_id = match.group(1)
        if not creds.session_id:
            raise ProtocolError("/web/session/authenticate answered without a session cookie")
        return _version_from_session(info)

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

    def decode_call(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return decode_jsonrpc(raw, ctx)


class Json2Protocol(Protocol):
    """Odoo 19's JSON-2 API: ``POST /json/2/<model>/<method>``, bearer API key, named arguments only."""

    name: ProtocolName = "json2"

    def service_request(self, service: str, method: str, args: list[Any]) -> RequestSpec:
        return _web_service_request(service, method, args)

    def decode_service(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        return decode_jsonrpc(raw, ctx)

    def login_request(self, creds: Credentials) -> RequestSpec:
        # The key is checked by the first real call; this one also tells us the uid for cache keys.
        return self.call_request(creds, "res.users", "search", [[["login", "=", creds.login]]], {"limit": 1})

    def decode_login(self, raw: RawResponse, creds: Credentials) -> dict[str, Any] | None:
        ids = self.decode_call(raw, creds.context(method="login"))
        if not ids:
            raise _refused(creds)
        creds.uid = int(ids[0])
        return None

    def call_request(
        self, creds: Credentials, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> RequestSpec:
        headers = dict(_JSON_HEADERS)
        headers["Authorization"] = f"bearer {creds.secret}"
        headers["X-Odoo-Database"] = creds.db
        body = _dumps(json2_named_arguments(method, args, kwargs))
        return RequestSpec(f"/json/2/{model}/{method}", body, headers, idempotent=method in READ_METHODS)

    def decode_call(self, raw: RawResponse, ctx: ErrorContext | None = None) -> Any:
        payload = _decode_json(raw, ctx)
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
                context=ctx,
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
