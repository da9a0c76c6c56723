"""The exception tree of Zenoo RPC.

::

    ZenooError
    ├── TransportError                 the request did not get an Odoo answer
    │   ├── ConnectError               could not connect (refused, DNS, reset before sending)
    │   ├── RequestTimeout             connect or read timeout
    │   ├── TLSError                   certificate or handshake failure
    │   ├── HTTPStatusError            an HTTP status with no Odoo error in the body (502, 503, ...)
    │   └── ProtocolError              an answer that is not what the protocol promises
    ├── OdooError                      Odoo answered with an error; keeps name, message, arguments, debug
    │   ├── AuthenticationError        bad login, password or API key (AccessDenied, login == False, 401)
    │   │   └── APIKeyRejectedError    Odoo refused an API key: expired, revoked or wrong
    │   ├── SessionExpiredError        web session gone (code 100)
    │   ├── AccessError                access rights, record rules, private methods (403)
    │   ├── ValidationError            constraints, required fields, integrity errors
    │   ├── UserError                  business rule refused the operation
    │   ├── MissingRecordError         record does not exist or has been deleted
    │   ├── UnknownModelError          no such model
    │   ├── UnknownMethodError         no such method on the model or service
    │   ├── InvalidFieldError          a field name Odoo does not know
    │   ├── InvalidArgumentsError      wrong arguments, bad values, malformed domain (TypeError/ValueError/422)
    │   ├── DatabaseError              database missing or unreachable
    │   └── ServerError                anything else
    ├── ClientError                    rejected before anything was sent
    │   ├── UnknownFieldError          a field or lookup path the model does not have (also a KeyError-free AttributeError)
    │   ├── InvalidLookupError         a lookup that does not exist or does not fit the field type
    │   ├── InvalidValueError          a value of the wrong type, a selection value the field does not offer
    │   └── NotLoggedInError           a call that needs a login before it
    ├── DoesNotExist                   ``get()`` matched no record
    ├── MultipleObjectsReturned        ``get()`` matched several records
    ├── BatchError                     some chunks of a batch failed; the others' results are kept on it
    ├── CircuitOpenError               the circuit breaker refuses calls for now
    └── FieldNotLoadedError            a record attribute that ``only()`` left out (also an AttributeError)

Warnings: :class:`DeprecatedProtocolWarning` (a ``FutureWarning``, shown by default) when a client is made
to use an endpoint its server deprecates.

Every :class:`OdooError` keeps Odoo's own message in ``str()`` (``odoo_message`` always holds it; where it
does not say what happened, e.g. a bare ``KeyError``, ``str()`` says it instead); the exception name, the
arguments, the HTTP status and the server traceback are attributes (``odoo_name``, ``arguments``,
``status``, ``debug``), and so are the ``model``, ``method`` and ``field`` concerned when known; the traceback
is never part of ``str()``.

One condition raises one class whatever the protocol: the answers are mapped by one table of rules
(:data:`_RULES`, first match wins), so that e.g. a missing record, which XML-RPC reports only as a generic
warning with the message, is a :class:`MissingRecordError` there too.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

__all__ = [
    "APIKeyRejectedError",
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "CircuitOpenError",
    "ClientError",
    "ConnectError",
    "DatabaseError",
    "DeprecatedProtocolWarning",
    "DoesNotExist",
    "ErrorContext",
    "FieldNotLoadedError",
    "HTTPStatusError",
    "InvalidArgumentsError",
    "InvalidFieldError",
    "InvalidLookupError",
    "InvalidValueError",
    "MissingRecordError",
    "MultipleObjectsReturned",
    "NotLoggedInError",
    "OdooError",
    "ProtocolError",
    "RequestTimeout",
    "ServerError",
    "SessionExpiredError",
    "TLSError",
    "TransportError",
    "UnknownFieldError",
    "UnknownMethodError",
    "UnknownModelError",
    "UserError",
    "ValidationError",
    "ZenooError",
    "error_from_odoo",
    "error_from_page",
]


class ZenooError(Exception):
    """Base class of every error raised by Zenoo RPC."""


class TransportError(ZenooError):
    """The request did not produce an Odoo answer."""

    def __init__(self, message: str, *, sent: bool = False) -> None:
        super().__init__(message)
        #: True when the request may have reached the server (a retry could repeat its effect).
        self.sent = sent


class ConnectError(TransportError):
    pass


class RequestTimeout(TransportError):
    pass


class TLSError(TransportError):
    pass


class HTTPStatusError(TransportError):
    def __init__(self, status: int, body: str = "") -> None:
        super().__init__(f"HTTP {status}: {body[:200]}".rstrip(": "), sent=True)
        self.status = status
        self.body = body


class ProtocolError(TransportError):
    def __init__(self, message: str) -> None:
        super().__init__(message, sent=True)


class OdooError(ZenooError):
    """Odoo answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        odoo_name: str = "",
        arguments: list[Any] | None = None,
        debug: str = "",
        code: int | None = None,
        status: int = 200,
        model: str | None = None,
        method: str | None = None,
        field: str | None = None,
        odoo_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        #: what Odoo itself said (``message`` may explain it when Odoo's words do not name the condition)
        self.odoo_message = message if odoo_message is None else odoo_message
        self.odoo_name = odoo_name
        self.arguments = list(arguments or [])
        self.debug = debug
        self.code = code
        self.status = status
        self.model = model
        self.method = method
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, odoo_name={self.odoo_name!r})"


