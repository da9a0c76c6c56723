"""Exceptions the emulator raises inside its ORM, named and shaped like Odoo's own."""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AccessError",
    "EmulatedError",
    "MissingError",
    "NotEmulated",
    "NotFound",
    "Unauthorized",
    "UnprocessableEntity",
    "UserError",
    "ValidationError",
    "pg_error",
]


class EmulatedError(Exception):
    odoo_name = "builtins.Exception"
    json2_status = 500
    xmlrpc_code = 1
    #: werkzeug errors carry the status as a second argument
    status_in_arguments = False

    def __init__(self, message: str, name: str | None = None, arguments: list[object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: the exception's ``args`` as Odoo serializes them (the message alone unless given)
        self.arguments: list[object] = [message] if arguments is None else list(arguments)
        if name:
            self.odoo_name = name


class UserError(EmulatedError):
    odoo_name = "odoo.exceptions.UserError"
    json2_status = 422
    xmlrpc_code = 2


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    json2_status = 404


class AccessError(UserError):
    odoo_name = "odoo.exceptions.AccessError"
    json2_status = 403
    xmlrpc_code = 4


class AccessDenied(EmulatedError):
    odoo_name = "odoo.exceptions.AccessDenied"
    json2_status = 401
    xmlrpc_code = 3


class _Werkzeug(EmulatedError):
    status_in_arguments = True


class Unauthorized(_Werkzeug):
    odoo_name = "werkzeug.exceptions.Unauthorized"
    json2_status = 401


class NotFound(_Werkzeug):
    odoo_name = "werkzeug.exceptions.NotFound"
    json2_status = 404


class UnprocessableEntity(_Werkzeug):
    odoo_name = "werkzeug.exceptions.UnprocessableEntity"
    json2_status = 422


class BadRequest(_Werkzeug):
    odoo_name = "werkzeug.exceptions.BadRequest"
    json2_status = 400


class NotEmulated(EmulatedError):
    """The emulator cannot do what a call asks: a limitation of ``zenoo_rpc.testing``, not Odoo's answer.

    Any internal error of the emulator is answered as this Odoo-shaped error (a JSON-RPC error, an XML-RPC
    fault, a JSON-2 status 500) named ``zenoo_rpc.testing.NotEmulated``, with the model and method in its
    message, so that a test can tell "Odoo would refuse this" from "the emulator cannot do this". The SDK
    raises it as :class:`zenoo_rpc.NotEmulatedError`."""

    odoo_name = "zenoo_rpc.testing.NotEmulated"

    @classmethod
    def from_internal(cls, model: str, method: str, exc: BaseException) -> NotEmulated:
        """The error answering ``model.method`` (or a route, when ``model`` is empty) that failed with
        ``exc`` inside the emulator."""
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        what = f"{model}.{method}" if model else method or "this request"
        return cls(
            f"The Odoo emulator (zenoo_rpc.testing) cannot do {what}: it failed inside the emulator "
            f"({detail[:300]}). This is a limitation of the emulator, not an answer of Odoo."
        )


def pg_error(kind: str, message: str) -> EmulatedError:
    """An error PostgreSQL raises under Odoo, as psycopg2 names it (``psycopg2.errors.<kind>``)."""
    return EmulatedError(message, f"psycopg2.errors.{kind}")


def value_error(message: str) -> EmulatedError:
    return EmulatedError(message, "builtins.ValueError")


def type_error(message: str) -> EmulatedError:
    return EmulatedError(message, "builtins.TypeError")


def attribute_error(message: str) -> EmulatedError:
    return EmulatedError(message, "builtins.AttributeError")
