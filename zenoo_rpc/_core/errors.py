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

Every :class:`OdooError` keeps Odoo's own message in ``str()``; the exception name, the arguments, the
HTTP status and the server traceback are attributes (``odoo_name``, ``arguments``, ``status``, ``debug``);
the traceback is never part of ``str()``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "CircuitOpenError",
    "ClientError",
    "ConnectError",
    "DatabaseError",
    "DoesNotExist",
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
]


class ZenooError(Exception):
    """Base class of every error raised by Zenoo RPC."""

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled (multiprocessing, Celery results) as its message and attributes, and rebuilt without
        # calling __init__, whose arguments differ from class to class
        return (_restore, (type(self), self.args), self.__dict__)


def _restore(cls: type[ZenooError], args: tuple[Any, ...]) -> ZenooError:
    error = cls.__new__(cls)
    error.args = args
    return error


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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.odoo_name = odoo_name
        self.arguments = list(arguments or [])
        self.debug = debug
        self.code = code
        self.status = status
        self.model = model
        self.method = method

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, odoo_name={self.odoo_name!r})"


class AuthenticationError(OdooError):
    pass


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


class FieldNotLoadedError(ZenooError, AttributeError):
    def __init__(self, model: str, field: str) -> None:
        super().__init__(
            f"{model}.{field} was not loaded: the query's only() left it out; "
            f"add it to only() or call refresh()"
        )
        self.model = model
        self.field = field


_BY_NAME: dict[str, type[OdooError]] = {
    "odoo.exceptions.AccessDenied": AuthenticationError,
    "odoo.http.SessionExpiredException": SessionExpiredError,
    "odoo.exceptions.AccessError": AccessError,
    "odoo.exceptions.ValidationError": ValidationError,
    "odoo.exceptions.MissingError": MissingRecordError,
    "odoo.exceptions.UserError": UserError,
    "odoo.exceptions.RedirectWarning": UserError,
    "werkzeug.exceptions.Unauthorized": AuthenticationError,
    "werkzeug.exceptions.Forbidden": AccessError,
    "werkzeug.exceptions.NotFound": UnknownMethodError,
    "werkzeug.exceptions.UnprocessableEntity": InvalidArgumentsError,
    "werkzeug.exceptions.BadRequest": InvalidArgumentsError,
    "builtins.TypeError": InvalidArgumentsError,
    "builtins.ValueError": InvalidArgumentsError,
    "psycopg2.OperationalError": DatabaseError,
    "psycopg2.errors.UndefinedTable": DatabaseError,
}

_UNKNOWN_MODEL = re.compile(r"^Object (\S+) doesn't exist|^the model '([^']+)' does not exist")
_UNKNOWN_METHOD = re.compile(
    r"has no attribute|^The method '[^']+' does not exist|^Method not found|^Did you mean POST"
)
_INVALID_FIELD = re.compile(r"^Invalid field ")


def error_from_odoo(
    name: str,
    message: str,
    *,
    arguments: list[Any] | None = None,
    debug: str = "",
    code: int | None = None,
    status: int = 200,
) -> OdooError:
    """Build the exception that fits an Odoo error, by exception name, then message, then HTTP status."""
    cls: type[OdooError]
    if _UNKNOWN_MODEL.search(message):
        cls = UnknownModelError
    elif name in ("builtins.AttributeError", "werkzeug.exceptions.NotFound", "builtins.Exception") and (
        _UNKNOWN_METHOD.search(message)
    ):
        cls = UnknownMethodError
    elif name == "builtins.ValueError" and _INVALID_FIELD.search(message):
        cls = InvalidFieldError
    elif name in _BY_NAME:
        cls = _BY_NAME[name]
    elif code == 100:
        cls = SessionExpiredError
    elif status == 401:
        cls = AuthenticationError
    elif status == 403:
        cls = AccessError
    elif status == 422:
        cls = InvalidArgumentsError
    else:
        cls = ServerError
    return cls(message, odoo_name=name, arguments=arguments, debug=debug, code=code, status=status)