class AuthenticationError(OdooError):
    pass


class APIKeyRejectedError(AuthenticationError):
    """Odoo refused an API key: it expired, was revoked or is wrong (Odoo does not say which)."""


class SessionExpiredError(OdooError):
    pass


class AccessError(OdooError):
    pass


class ValidationError(OdooError):
    pass


class UserError(OdooError):
    pass


class MissingRecordError(OdooError):
    pass


class UnknownModelError(OdooError):
    pass


class UnknownMethodError(OdooError):
    pass


class InvalidFieldError(OdooError):
    pass


class InvalidArgumentsError(OdooError):
    pass


class DatabaseError(OdooError):
    pass


class ServerError(OdooError):
    pass


class ClientError(ZenooError):
    """Bad input, rejected before anything was sent."""


class UnknownFieldError(ClientError, AttributeError):
    def __init__(self, model: str, field: str, detail: str = "") -> None:
        msg = f"{model} has no field {field!r}"
        super().__init__(f"{msg}: {detail}" if detail else msg)
        self.model = model
        self.field = field


class InvalidLookupError(ClientError):
    def __init__(self, model: str, field: str, lookup: str, detail: str) -> None:
        super().__init__(f"{model}.{field}: lookup {lookup!r} {detail}")
        self.model = model
        self.field = field
        self.lookup = lookup


class InvalidValueError(ClientError):
    def __init__(self, model: str, field: str, detail: str) -> None:
        super().__init__(f"{model}.{field}: {detail}")
        self.model = model
        self.field = field


class NotLoggedInError(ClientError):
    pass


class DoesNotExist(ZenooError):
    pass


class MultipleObjectsReturned(ZenooError):
    pass


class BatchError(ZenooError):
    """Some chunks of a batch failed. Nothing is hidden: ``results`` holds what every operation did get
    (for a create, the ids of the records that exist now) and ``failures`` the ``(operation index, chunk,
    error)`` of each chunk that failed."""

    def __init__(self, results: list[Any], failures: list[tuple[int, list[Any], ZenooError]]) -> None:
        first = failures[0][2]
        super().__init__(
            f"{len(failures)} batch chunk(s) failed, the others were applied; first error: "
            f"{type(first).__name__}: {first}"
        )
        self.results = results
        self.failures = failures


