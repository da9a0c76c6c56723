"""The fault-injecting proxy of the testing kit, on its own: real sockets, the emulator behind it."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest
import requests

from zenoo_rpc.testing import FaultProxy, OdooEmulator

VERSION_BODY = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})


@pytest.fixture
def proxy(odoo19: OdooEmulator) -> Iterator[FaultProxy]:
    with FaultProxy(upstream=odoo19.url) as p:
        yield p


def _post(
    conn: http.client.HTTPConnection, path: str = "/web/webclient/version_info"
) -> http.client.HTTPResponse:
    conn.request("POST", path, VERSION_BODY, {"Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp


def _conn(proxy: FaultProxy, timeout: float = 5.0) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=timeout)


def test_reverse_proxy_keeps_client_connections_alive(proxy: FaultProxy, odoo19: OdooEmulator) -> None:
    conn = _conn(proxy)
    for _ in range(3):
        resp = _post(conn)
        assert resp.status == 200 and resp.getheader("Connection") != "close"
    conn.close()
    assert proxy.connections == 1 and proxy.received == proxy.forwarded == proxy.answered == 3
    assert odoo19.requests == 3
    assert [r.path for r in proxy.requests] == ["/web/webclient/version_info"] * 3


def test_drop_after_forward_reaches_the_upstream_only(proxy: FaultProxy, odoo19: OdooEmulator) -> None:
    proxy.inject("drop_after_forward")
    conn = _conn(proxy)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _post(conn)
    assert odoo19.requests == 1 and proxy.forwarded == 1 and proxy.answered == 0


def test_drop_before_forward_never_reaches_the_upstream(proxy: FaultProxy, odoo19: OdooEmulator) -> None:
    proxy.inject("drop_before_forward")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _post(_conn(proxy))
    assert odoo19.requests == 0 and proxy.received == 1 and proxy.forwarded == 0


@pytest.mark.parametrize("status", ["502", "503", "504"])
def test_gateway_status_without_forwarding(proxy: FaultProxy, odoo19: OdooEmulator, status: str) -> None:
    proxy.inject(status)
    conn = _conn(proxy)
    assert _post(conn).status == int(status)
    assert _post(conn).status == 200  # the same keep-alive connection, as nginx keeps it
    assert odoo19.requests == 1 and proxy.forwarded == 1 and proxy.connections == 1


def test_slow_answer_is_forwarded_at_once_and_held_back(proxy: FaultProxy, odoo19: OdooEmulator) -> None:
    proxy.inject("slow", seconds=2.0)
    with pytest.raises(socket.timeout):
        _post(_conn(proxy, timeout=0.3))
    assert odoo19.requests == 1 and proxy.forwarded == 1


def test_close_after_answer_and_close_idle(proxy: FaultProxy) -> None:
    proxy.inject("close_after_answer")
    conn = _conn(proxy)
    assert _post(conn).status == 200
    assert conn.sock is not None and conn.sock.recv(1) == b""  # closed right after a keep-alive answer
    conn.close()
    conn = _conn(proxy)
    assert _post(conn).status == 200
    assert proxy.close_idle_connections() == 1
    assert conn.sock is not None and conn.sock.recv(1) == b""
    assert proxy.close_idle_connections() == 0


def test_faults_count_down_and_match(proxy: FaultProxy, odoo19: OdooEmulator) -> None:
    proxy.inject("502", count=2, match=lambda r: b'"create"' in r.body)
    proxy.inject("503", path="/jsonrpc")
    conn = _conn(proxy)
    assert _post(conn).status == 200  # matches neither
    assert _post(conn, "/jsonrpc").status == 503
    assert _post(conn, "/jsonrpc").status == 200  # the 503 was used up
    assert proxy.pending_faults == 2
    proxy.clear_faults()
    assert proxy.pending_faults == 0
    with pytest.raises(ValueError, match="unknown fault"):
        proxy.inject("explode")
    with pytest.raises(ValueError, match="http:// URL"):
        FaultProxy(upstream="ftp://127.0.0.1")


def test_forward_proxy_absolute_form_and_connect(odoo19: OdooEmulator) -> None:
    with FaultProxy() as fwd:
        assert fwd.mode == "forward"
        resp = requests.post(
            odoo19.url + "/web/webclient/version_info",
            data=VERSION_BODY,
            proxies={"http": fwd.url},
            timeout=5,
        )
        assert resp.status_code == 200 and resp.json()["result"]["server_serie"] == "19.0"
        assert fwd.requests[-1].target == odoo19.url + "/web/webclient/version_info" and fwd.forwarded == 1
        # a CONNECT tunnel carries any bytes: here plain HTTP to the emulator
        with socket.create_connection(("127.0.0.1", fwd.port), timeout=5) as s:
            s.sendall(
                f"CONNECT 127.0.0.1:{odoo19.port} HTTP/1.1\r\nHost: 127.0.0.1:{odoo19.port}\r\n\r\n".encode()
            )
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
            s.sendall(b"GET /web/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert b'"version": "19.0"' in answer and fwd.tunnels == 1
        # only loopback targets: nothing is even looked up for another host
        resp = requests.get("http://zenoo.invalid/", proxies={"http": fwd.url}, timeout=5)
        assert resp.status_code == 403 and fwd.forwarded == 2


def test_upstream_down_answers_502(odoo19: OdooEmulator) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with FaultProxy(upstream=f"http://127.0.0.1:{port}") as p:
        assert _post(_conn(p)).status == 502
        assert p.forwarded == 0
