"""XML-RPC marshalling on top of the standard library, with None and 64-bit integers made explicit."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

__all__ = ["Fault", "dumps_call", "dumps_fault", "dumps_response", "loads"]

Fault = xmlrpc.client.Fault

_MAXINT = 2**31 - 1
_MININT = -(2**31)


class _Marshaller(xmlrpc.client.Marshaller):
    """Integers outside the 32-bit range are sent as ``<i8>`` instead of raising OverflowError."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_long(self, value: int, write: Any) -> None:
        tag = "int" if _MININT <= value <= _MAXINT else "i8"
        write(f"<value><{tag}>{int(value)}</{tag}></value>\n")

    dispatch[int] = dump_long  # type: ignore[assignment]
    dispatch[bool] = xmlrpc.client.Marshaller.dump_bool  # bool is an int subclass: keep booleans


def _dumps_params(params: tuple[Any, ...]) -> str:
    m = _Marshaller("utf-8", allow_none=True)
    return m.dumps(params)


def dumps_call(method: str, params: tuple[Any, ...]) -> bytes:
    body = (
        "<?xml version='1.0'?>\n<methodCall>\n"
        f"<methodName>{method}</methodName>\n{_dumps_params(params)}</methodCall>\n"
    )
    return body.encode("utf-8")


def dumps_response(value: Any, *, prolog_quote: str = '"') -> bytes:
    q = prolog_quote
    body = f"<?xml version={q}1.0{q}?>\n<methodResponse>\n{_dumps_params((value,))}</methodResponse>\n"
    return body.encode("utf-8")


def dumps_fault(code: int, message: str, *, prolog_quote: str = '"') -> bytes:
    q = prolog_quote
    fault = {"faultCode": code, "faultString": message}
    inner = _dumps_params((fault,)).replace("<params>\n<param>\n", "").replace("</param>\n</params>\n", "")
    return f"<?xml version={q}1.0{q}?>\n<methodResponse>\n<fault>\n{inner}</fault>\n\n</methodResponse>\n".encode()


def loads(body: bytes) -> tuple[tuple[Any, ...], str | None]:
    """Parse a call or a response; raises ``xmlrpc.client.Fault`` for a fault."""
    params, method = xmlrpc.client.loads(body, use_builtin_types=True)
    return params, method
