"""Proxy and TLS options on both faces, through real loopback servers.

A forward FaultProxy stands for the user's HTTP proxy; a reverse FaultProxy listening with TLS stands for an
HTTPS Odoo in front of the emulator. Certificates (a CA, the server's, a client's) are made in the test by
trustme (which builds them with the cryptography package).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from zenoo_rpc import SyncZenooClient
from zenoo_rpc import exceptions as exc
from zenoo_rpc.testing import FaultProxy, OdooEmulator

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture
def forward() -> Iterator[FaultProxy]:
    with FaultProxy() as p:
        yield p


def _use(c: Any) -> None:
    assert c.login("demo", "admin", "admin") == 2
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0


# -- proxies -------------------------------------------------------------------------------------------------
def test_http_proxy_from_the_environment_is_honoured(
    make_client: Any, odoo19: OdooEmulator, forward: FaultProxy, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", forward.url)
    _use(make_client(odoo19.url))
    assert forward.forwarded == 2
    assert all(r.target.startswith(odoo19.url + "/") for r in forward.requests)  # absolute-form: a proxy


def test_no_proxy_and_trust_env_false_bypass_it(
    make_client: Any, odoo19: OdooEmulator, forward: FaultProxy, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTP_PROXY", forward.url)
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    _use(make_client(odoo19.url))
    clean_env.delenv("NO_PROXY")
    _use(make_client(odoo19.url, trust_env=False))
    assert forward.received == 0 and odoo19.requests == 4


@pytest.mark.parametrize("option", ["mapping", "string"])
def test_explicit_proxies_option(
    make_client: Any, odoo19: OdooEmulator, forward: FaultProxy, clean_env: pytest.MonkeyPatch, option: str
) -> None:
    proxies: Any = {"http": forward.url} if option == "mapping" else forward.url
    _use(make_client(odoo19.url, proxies=proxies))
    assert forward.forwarded == 2


def test_a_proxy_that_cannot_reach_odoo_answers_502_and_reads_say_so(
    make_client: Any, forward: FaultProxy, clean_env: pytest.MonkeyPatch
) -> None:
    from zenoo_rpc import RetryPolicy

    c = make_client("http://127.0.0.1:9", proxies={"http": forward.url}, retry=RetryPolicy(max_attempts=2))
    with pytest.raises(exc.HTTPStatusError) as info:
        c.version()
    assert info.value.status == 502 and info.value.attempts == 2


# -- TLS -----------------------------------------------------------------------------------------------------
class Tls:
    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA()
        self.server_cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_bundle = tmp / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_bundle))
        client = self.ca.issue_cert("zenoo-client@example.com")
        self.client_crt, self.client_key, self.client_pem = tmp / "c.crt", tmp / "c.key", tmp / "c.pem"
        client.cert_chain_pems[0].write_to_path(str(self.client_crt))
        client.private_key_pem.write_to_path(str(self.client_key))
        client.private_key_and_cert_chain_pem.write_to_path(str(self.client_pem))

    def server_context(self, require_client_cert: bool = False) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(ctx)
        if require_client_cert:
            self.ca.configure_trust(ctx)
            ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    return Tls(tmp_path)


@pytest.fixture
def https_odoo(odoo19: OdooEmulator, tls: Tls) -> Iterator[FaultProxy]:
    """An HTTPS Odoo on loopback: TLS terminated in front of the emulator."""
    with FaultProxy(upstream=odoo19.url, ssl=tls.server_context()) as p:
        yield p


@pytest.mark.filterwarnings(
    "ignore::urllib3.exceptions.InsecureRequestWarning"
)  # verify_ssl=False, on purpose
def test_tls_is_verified_by_default_and_a_ca_bundle_trusts_a_private_ca(
    make_client: Any, https_odoo: FaultProxy, tls: Tls, clean_env: pytest.MonkeyPatch
) -> None:
    assert https_odoo.url.startswith("https://")
    with pytest.raises(exc.TLSError):
        make_client(https_odoo.url).version()
    assert https_odoo.received == 0
    _use(make_client(https_odoo.url, ca_bundle=tls.ca_bundle))
    _use(make_client(https_odoo.url, ca_bundle=str(tls.ca_bundle)))
    _use(make_client(https_odoo.url, verify_ssl=False))  # still possible, never the default
    assert https_odoo.forwarded == 6


@pytest.mark.parametrize("form", ["pair", "combined"])
def test_client_certificate(
    make_client: Any, odoo19: OdooEmulator, tls: Tls, clean_env: pytest.MonkeyPatch, form: str
) -> None:
    with FaultProxy(upstream=odoo19.url, ssl=tls.server_context(require_client_cert=True)) as server:
        with pytest.raises(exc.TransportError) as info:
            make_client(server.url, ca_bundle=tls.ca_bundle).version()
        assert isinstance(info.value, (exc.TLSError, exc.ConnectError))
        assert server.forwarded == 0
        cert: Any = (tls.client_crt, tls.client_key) if form == "pair" else tls.client_pem
        _use(make_client(server.url, ca_bundle=tls.ca_bundle, client_cert=cert))
        assert server.forwarded == 2


def test_https_through_a_proxy_tunnel(
    make_client: Any, https_odoo: FaultProxy, forward: FaultProxy, tls: Tls, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("HTTPS_PROXY", forward.url)
    _use(make_client(https_odoo.url, ca_bundle=tls.ca_bundle))
    assert forward.tunnels >= 1 and forward.requests[0].method == "CONNECT"
    assert forward.requests[0].target == f"127.0.0.1:{https_odoo.port}"
    assert https_odoo.forwarded == 2


def test_a_refused_tunnel_is_nothing_sent(
    make_client: Any, https_odoo: FaultProxy, forward: FaultProxy, tls: Tls, clean_env: pytest.MonkeyPatch
) -> None:
    """The proxy answers 502 to CONNECT: the create never left, so it is a ConnectError and is retried."""
    from zenoo_rpc import RetryPolicy

    c = make_client(
        https_odoo.url,
        ca_bundle=tls.ca_bundle,
        proxies={"https": forward.url},
        retry=RetryPolicy(max_attempts=2, backoff=0.01),
    )
    c.login("demo", "admin", "admin")
    assert https_odoo.close_idle_connections() >= 1  # the tunnel ends: the next request needs a new one
    forward.inject("502", count=5, match=lambda r: r.method == "CONNECT")
    with pytest.raises(exc.ConnectError) as info:
        c.create("res.partner", {"name": "Behind A Proxy"})
    assert not isinstance(info.value, exc.OutcomeUnknownError) and not info.value.sent
    assert info.value.attempts == 2


def test_bad_tls_and_proxy_options_fail_when_the_client_is_made(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ca_bundle: no such file"):
        SyncZenooClient("https://127.0.0.1", ca_bundle=tmp_path / "missing.pem")
    (tmp_path / "ca.pem").write_text("")
    with pytest.raises(ValueError, match="verify_ssl=False"):
        SyncZenooClient("https://127.0.0.1", ca_bundle=tmp_path / "ca.pem", verify_ssl=False)
    with pytest.raises(ValueError, match="client_cert: no such file"):
        SyncZenooClient("https://127.0.0.1", client_cert=(tmp_path / "c.crt", tmp_path / "c.key"))
    with pytest.raises(ValueError, match="proxies: keys are"):
        SyncZenooClient("http://127.0.0.1", proxies={"ftp": "http://proxy:3128"})
    with pytest.raises(ValueError, match="a proxy URL"):
        SyncZenooClient("http://127.0.0.1", proxies={"http": "proxy:3128"})
    assert SyncZenooClient("http://127.0.0.1")._settings.trust_env is True
