"""The exception tree of Zenoo RPC.

::

    ZenooError
    ├── TransportError                 the request did not get an Odoo answer
    │   ├── ConnectError               could not connect (refused, DNS, reset before sending)
    │   ├── OutcomeUnknownError        a write was sent but its answer was lost: it may have been applied
    │   ├── RequestTimeout             connect or read timeout, or the call's deadline passed
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
    │       └── NotEmulatedError       the Odoo emulator (zenoo_rpc.testing) cannot do what the call asks
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
        └── FieldNotOnServerError      a field its class declares and the server lacks (read, write, filter)

Warnings: :class:`DeprecatedProtocolWarning` (a ``FutureWarning``, shown by default) when a client is made
to use an endpoint its server deprecates; :class:`SchemaDriftWarning` (a ``UserWarning``) once per model and
client when the server lacks fields a generated class declares.

Every :class:`OdooError` keeps Odoo's own message in ``str()`` (``odoo_message`` always holds it; where it
does not say what happened, e.g. a bare ``KeyError``, ``str()`` says it instead); the exception name, the
arguments, the HTTP status and the server traceback are attributes (``odoo_name``, ``arguments``,
``status``, ``debug``), and so are the ``model``, ``method`` and ``field`` concerned when known; the traceback
is never part of ``str()``.

One condition raises one class whatever the protocol: the answers are mapped by one table of rules
(:mod:`zenoo_rpc._core.error_map`, first match wins), so that e.g. a missing record, which XML-RPC reports only as a generic
warning with the message, is a :class:`MissingRecordError` there too.
"""

from __future__ import annotations

from typing import Any

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
    "FieldNotLoadedError",
    "FieldNotOnServerError",
    "HTTPStatusError",
    "InvalidArgumentsError",
    "InvalidFieldError",
    "InvalidLookupError",
    "InvalidValueError",
    "MissingRecordError",
    "MultipleObjectsReturned",
    "NotEmulatedError",
    "NotLoggedInError",
    "OdooError",
    "OutcomeUnknownError",
    "ProtocolError",
    "RequestTimeout",
    "SchemaDriftWarning",
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

    #: the call the error ended (the model, or ``common``/``db`` before a login, and the method) and how many
    #: attempts it made; set on the error a call raises when it gives up
    model: str | None = None
    method: str | None = None
    attempts: int | None = None

    def __init__(self, message: str, *, sent: bool = False) -> None:
        super().__init__(message)
        #: True when the request may have reached the server (a retry could repeat its effect).
        self.sent = sent


class ConnectError(TransportError):
    """The connection failed before the request was sent (refused, DNS, TLS-less reset, proxy refused)."""


class OutcomeUnknownError(TransportError):
    """A request that may change data (create, write, unlink, a method call) was sent, but its answer was lost:
    the connection dropped after sending, no answer came before the timeout, or a gateway answered 502/503/504.
    Odoo may have applied it, once. It is never retried blindly: re-read by a unique key (a ``ref``, an external
    id, a name you set) to learn whether it was applied, then retry only what is missing.

    Not a :class:`ConnectError`: that one means nothing was sent. ``cause`` is the transport error seen (also
    ``__cause__``)."""

    def __init__(self, model: str, method: str, cause: TransportError, *, attempts: int = 1) -> None:
        super().__init__(
            f"{model}.{method}: the request was sent and may have reached the server and been applied, but its "
            f"answer was lost ({_lost_how(cause)}). It was not retried: re-read by a unique key (e.g. search "
            f"for the record by a reference you set) to learn whether it was applied before trying again",
            sent=True,
        )
        self.model = model
        self.method = method
        self.attempts = attempts
        self.cause = cause


def _lost_how(cause: TransportError) -> str:
    if isinstance(cause, HTTPStatusError):
        return f"a gateway answered HTTP {cause.status}, which does not say whether it forwarded the request"
    if isinstance(cause, RequestTimeout):
        return "no answer before the timeout"
    if isinstance(cause, ProtocolError):
        return f"the answer was cut short or garbled: {cause}"
    return f"the connection dropped after sending: {cause}"


