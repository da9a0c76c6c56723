"""How Odoo's error answers map to the exception tree of :mod:`zenoo_rpc._core.errors`: one ordered table of
rules (first match wins), whatever the protocol the answer came by."""

from __future__ import annotations

import re
from typing import Any

import attrs

from .errors import (
    AccessError,
    APIKeyRejectedError,
    AuthenticationError,
    DatabaseError,
    InvalidArgumentsError,
    InvalidFieldError,
    MissingRecordError,
    NotEmulatedError,
    OdooError,
    ServerError,
    SessionExpiredError,
    UnknownMethodError,
    UnknownModelError,
    UserError,
    ValidationError,
)

__all__ = ["ErrorContext", "error_from_odoo", "error_from_page"]


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
#: PostgreSQL's errors about the values of a query (psycopg2.errors.<name>), which come from the call's arguments
_PG_DATA_ERRORS = (
    "InvalidTextRepresentation",
    "InvalidDatetimeFormat",
    "DatetimeFieldOverflow",
    "NumericValueOutOfRange",
    "InvalidRowCountInLimitClause",
    "InvalidRowCountInResultOffsetClause",
    "DatatypeMismatch",
    "UndefinedFunction",
)
_API_KEY_HELP = (
    "Odoo refused the API key of {login!r} on database {db!r}: it is expired, revoked or wrong "
    "(Odoo said {odoo_message!r}). Create a new key in Odoo (Preferences > Account Security > New API Key) "
    "and log in again with login_with_api_key()"
)

#: The one table from Odoo's answers to classes, first match wins. Built from the answers recorded from real
#: Odoo 17/18/19 over JSON-RPC, XML-RPC, the web session and JSON-2 (tests/test_error_table.py replays them).
_RULES: tuple[_Rule, ...] = (
    # not Odoo's answer: the emulator (zenoo_rpc.testing) says it cannot do what the call asks
    _Rule(NotEmulatedError, names=frozenset({"zenoo_rpc.testing.NotEmulated"})),
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
    # PostgreSQL refusing a value the call gave (text for a number or a date, a negative LIMIT, a dict...)
    _Rule(InvalidArgumentsError, names=frozenset(f"psycopg2.errors.{n}" for n in _PG_DATA_ERRORS)),
    _Rule(InvalidArgumentsError, names=frozenset({"psycopg2.ProgrammingError"})),
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
