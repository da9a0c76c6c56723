"""Both faces against the emulator over loopback: every protocol, every version, errors, retries, pooling."""

from __future__ import annotations

import ast
import contextlib
import inspect
import logging
from pathlib import Path
from typing import Any

import pytest

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc import exceptions as exc
from zenoo_rpc._query_async import AsyncQuery
from zenoo_rpc._query_sync import SyncQuery
from zenoo_rpc.testing import DEFAULT_API_KEY, OdooEmulator

ROOT = Path(__file__).resolve().parents[1]


def test_core_imports_no_io() -> None:
    banned = {"asyncio", "aiohttp", "requests", "redis", "socket", "http", "urllib3", "threading", "time"}
    for path in (ROOT / "zenoo_rpc" / "_core").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in banned, f"{path.name} imports {name}"


def _public(cls: type) -> dict[str, inspect.Signature]:
    out = {}
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or not callable(member):
            continue
        out[name] = inspect.signature(member)
    return out


@pytest.mark.parametrize(("a", "b"), [(ZenooClient, SyncZenooClient), (AsyncQuery, SyncQuery)])
def test_both_faces_expose_the_same_methods(a: type, b: type) -> None:
    pa, pb = _public(a), _public(b)
    assert sorted(pa) == sorted(pb)
    for name in pa:
        sa, sb = pa[name], pb[name]
        assert list(sa.parameters) == list(sb.parameters), name
        assert [p.default for p in sa.parameters.values()] == [p.default for p in sb.parameters.values()], (
            name
        )


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "session"])
def test_every_protocol_reads_and_writes(make_client: Any, odoo: OdooEmulator, protocol: str) -> None:
    c = make_client(odoo.url, protocol=protocol)
    deprecated = protocol != "session" and odoo.version >= "19"  # /jsonrpc and /xmlrpc: one warning
    with pytest.warns(exc.DeprecatedProtocolWarning) if deprecated else contextlib.nullcontext():
        uid = c.login("demo", "admin", "admin")
    assert uid == 2 and c.protocol == protocol
    assert c.version()["server_serie"] == odoo.version
    rows = c.execute_kw(
        "res.partner",
        "search_read",
        [[["is_company", "=", True]]],
        {"fields": ["name"], "limit": 3, "order": "id"},
    )
    assert [r["id"] for r in rows] == [
        1,
        8 if odoo.version == "19.0" else 9,
        9 if odoo.version == "19.0" else 10,
    ]
    new_id = c.create("res.partner", {"name": "Zenoo Protocol Test"})
    assert c.call("res.partner", "read", [new_id], fields=["name"])[0]["name"] == "Zenoo Protocol Test"
    with pytest.raises(exc.InvalidFieldError) as info:
        c.execute_kw("res.partner", "search", [[["no_such_field", "=", 1]]])
    assert "no_such_field" in str(info.value)
    with pytest.raises(exc.UnknownModelError):
        c.execute_kw("no.such.model", "search", [[]])


def test_json2_with_api_key(make_client: Any, odoo19: OdooEmulator) -> None:
    c = make_client(odoo19.url)
    assert c.login_with_api_key("demo", "admin", DEFAULT_API_KEY) == 2
    assert c.protocol == "json2"
    # positional arguments are translated to JSON-2's names by the table in the core
    rows = c.execute_kw(
        "res.partner", "search_read", [[["is_company", "=", True]], ["name"]], {"limit": 2, "order": "id"}
    )
    assert [r["name"] for r in rows] == ["My Company (San Francisco)", "Wood Corner"]
    assert c.execute_kw("res.partner", "read", [[15], ["name"]])[0]["name"] == "Azure Interior"
    assert c.execute_kw("res.partner", "name_search", ["Azure"], {"args": [["is_company", "=", True]]}) == [
        [15, "Azure Interior"]
    ]
    with pytest.raises(exc.UnknownMethodError):
        c.execute_kw("res.partner", "name_get", [[15]])
    with pytest.raises(exc.AccessError):
        c.execute_kw("res.partner", "exists", [[15]])
    bad = make_client(odoo19.url, protocol="json2")
    with pytest.raises(exc.AuthenticationError):
        bad.login_with_api_key("demo", "admin", "not-the-key")


def test_api_key_before_19_is_used_as_password(make_client: Any, emulators: dict[str, OdooEmulator]) -> None:
    c = make_client(emulators["17.0"].url)
    assert c.login_with_api_key("demo", "admin", DEFAULT_API_KEY) == 2
    assert c.protocol == "jsonrpc"


def test_bad_password_and_demo_access(make_client: Any, odoo: OdooEmulator) -> None:
    c = make_client(odoo.url)
    with pytest.raises(exc.AuthenticationError):
        c.login("demo", "admin", "wrong")
    with pytest.raises(exc.NotLoggedInError):
        c.execute_kw("res.partner", "search", [[]])
    c.login("demo", "demo", "demo")
    with pytest.raises(exc.AccessError) as info:
        c.execute_kw("res.company", "write", [[1], {"name": "hacked"}])
    assert "res.company" in str(info.value)
    with pytest.raises(exc.DatabaseError):
        make_client(odoo.url).login("nodb", "admin", "admin")


def test_session_expiry_is_renewed_once(make_client: Any, odoo: OdooEmulator) -> None:
    c = make_client(odoo.url, protocol="session")
    c.login("demo", "admin", "admin")
    odoo.expire_sessions()
    assert c.execute_kw("res.partner", "search_count", [[["id", "=", 3]]]) == 1