class RequestTimeout(TransportError):
    """A connect or read timeout, or the call's deadline passed. When a call gives up, ``waited`` (seconds,
    every attempt and backoff included), ``deadline`` (the call's timeout), ``attempts`` and the call's
    ``model``/``method`` say what happened."""

    waited: float | None = None
    deadline: float | None = None

    @classmethod
    def for_call(
        cls,
        model: str,
        method: str,
        *,
        attempts: int,
        waited: float,
        deadline: float | None,
        last: TransportError | None,
    ) -> RequestTimeout:
        """The error of a call whose deadline passed: it names the call and says how long it waited and
        how many attempts it made (``last``: the last transport error seen, if any)."""
        limit = f" (deadline {deadline:g} s)" if deadline is not None else ""
        if attempts:
            what = f"no answer after {attempts} attempt(s) in {waited:.2f} s{limit}"
        else:
            what = f"the call's deadline passed before this request was sent: waited {waited:.2f} s{limit}"
        last_text = f"; last error: {last}" if last is not None else ""
        error = cls(f"{model}.{method}: {what}{last_text}", sent=bool(last is not None and last.sent))
        error.model, error.method, error.attempts = model, method, attempts
        error.waited, error.deadline = waited, deadline
        return error


class TLSError(TransportError):
    """The TLS handshake failed: an untrusted or expired certificate, a name mismatch, a refused client
    certificate (see ``ca_bundle=``, ``client_cert=``, ``verify_ssl=``)."""


class HTTPStatusError(TransportError):
    """An HTTP status with no Odoo error in the body, usually from a gateway (502, 503, 504): ``status`` and
    the first bytes of the ``body``. A read is retried on 502/503/504; a write gets ``OutcomeUnknownError``."""

    def __init__(self, status: int, body: str = "") -> None:
        super().__init__(f"HTTP {status}: {body[:200]}".rstrip(": "), sent=True)
        self.status = status
        self.body = body


class ProtocolError(TransportError):
    """An answer that is not what the protocol promises (not JSON, not XML-RPC, no session cookie), or a
    protocol the server cannot speak (JSON-2 before Odoo 19)."""

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
    """Odoo refused the credentials: a wrong login or password (at login, or on a call after the password
    changed), a login answered with ``False``, no credentials sent (JSON-2's 401)."""


class APIKeyRejectedError(AuthenticationError):
    """Odoo refused an API key: it expired, was revoked or is wrong (Odoo does not say which)."""


class SessionExpiredError(OdooError):
    """The web session is gone (JSON-RPC code 100). The client logs in again once by itself; this is raised
    when the renewed session expires at once too."""


class AccessError(OdooError):
    """Access rights, record rules or a private method refused the call (Odoo's ``AccessError``, JSON-2's 403)."""


class ValidationError(OdooError):
    """A constraint refused the values: ``@api.constrains``, a required field, a database integrity error."""


class UserError(OdooError):
    """A business rule refused the operation (Odoo's ``UserError``: a confirmed order, a recursion, a language
    that is not installed, ...)."""


class MissingRecordError(OdooError):
    """A record the call names does not exist or has been deleted (Odoo's ``MissingError``)."""


class UnknownModelError(OdooError):
    """The server has no such model (``model`` names it): a module is not installed, or the name is wrong."""


class UnknownMethodError(OdooError):
    """The model or service has no such public method, or Odoo removed it in this version (``name_get`` on
    18+)."""


class InvalidFieldError(OdooError):
    """Odoo does not know a field the call names, in values, fields, order or domain (``field`` names it)."""


class InvalidArgumentsError(OdooError):
    """Wrong arguments: a bad value, a malformed domain or request (Odoo's ``TypeError``/``ValueError``,
    JSON-2's 400/422)."""


class DatabaseError(OdooError):
    """The database is missing or unreachable (a login or JSON-2's ``X-Odoo-Database`` naming an unknown one)."""


class ServerError(OdooError):
    """Any other error Odoo raised; ``odoo_name``, ``message`` and ``debug`` say what it was."""


class NotEmulatedError(ServerError):
    """The Odoo emulator (:mod:`zenoo_rpc.testing`) cannot do what the call asks: a limitation of the emulator
    (``zenoo_rpc.testing.NotEmulated``), not an answer real Odoo would give. ``model`` and ``method`` name the
    call."""


class ClientError(ZenooError):
    """Bad input, rejected before anything was sent."""


class UnknownFieldError(ClientError, AttributeError):
    """A field or lookup path the model does not have (``model``, ``field``), refused before sending. Also an
    ``AttributeError``, so ``getattr(record, name, default)`` works on records."""

    def __init__(self, model: str, field: str, detail: str = "") -> None:
        msg = f"{model} has no field {field!r}"
        super().__init__(f"{msg}: {detail}" if detail else msg)
        self.model = model
        self.field = field


class InvalidLookupError(ClientError):
    """A lookup that does not exist or does not fit the field's type (``filter(is_company__gt=1)``)."""

    def __init__(self, model: str, field: str, lookup: str, detail: str) -> None:
        super().__init__(f"{model}.{field}: lookup {lookup!r} {detail}")
        self.model = model
        self.field = field
        self.lookup = lookup


