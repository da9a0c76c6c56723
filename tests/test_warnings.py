"""Every warning Zenoo RPC gives points at the user's line (``stacklevel``), on both faces, however deep in a
flow it is raised: the http2 note at construction, the deprecated protocol at login, schema drift at a query."""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from zenoo_rpc import DeprecatedProtocolWarning, SchemaDriftWarning, SyncZenooClient, ZenooClient
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator
from zenoo_rpc.transport.pool import ConnectionPool

HERE = __file__


def line_above() -> int:
    """The line number just above the caller's current line."""
    return sys._getframe(1).f_lineno - 1


@pytest.fixture(scope="module")
def odoo17() -> Iterator[OdooEmulator]:
    with OdooEmulator("17.0") as server:
        yield server


def caught(category: type[Warning], body: Callable[[], Any]) -> warnings.WarningMessage:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        body()
    ours = [w for w in seen if issubclass(w.category, category)]
    assert len(ours) == 1, [str(w.message) for w in seen]
    return ours[0]


def test_http2_points_at_the_constructor_call() -> None:
    for face in (SyncZenooClient, ZenooClient):
        w = caught(RuntimeWarning, lambda face=face: face("localhost", http2=True))  # type: ignore[misc]
        assert (w.filename, w.lineno) == (HERE, line_above()) and "http2=True" in str(w.message)
    w = caught(RuntimeWarning, lambda: ConnectionPool(base_url="http://localhost:8069", http2=True))
    assert (w.filename, w.lineno) == (HERE, line_above())

    # at a module's top level, where a script makes its client (the warning used to name "sys:1")
    namespace: dict[str, Any] = {"__name__": "script", "SyncZenooClient": SyncZenooClient}
    code = compile("\n\nclient = SyncZenooClient('localhost', http2=True)\n", "script.py", "exec")
    w = caught(RuntimeWarning, lambda: exec(code, namespace))
    assert (w.filename, w.lineno) == ("script.py", 3)


def test_a_forced_deprecated_protocol_points_at_the_login(emulators: dict[str, OdooEmulator]) -> None:
    url = emulators["19.0"].url
    sync = SyncZenooClient(url, protocol="jsonrpc")
    w = caught(DeprecatedProtocolWarning, lambda: sync.login("demo", "admin", "admin"))
    assert (w.filename, w.lineno) == (HERE, line_above())
    sync.close()

    async def user_code() -> int:  # what an async script looks like: the login awaited in its coroutine
        async with ZenooClient(url, protocol="xmlrpc") as client:
            await client.login("demo", "admin", "admin")
            return line_above()

    lines: list[int] = []
    w = caught(DeprecatedProtocolWarning, lambda: lines.append(asyncio.run(user_code())))
    assert (w.filename, w.lineno) == (HERE, lines[0])


def test_schema_drift_points_at_the_query(odoo17: OdooEmulator) -> None:
    sync = SyncZenooClient(odoo17.url)
    sync.login("demo", "admin", "admin")
    w = caught(SchemaDriftWarning, lambda: sync.model(ResPartner).filter(is_company=True).all())
    assert (w.filename, w.lineno) == (HERE, line_above())
    sync.close()

    async def user_code() -> int:
        async with ZenooClient(odoo17.url) as client:
            await client.login("demo", "admin", "admin")
            await client.model(ResPartner).filter(is_company=True).all()
            return line_above()

    lines: list[int] = []
    w = caught(SchemaDriftWarning, lambda: lines.append(asyncio.run(user_code())))
    assert (w.filename, w.lineno) == (HERE, lines[0])