class CircuitOpenError(ZenooError):
    def __init__(self, retry_in: float) -> None:
        super().__init__(f"circuit open after repeated failures; next attempt allowed in {retry_in:.1f}s")
        self.retry_in = retry_in


class DeprecatedProtocolWarning(FutureWarning):
    """The client was made to use an endpoint that its Odoo server deprecates (``/jsonrpc``, ``/xmlrpc`` on
    Odoo 19+); the message says what to use instead."""


class FieldNotLoadedError(ZenooError, AttributeError):
    def __init__(self, model: str, field: str) -> None:
        super().__init__(
            f"{model}.{field} was not loaded: the query's only() left it out; "
            f"add it to only() or call refresh()"
        )
        self.model = model
        self.field = field


# -- mapping Odoo's answers to the tree ---------------------------------------------------------------------
@attrs.frozen
class ErrorContext:
    """What the client knows about the call an error answers, for what Odoo's answer leaves out: a bare
    ``KeyError`` or a 404 does not name the model, an ``AccessDenied`` does not say an API key was used.
    Never holds a secret."""

    model: str | None = None
    method: str | None = None
    #: ``common``/``db`` for a service call (no model then)
    service: str | None = None
    db: str | None = None
    login: str | None = None
    api_key: bool = False


@attrs.frozen
class _Rule:
    """One row of the table: the answers it matches and the class they raise.

    Every condition given must hold: ``names`` (Odoo's exception name, any of them), ``message`` (searched
    in Odoo's message; ``{model}``/``{service}`` stand for the called model/service, so the rule needs one;
    named groups ``model``, ``method`` and ``field`` fill the exception's attributes), ``status`` (HTTP),
    ``code`` (JSON-RPC error code), ``api_key`` (the call was made with an API key), ``needs`` (the call is a
    model or a service call), ``page`` (an HTTP error page rather than an Odoo error body). ``recovers`` is the
    Odoo class that the answer did not name (XML-RPC sends every UserError subclass as a generic warning);
    ``explain`` replaces a message that does not say what happened (``{odoo_message}``, ``{model}``, ``{db}``...).
    """

    cls: type[OdooError]
    names: frozenset[str] = frozenset()
    message: str | None = None
    status: int | None = None
    code: int | None = None
    api_key: bool | None = None
    needs: str | None = None
    page: bool = False
    recovers: str | None = None
    explain: str | None = None

    def match(
        self, name: str, message: str, status: int, code: int | None, page: bool, ctx: ErrorContext
    ) -> dict[str, str] | None:
        if page != self.page or (self.names and name not in self.names):
            return None
        if self.status is not None and status != self.status:
            return None
        if self.code is not None and code != self.code:
            return None
        if self.api_key is not None and ctx.api_key != self.api_key:
            return None
        target = {"model": ctx.model, "service": ctx.service}
        if self.needs is not None and not target[self.needs]:
            return None
        if self.message is None:
            return {}
        pattern = self.message
        for key, value in target.items():
            if "{" + key + "}" in pattern:
                if not value:
                    return None
                pattern = pattern.replace("{" + key + "}", re.escape(value))
        found = re.search(pattern, message)
        return None if found is None else {k: v for k, v in found.groupdict().items() if v}


_USER_ERRORS = frozenset({"odoo.exceptions.UserError"})
_AUTH = frozenset({"odoo.exceptions.AccessDenied", "werkzeug.exceptions.Unauthorized"})
_NOT_FOUND = frozenset({"werkzeug.exceptions.NotFound"})
_ATTRIBUTE = frozenset({"builtins.AttributeError"})
_KEY = frozenset({"builtins.KeyError"})
_VALUE = frozenset({"builtins.ValueError"})
_API_KEY_HELP = (
    "Odoo refused the API key of {login!r} on database {db!r}: it is expired, revoked or wrong "
    "(Odoo said {odoo_message!r}). Create a new key in Odoo (Preferences > Account Security > New API Key) "
    "and log in again with login_with_api_key()"
)