class InvalidValueError(ClientError):
    """A value of the wrong type for its field, or a selection value the field does not offer."""

    def __init__(self, model: str, field: str, detail: str) -> None:
        super().__init__(f"{model}.{field}: {detail}")
        self.model = model
        self.field = field


class NotLoggedInError(ClientError):
    """A call that needs a login came before ``login()`` or ``login_with_api_key()``."""


class DoesNotExist(ZenooError):
    """``get()`` matched no record."""


class MultipleObjectsReturned(ZenooError):
    """``get()`` matched more than one record."""


class BatchError(ZenooError):
    """Some chunks of a batch failed. Nothing is hidden: ``results`` holds what every operation did get
    (for a create, the ids of the records that exist now) and ``failures`` the ``(operation index, chunk,
    error)`` of each chunk that failed. ``unknown`` lists those of the failures whose outcome is unknown
    (:class:`OutcomeUnknownError`: sent, answer lost, maybe applied): re-read them before retrying; the other
    failed chunks were not applied."""

    def __init__(self, results: list[Any], failures: list[tuple[int, list[Any], ZenooError]]) -> None:
        first = failures[0][2]
        unknown = [f for f in failures if isinstance(f[2], OutcomeUnknownError)]
        text = (
            f"{len(failures)} batch chunk(s) failed, the others were applied; first error: "
            f"{type(first).__name__}: {first}"
        )
        if unknown:
            where = ", ".join(
                f"operation {index} ({getattr(error, 'model', '?')}.{getattr(error, 'method', '?')}, "
                f"{len(chunk)} item(s))"
                for index, chunk, error in unknown
            )
            text += (
                f"; the outcome of {len(unknown)} chunk(s) is unknown (sent, answer lost, maybe applied): "
                f"{where}: re-read them by a unique key before retrying (see .unknown)"
            )
        super().__init__(text)
        self.results = results
        self.failures = failures
        self.unknown = unknown


class CircuitOpenError(ZenooError):
    """The circuit breaker refused the call before anything was sent: the server failed repeatedly just
    before. ``last_error`` (also ``__cause__``) is the failure that opened it; ``retry_in`` the seconds until
    a trial call is let through."""

    def __init__(
        self, retry_in: float, last_error: BaseException | None = None, *, trial: bool = False
    ) -> None:
        why = f" (last: {type(last_error).__name__}: {last_error})" if last_error is not None else ""
        when = (
            "a trial call is in flight"
            if trial
            else f"a trial call will be let through in {max(0.0, retry_in):.1f} s"
        )
        super().__init__(f"circuit open after repeated transport failures{why}; {when}")
        self.retry_in = retry_in
        self.last_error = last_error


class DeprecatedProtocolWarning(FutureWarning):
    """The client was made to use an endpoint that its Odoo server deprecates (``/jsonrpc``, ``/xmlrpc`` on
    Odoo 19+); the message says what to use instead."""


class FieldNotLoadedError(ZenooError, AttributeError):
    """A record attribute that was not read (``only()`` left it out); also an ``AttributeError``. The message
    says how to get it: for a record read through a client, add the field to the query's ``only()`` or read it
    now with ``record.refresh("field")``; for a related record (the value of ``via``, a ``(model, field)`` of
    the record that holds it), the dotted ``only("field.sub")`` of the query or ``prefetch_related("field")``."""

    def __init__(
        self, model: str, field: str, *, bound: bool = False, via: tuple[str, str] | None = None
    ) -> None:
        if via is not None:
            parent, name = via
            how = (
                f"this {model} record is the value of {parent}.{name}, read without it: read the field with "
                f'only(..., "{name}.{field}") of the {parent} query, or the whole record with '
                f'prefetch_related("{name}")'
            )
        elif bound:
            how = f'the query\'s only() left it out: add "{field}" to only() of the {model} query'
        else:
            how = (
                f"the record was built without it and is not bound to a client: read it with a {model} query "
                f'whose only() names "{field}"'
            )
        if bound:
            how += f', or read it now with record.refresh("{field}")'
        super().__init__(f"{model}.{field} was not loaded: {how}")
        self.model = model
        self.field = field


class FieldNotOnServerError(FieldNotLoadedError):
    """A field that the record class declares but the server does not have (classes generated for another
    Odoo version or other modules): read on a record, written, or used in a filter or order. The message
    names the model, the field and the server (``server``: its URL, and its version when known)."""

    def __init__(self, model: str, field: str, server: str, detail: str) -> None:
        ZenooError.__init__(self, f"{model}.{field} is not a field on the server {server}: {detail}")
        self.model = model
        self.field = field
        self.server = server


class SchemaDriftWarning(UserWarning):
    """The server lacks fields that a generated class declares; they are not read (once per model and
    client, also logged on the ``zenoo_rpc`` logger)."""