def test_context_views_share_the_pool(client: Any, odoo: OdooEmulator) -> None:
    archived = client.with_context(active_test=False)
    assert archived.context == {"active_test": False} and client.context == {}
    n_all = archived.execute_kw("res.partner", "search_count", [[]])
    n_active = client.execute_kw("res.partner", "search_count", [[]])
    assert n_all > n_active
    assert client.with_company(1).context == {"allowed_company_ids": [1]}
    if odoo.version != "17.0":
        with pytest.raises(exc.UserError):
            client.with_context(lang="fr_FR").execute_kw("res.partner", "search", [[]])


def test_credentials_never_in_repr_or_logs(
    make_client: Any, odoo: OdooEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = make_client(odoo.url)
    c.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    c.execute_kw("res.partner", "search", [[]], {"limit": 1})
    assert "admin@demo" in repr(c.raw)
    text = repr(c.raw) + repr(c.raw._conn) + repr(c.raw._conn.creds) + caplog.text
    assert DEFAULT_API_KEY not in text


def test_dropped_connection_retried_for_reads_only(make_client: Any, odoo: OdooEmulator) -> None:
    c = make_client(odoo.url)
    c.login("demo", "admin", "admin")
    odoo.inject("drop", count=1)  # the next request, whatever the protocol
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0  # read: sent again, transparently
    c.create("res.partner", {"name": "Schema Warm-up"})  # the first create reads the model's fields once
    odoo.reset_counts()
    odoo.inject("drop", count=1)  # the next request, whatever the protocol
    with pytest.raises(exc.OutcomeUnknownError) as lost:
        c.create("res.partner", {"name": "Never Twice"})  # a create is never repeated blindly
    assert not isinstance(lost.value, exc.ConnectError)  # sent: not "nothing happened"
    assert odoo.count("res.partner", "create") == 0 and odoo.requests == 1
    odoo.inject("503", count=1)
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0
    odoo.inject("502", count=5)
    with pytest.raises(exc.HTTPStatusError) as info:
        c.execute_kw("res.partner", "search_count", [[]])
    assert info.value.status == 502
    odoo._faults.clear()


def test_idle_keepalive_closed_by_server(make_client: Any, odoo: OdooEmulator) -> None:
    c = make_client(odoo.url)
    c.login("demo", "admin", "admin")
    c.execute_kw("res.partner", "search_count", [[]])
    assert odoo.close_idle_connections() >= 1
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0


def test_circuit_breaker_opens(make_client: Any) -> None:
    from zenoo_rpc import CircuitBreaker, RetryPolicy

    c = make_client(
        "http://127.0.0.1:9",
        retry=RetryPolicy(max_attempts=1),
        circuit_breaker=CircuitBreaker(failure_threshold=2, reset_timeout=60),
    )
    for _ in range(2):
        with pytest.raises(exc.ConnectError):
            c.version()
    with pytest.raises(exc.CircuitOpenError):
        c.version()


def test_tls_verified_by_default() -> None:
    c = SyncZenooClient("https://localhost", port=1)
    assert c._settings.verify_ssl is True and c.base_url == "https://localhost:1"
    assert SyncZenooClient("odoo.example.com").base_url == "http://odoo.example.com:8069"


def test_http2_says_what_happens() -> None:
    with pytest.warns(RuntimeWarning, match="HTTP/1.1"):
        SyncZenooClient("localhost", http2=True)


def test_list_databases(make_client: Any, odoo: OdooEmulator) -> None:
    assert make_client(odoo.url).list_databases() == ["demo"]


def test_server_that_closes_every_connection(make_client: Any) -> None:
    """Odoo's own server answers and closes: the pool must open a new connection each time, silently."""
    with OdooEmulator("17.0", close_connections=True) as odoo:
        c = make_client(odoo.url)
        c.login("demo", "admin", "admin")
        for _ in range(5):
            assert c.execute_kw("res.partner", "search_count", [[]]) > 0
        assert c.create("res.partner", {"name": "After Close"}) > 0
        assert odoo.count("res.partner", "create") == 1
        c.resolve(c.raw.close())


def test_keepalive_expiry_drops_idle_connections(odoo: OdooEmulator) -> None:
    import time

    client = SyncZenooClient(odoo.url, keepalive_expiry=0.2)
    client.login("demo", "admin", "admin")
    manager = client._transport._adapter.poolmanager

    def current_pool() -> object:
        (key,) = manager.pools.keys()  # the one host this client talks to
        return manager.pools[key]

    before = current_pool()
    client.execute_kw("res.partner", "search_count", [[]])
    assert current_pool() is before  # used again within the expiry: the same keep-alive pool
    time.sleep(0.3)
    client.execute_kw("res.partner", "search_count", [[]])
    assert current_pool() is not before  # idle past keepalive_expiry: dropped, a fresh pool was opened
    client.close()


def test_async_client_survives_several_event_loops(odoo: OdooEmulator) -> None:
    """A script may call asyncio.run() more than once with one client."""
    import asyncio
    import warnings

    client = ZenooClient(odoo.url)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert asyncio.run(client.login("demo", "admin", "admin")) == 2
        assert asyncio.run(client.execute_kw("res.partner", "search_count", [[]])) > 0
        assert asyncio.run(client.execute_kw("res.partner", "search_count", [[]])) > 0
        asyncio.run(client.close())


def test_an_event_loop_that_ends_takes_its_connections_with_it(odoo: OdooEmulator) -> None:
    """asyncio.run() twice with one client: the first loop's keep-alive sockets are closed as that loop shuts
    down, not left for the garbage collector to find open (a ResourceWarning per socket)."""
    import asyncio
    import gc
    import warnings

    client = ZenooClient(odoo.url)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        asyncio.run(client.login("demo", "admin", "admin"))
        asyncio.run(client.execute_kw("res.partner", "search_count", [[]]))
        gc.collect()
        asyncio.run(client.execute_kw("res.partner", "search_count", [[]]))
        asyncio.run(client.close())
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