#: The one table from Odoo's answers to classes, first match wins. Built from the answers recorded from real
#: Odoo 17/18/19 over JSON-RPC, XML-RPC, the web session and JSON-2 (tests/test_error_table.py replays them).
_RULES: tuple[_Rule, ...] = (
    # the session is gone (the web session's code 100)
    _Rule(SessionExpiredError, names=frozenset({"odoo.http.SessionExpiredException"})),
    _Rule(SessionExpiredError, code=100),
    # no such database: psycopg2 cannot connect, the db filter refuses it, or JSON-2's "no database" page
    _Rule(DatabaseError, names=frozenset({"psycopg2.OperationalError", "psycopg2.errors.UndefinedTable"})),
    _Rule(
        DatabaseError,
        names=frozenset({"odoo.exceptions.AccessError"}),
        message=r"^Database not found\b",
        explain="database {db!r} was not found on this server (Odoo said {odoo_message!r})",
    ),
    _Rule(
        DatabaseError,
        page=True,
        status=404,
        message=r"No database is selected",
        explain="database {db!r} was not found on this server (Odoo answered 404: no database is selected)",
    ),
    # credentials: an API key refused is its own error, whatever the protocol said
    _Rule(
        APIKeyRejectedError,
        names=frozenset({"werkzeug.exceptions.Unauthorized"}),
        message=r"^Invalid apikey",
        explain=_API_KEY_HELP,
    ),
    _Rule(
        APIKeyRejectedError,
        names=frozenset({"odoo.exceptions.AccessDenied"}),
        api_key=True,
        explain=_API_KEY_HELP,
    ),
    _Rule(AuthenticationError, names=_AUTH),
    _Rule(AuthenticationError, status=401),
    # no such model: UserError (RPC), NotFound (JSON-2), KeyError (17's web session), a bare 404 raised while
    # the 18+ web session looks the model up
    _Rule(UnknownModelError, names=_USER_ERRORS, message=r"^Object (?P<model>\S+) doesn't exist"),
    _Rule(UnknownModelError, names=_NOT_FOUND, message=r"^the model '(?P<model>[^']+)' does not exist"),
    _Rule(
        UnknownModelError, names=_KEY, message=r"^'?{model}'?$", explain="the model {model!r} does not exist"
    ),
    _Rule(
        UnknownModelError,
        names=_NOT_FOUND,
        needs="model",
        message=r"^404 Not Found\b",
        explain="the model {model!r} does not exist",
    ),
    # no such method (or service)
    _Rule(
        UnknownMethodError,
        names=_ATTRIBUTE,
        message=r"^type object '(?P<model>[^']+)' has no attribute '(?P<method>[^']+)'",
    ),
    _Rule(
        UnknownMethodError,
        names=_ATTRIBUTE | _NOT_FOUND,
        message=r"^The method '(?P<model>.+)\.(?P<method>[^.']+)' does not exist",
    ),
    _Rule(
        UnknownMethodError,
        names=frozenset({"builtins.Exception"}),
        message=r"^Method not found: (?P<method>\S+)",
    ),
    _Rule(
        UnknownMethodError, names=_KEY, message=r"^'?{service}'?$", explain="there is no service {service!r}"
    ),
    _Rule(UnknownMethodError, names=_NOT_FOUND),
    # a field Odoo does not know, in values, fields, orders or domains
    _Rule(
        InvalidFieldError,
        names=_VALUE,
        message=r"^Invalid field '(?P<field>[^']+)' (?:on model |on |in )'(?P<model>[^']+)'",
    ),
    _Rule(
        InvalidFieldError,
        names=_VALUE,
        message=r"^Invalid field (?P<model>[\w.]+)\.(?P<field>[^.\s]+) in (?:leaf|condition)\b",
    ),
    # UserError subclasses that XML-RPC sends as a generic warning: recovered from Odoo's own messages
    _Rule(MissingRecordError, names=frozenset({"odoo.exceptions.MissingError"})),
    _Rule(
        MissingRecordError,
        names=_USER_ERRORS,
        message=r"^Record does not exist or has been deleted\.",
        recovers="odoo.exceptions.MissingError",
    ),
    _Rule(ValidationError, names=frozenset({"odoo.exceptions.ValidationError"})),
    _Rule(
        ValidationError,
        names=_USER_ERRORS,
        message=r"^The operation cannot be completed:",
        recovers="odoo.exceptions.ValidationError",
    ),
    _Rule(AccessError, names=frozenset({"odoo.exceptions.AccessError", "werkzeug.exceptions.Forbidden"})),
    _Rule(AccessError, status=403),
    _Rule(UserError, names=_USER_ERRORS | {"odoo.exceptions.RedirectWarning"}),
    # arguments Odoo cannot use
    _Rule(
        InvalidArgumentsError,
        names=frozenset(
            {
                "builtins.TypeError",
                "builtins.ValueError",
                "werkzeug.exceptions.UnprocessableEntity",
                "werkzeug.exceptions.BadRequest",
            }
        ),
    ),
    _Rule(InvalidArgumentsError, status=422),
    _Rule(InvalidArgumentsError, status=400),
    _Rule(InvalidArgumentsError, page=True, status=400, message=r"^Invalid JSON data"),
)


