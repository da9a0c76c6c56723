"""Which protocol ``protocol="auto"`` picks, what each login costs, and the deprecated-endpoint warning.

Odoo 19 deprecates /jsonrpc, /xmlrpc and /xmlrpc/2 (a warning in its log on every call); the emulator counts
the calls to them (``deprecated_calls``), so these tests can assert that ``auto`` never reaches them.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from zenoo_rpc import exceptions as exc
from zenoo_rpc.models.common import ResCompany
from zenoo_rpc.testing import DEFAULT_API_KEY, OdooEmulator

VERSIONS = ("17.0", "18.0", "19.0")


@pytest.fixture(params=VERSIONS)
def server(request: pytest.FixtureRequest, emulators: dict[str, OdooEmulator]) -> Iterator[OdooEmulator]:
    odoo = emulators[request.param]
    odoo.reset_counts()
    yield odoo
    odoo.latency_ms = 0.0
    odoo.reset_credentials()
    odoo.reset_counts()


def test_auto_with_a_password_is_the_web_session_on_every_version(
    make_client: Any, server: OdooEmulator
) -> None:
    c = make_client(server.url)
    assert c.login("demo", "admin", "admin") == 2
    assert c.protocol == "session"
    assert server.requests == 1  # /web/session/authenticate: it logs in and tells the version
    assert c.version()["server_serie"] == server.version and server.requests == 1
    companies = c.model(ResCompany).only("name").all()
    assert companies and server.requests == 2  # a cold script's first query: 2 calls
    assert not server.deprecated_calls


def test_auto_with_an_api_key(make_client: Any, server: OdooEmulator) -> None:
    c = make_client(server.url)
    assert c.login_with_api_key("demo", "admin", DEFAULT_API_KEY) == 2
    if server.version >= "19":
        assert c.protocol == "json2"
        assert server.requests == 2  # the version and the JSON-2 login, side by side
        assert not server.deprecated_calls
    else:  # the key is a password over JSON-RPC, which 17 and 18 do not deprecate
        assert c.protocol == "jsonrpc"
        assert server.requests == 3  # version + the JSON-2 attempt (404), then common.login
    server.reset_counts()
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0 and server.requests == 1
    assert not server.deprecated_calls


def test_the_version_is_asked_beside_the_login(make_client: Any, server: OdooEmulator) -> None:
    """Knowing the version costs no sequential round trip: both requests are in flight together."""
    server.latency_ms = 150.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exc.DeprecatedProtocolWarning)
        make_client(server.url, protocol="jsonrpc").login("demo", "admin", "admin")
    assert server.requests == 2 and server.max_in_flight == 2
    if server.version >= "19":
        server.reset_counts()
        make_client(server.url).login_with_api_key("demo", "admin", DEFAULT_API_KEY)
        assert server.requests == 2 and server.max_in_flight == 2


def test_version_and_databases_before_login_use_web_routes(make_client: Any, server: OdooEmulator) -> None:
    c = make_client(server.url)
    assert c.version()["server_serie"] == server.version
    assert c.list_databases() == ["demo"]
    assert server.requests == 2 and not server.deprecated_calls
    assert not server.count()  # and no model call either


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_a_forced_deprecated_protocol_warns_once_per_client(
    make_client: Any, server: OdooEmulator, protocol: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="zenoo_rpc")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        first = make_client(server.url, protocol=protocol)
        first.login("demo", "admin", "admin")
        first.version()
        first.execute_kw("res.partner", "search_count", [[]])
        first.with_context(lang="en_US").execute_kw("res.partner", "search_count", [[]])
        second = make_client(server.url, protocol=protocol)
        second.version()
        second.login("demo", "admin", "admin")
    ours = [w for w in seen if issubclass(w.category, exc.DeprecatedProtocolWarning)]
    logged = [r for r in caplog.records if r.name == "zenoo_rpc" and "deprecates" in r.getMessage()]
    if server.version < "19":
        assert not ours and not logged and not server.deprecated_calls
        return
    assert len(ours) == 2 and len(logged) == 2  # one per client, whatever it did
    text = str(ours[0].message)
    endpoint = "/jsonrpc" if protocol == "jsonrpc" else "/xmlrpc/2"
    assert endpoint in text and "protocol='auto'" in text and "login_with_api_key()" in text
    assert issubclass(exc.DeprecatedProtocolWarning, FutureWarning)  # shown by default
    assert sum(server.deprecated_calls.values()) == server.requests  # it did use what it was told to


def test_the_warning_is_shown_by_default(make_client: Any, emulators: dict[str, OdooEmulator]) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.resetwarnings()  # Python's own default filters, nothing else
        for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", hidden)
        make_client(emulators["19.0"].url, protocol="xmlrpc").version()
    assert [w.category for w in seen] == [exc.DeprecatedProtocolWarning]


def test_session_refuses_an_api_key_before_sending(make_client: Any, server: OdooEmulator) -> None:
    with pytest.raises(exc.ClientError, match="API keys"):
        make_client(server.url, protocol="session").login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    with pytest.raises(exc.ClientError, match="empty"):
        make_client(server.url).login("demo", "admin", "")
    assert server.requests == 0


def test_the_web_session_login_takes_no_api_key(make_client: Any, server: OdooEmulator) -> None:
    """Odoo checks API keys on RPC logins only (the web login is interactive): so does the emulator."""
    with pytest.raises(exc.AuthenticationError):
        make_client(server.url, protocol="session").login("demo", "admin", DEFAULT_API_KEY)


def test_json2_forced_on_an_older_server_says_so(
    make_client: Any, emulators: dict[str, OdooEmulator]
) -> None:
    for version in ("17.0", "18.0"):
        with pytest.raises(exc.ProtocolError, match="Odoo 19"):
            make_client(emulators[version].url, protocol="json2").login_with_api_key(
                "demo", "admin", DEFAULT_API_KEY
            )


def test_a_revoked_api_key_is_its_own_error(make_client: Any, server: OdooEmulator) -> None:
    c = make_client(server.url)
    c.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    server.revoke_api_key("admin")
    with pytest.raises(exc.APIKeyRejectedError) as info:
        c.execute_kw("res.partner", "search_count", [[]])
    err = info.value
    assert isinstance(err, exc.AuthenticationError)
    text = str(err)
    assert "expired, revoked or wrong" in text and "New API Key" in text and "login_with_api_key()" in text
    assert "'admin'" in text and "'demo'" in text and DEFAULT_API_KEY not in text
    with pytest.raises(exc.APIKeyRejectedError):  # and a new login with it is refused the same way
        make_client(server.url).login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    fresh = server.add_api_key("admin")
    assert make_client(server.url).login_with_api_key("demo", "admin", fresh) == 2