def _build(
    name: str,
    message: str,
    *,
    arguments: list[Any] | None,
    debug: str,
    code: int | None,
    status: int,
    page: bool,
    context: ErrorContext | None,
) -> OdooError | None:
    ctx = context or ErrorContext()
    for rule in _RULES:
        found = rule.match(name, message, status, code, page, ctx)
        if found is not None:
            return _instantiate(rule.cls, rule, found, name, message, arguments, debug, code, status, ctx)
    if page:
        return None
    return _instantiate(ServerError, None, {}, name, message, arguments, debug, code, status, ctx)


def _instantiate(
    cls: type[OdooError],
    rule: _Rule | None,
    found: dict[str, str],
    name: str,
    message: str,
    arguments: list[Any] | None,
    debug: str,
    code: int | None,
    status: int,
    ctx: ErrorContext,
) -> OdooError:
    model = found.get("model") or ctx.model
    method = found.get("method") or ctx.method
    text = message
    if rule is not None and rule.explain:
        names = {"model": model, "method": method, "db": ctx.db, "login": ctx.login, "service": ctx.service}
        text = rule.explain.format(odoo_message=message, **{k: v or "?" for k, v in names.items()})
    return cls(
        text,
        odoo_name=(rule.recovers if rule is not None and rule.recovers else name),
        arguments=arguments,
        debug=debug,
        code=code,
        status=status,
        model=model,
        method=method,
        field=found.get("field"),
        odoo_message=message,
    )


def error_from_odoo(
    name: str,
    message: str,
    *,
    arguments: list[Any] | None = None,
    debug: str = "",
    code: int | None = None,
    status: int = 200,
    context: ErrorContext | None = None,
) -> OdooError:
    """The exception for an Odoo error answer (exception name, message, JSON-RPC code, HTTP status), by the
    first rule of the table that matches; :class:`ServerError` when none does."""
    err = _build(
        name, message, arguments=arguments, debug=debug, code=code, status=status, page=False, context=context
    )
    assert err is not None
    return err


def error_from_page(status: int, text: str, context: ErrorContext | None = None) -> OdooError | None:
    """The exception for an HTTP error page that Odoo itself serves for a known condition (JSON-2's 404 for an
    unknown database, "Invalid JSON data"); None for any other page (a proxy's 502, ...)."""
    return _build("", text, arguments=[text], debug="", code=None, status=status, page=True, context=context)
