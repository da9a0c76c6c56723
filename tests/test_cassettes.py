"""Cassettes (``zenoo_rpc.testing.use_cassette`` and the pytest fixture ``zenoo_cassette``): a client's traffic
with the emulator is recorded on both faces and every protocol, the files are searched for the secrets the
traffic carried, and the cassettes replay with the emulator gone; requests match on the RPC call."""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import subprocess
import sys
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest
from conftest import AsyncFace, SyncFace
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.testing import SCRUBBED, OdooEmulator, rpc_call, use_cassette
from zenoo_rpc.testing._cassettes import scrub_request, scrub_response

ROOT = Path(__file__).resolve().parents[1]
PROTOCOLS = ("jsonrpc", "xmlrpc", "session", "json2")
PASSWORD = "S3cret-Pa55word-of-admin"  # distinctive: the login "admin" is in every cassette

# recording on every protocol includes the ones Odoo 19 deprecates: their warning is not the topic here
pytestmark = pytest.mark.filterwarnings("ignore::zenoo_rpc.DeprecatedProtocolWarning")


def _session_calls(client: Any, protocol: str, key: str, password: str = PASSWORD) -> list[Any]:
    """Log in and make a few calls (a read, a write, an error) through a client of the test's face."""
    if protocol == "json2":
        client.login_with_api_key("demo", "admin", key)
    else:
        client.login("demo", "admin", password)
    out: list[Any] = [
        client.execute_kw(
            "res.partner", "search_read", [[["id", "<", 5]]], {"fields": ["name"], "order": "id"}
        ),
        client.execute_kw("res.partner.category", "create", [{"name": "Recorded"}]),
        client.execute_kw("res.partner", "search_count", [[["name", "ilike", "a"]]]),
    ]
    try:
        client.execute_kw("res.partner", "no_such_method", [[1]])
    except Exception as exc:
        out.append(type(exc).__name__)
    return out


def make_face(face: str, url: str, loop: asyncio.AbstractEventLoop, **options: Any) -> Any:
    if face == "sync":
        return SyncFace(SyncZenooClient(url, **options))
    return AsyncFace(ZenooClient(url, **options), loop)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """For each face and protocol: a cassette recorded against an emulator (stopped afterwards), what the
    calls answered, and the secrets that were on the wire."""
    folder = tmp_path_factory.mktemp("cassettes")
    out: dict[tuple[str, str], tuple[Path, list[Any]]] = {}
    with OdooEmulator("19.0") as odoo:
        odoo.set_password("admin", PASSWORD)
        key = odoo.add_api_key("admin")
        secrets = {"password": PASSWORD, "api_key": key}
        for face in ("sync", "async"):
            loop = asyncio.new_event_loop()
            for protocol in PROTOCOLS:
                path = folder / f"{face}-{protocol}.yaml"
                with use_cassette(
                    path,
                    record_mode="once",
                    url=odoo.url,
                    db="demo",
                    user="admin",
                    password=PASSWORD,
                    api_key=key,
                ) as cassette:
                    assert cassette.recording
                    client = make_face(face, odoo.url, loop, protocol=protocol)
                    answers = _session_calls(client, protocol, key)
                    session = client.raw.session
                    if session is not None and session.session_id:
                        secrets[f"session {face}"] = session.session_id
                    client.resolve(client.raw.close())
                out[face, protocol] = (path, answers)
            loop.close()
    return out, secrets


def test_the_cassettes_hold_no_secret(recorded: Any) -> None:
    cassettes, secrets = recorded
    assert len(secrets) == 4, secrets  # the password, the key and a web session cookie per face
    for (face, protocol), (path, _) in cassettes.items():
        text = path.read_text()
        for what, secret in secrets.items():
            assert secret not in text, f"{face} {protocol}: the {what} is in {path.name}"
        assert SCRUBBED in text or "&lt;scrubbed&gt;" in text  # XML-RPC escapes it
    session = cassettes["sync", "session"][0].read_text()
    assert "session_id=<scrubbed>" in session  # the Set-Cookie of the login and the Cookie of each call
    assert "bearer <scrubbed>" in cassettes["async", "json2"][0].read_text()


def test_the_cassettes_replay_without_odoo(recorded: Any, make_client: Any) -> None:
    """The emulator is stopped: every answer comes from the cassette, and the same calls get the same
    answers on both faces, with any password (secrets are not matched)."""
    cassettes, _ = recorded
    for (_face, protocol), (path, answers) in cassettes.items():
        with use_cassette(path) as cassette:
            assert not cassette.recording and cassette.db == "demo" and cassette.user == "admin"
            client = make_client(cassette.url, protocol=protocol)
            assert _session_calls(client, protocol, "another-key", password="another password") == answers
            assert cassette.all_played
        assert answers[-1] == "UnknownMethodError"


def test_a_call_not_in_the_cassette_is_refused_on_replay(recorded: Any, make_client: Any) -> None:
    cassettes, _ = recorded
    path, _ = cassettes["sync", "jsonrpc"]
    with use_cassette(path) as cassette:
        client = make_client(cassette.url, protocol="jsonrpc")
        client.login("demo", "admin", "x")
        with pytest.raises(
            CannotOverwriteExistingCassetteException, match="the same method with other arguments"
        ):
            client.execute_kw("res.partner", "search_count", [[["name", "ilike", "b"]]])


# -- the call a request makes ------------------------------------------------------------------------------
def _jsonrpc(params: dict[str, Any], rid: int = 1) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "method": "call", "id": rid, "params": params}).encode()


def _request(path: str, body: bytes | None, headers: dict[str, Any] | None = None) -> Request:
    return Request(
        "POST", "http://odoo.example.com" + path, body, headers or {"Content-Type": "application/json"}
    )


def test_jsonrpc_calls_match_whatever_the_id_password_and_missing_kwargs() -> None:
    a = _request(
        "/jsonrpc",
        _jsonrpc(
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["demo", 2, "pw1", "res.partner", "read", [[1]]],
            },
            1,
        ),
    )
    b = _request(
        "/jsonrpc",
        _jsonrpc(
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["demo", 2, "pw2", "res.partner", "read", [[1]], {}],
            },
            7,
        ),
    )
    c = _request(
        "/jsonrpc",
        _jsonrpc(
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["demo", 2, "pw1", "res.partner", "read", [[2]]],
            },
            1,
        ),
    )
    assert rpc_call(a) == rpc_call(b) == {
        "endpoint": "jsonrpc", "http": "POST", "service": "object", "db": "demo", "uid": 2,
        "model": "res.partner", "method": "read", "args": [[1]], "kwargs": {},
    }  # fmt: skip
    assert rpc_call(a) != rpc_call(c)


def test_xmlrpc_calls_are_parsed_and_match_the_same_call() -> None:
    body = xmlrpc.client.dumps(
        ("demo", 2, "secret", "res.partner", "search", [[]], {"limit": 1}), "execute_kw"
    )
    call = rpc_call(_request("/xmlrpc/2/object", body.encode(), {"Content-Type": "text/xml"}))
    assert call["model"] == "res.partner" and call["method"] == "search" and call["kwargs"] == {"limit": 1}
    login = xmlrpc.client.dumps(("demo", "admin", "secret", {}), "authenticate")
    assert rpc_call(_request("/xmlrpc/2/common", login.encode()))["args"] == ["demo", "admin", SCRUBBED, {}]


def test_web_session_and_json2_calls() -> None:
    call_kw = _request(
        "/web/dataset/call_kw/res.partner/read",
        _jsonrpc({"model": "res.partner", "method": "read", "args": [[1]]}),
    )
    assert rpc_call(call_kw)["kwargs"] == {} and rpc_call(call_kw)["model"] == "res.partner"
    auth = _request("/web/session/authenticate", _jsonrpc({"db": "demo", "login": "admin", "password": "pw"}))
    assert rpc_call(auth)["params"] == {"db": "demo", "login": "admin", "password": SCRUBBED}
    json2 = {"Content-Type": "application/json", "Authorization": "bearer k1", "X-Odoo-Database": "demo"}
    one = _request("/json/2/res.partner/search", b'{"domain": []}', json2)
    two = _request(
        "/json/2/res.partner/search", b'{ "domain" : [ ] }', {**json2, "Authorization": "bearer k2"}
    )
    other_db = _request(
        "/json/2/res.partner/search", b'{"domain": []}', {**json2, "X-Odoo-Database": "other"}
    )
    assert rpc_call(one) == rpc_call(two) != rpc_call(other_db)
    assert rpc_call(one)["kwargs"] == {"domain": []} and rpc_call(one)["method"] == "search"


def test_scrubbing_a_request() -> None:
    db_drop = _request("/jsonrpc", _jsonrpc({"service": "db", "method": "drop", "args": ["master", "demo"]}))
    assert json.loads(scrub_request(db_drop).body)["params"]["args"] == [SCRUBBED, "demo"]
    write = _request(
        "/jsonrpc",
        _jsonrpc(
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["demo", 2, "pw", "res.users", "write", [[2], {"password": "new"}]],
            }
        ),
        {"Content-Type": "application/json", "Cookie": "session_id=abc; tz=UTC", "X-CSRF-Token": "t0k"},
    )
    scrubbed = scrub_request(write)
    assert json.loads(scrubbed.body)["params"]["args"] == [
        "demo",
        2,
        SCRUBBED,
        "res.users",
        "write",
        [[2], {"password": SCRUBBED}],
    ]
    assert scrubbed.headers["Cookie"] == f"session_id={SCRUBBED}; tz={SCRUBBED}"
    assert scrubbed.headers["X-CSRF-Token"] == SCRUBBED
    assert b"pw" in write.body, "the request sent is left as it was"
    form = Request(
        "POST",
        "http://odoo/web/login?token=abc",
        b"login=admin&password=pw&csrf_token=t",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    scrubbed = scrub_request(form)
    assert scrubbed.body == b"login=admin&password=%3Cscrubbed%3E&csrf_token=%3Cscrubbed%3E"
    xml = xmlrpc.client.dumps(("demo", 2, "pw", "res.partner", "read", [[1]]), "execute_kw").encode()
    assert b"pw" not in scrub_request(_request("/xmlrpc/2/object", xml)).body


def test_a_request_without_secrets_is_left_as_it_was() -> None:
    version = _request(
        "/jsonrpc",
        b'{"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common","method":"version"}}',
    )
    assert scrub_request(version).body == version.body


def test_scrubbing_a_response() -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"uid": 2, "csrf_token": "tok"}}).encode()
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Set-Cookie": ["session_id=abc; Path=/; HttpOnly"], "Content-Length": [str(len(body))]},
        "body": {"string": body},
    }
    scrub_response(response)
    assert response["headers"]["Set-Cookie"] == [f"session_id={SCRUBBED}; Path=/; HttpOnly"]
    assert json.loads(response["body"]["string"])["result"] == {"uid": 2, "csrf_token": SCRUBBED}
    assert response["headers"]["Content-Length"] == [str(len(response["body"]["string"]))]


# -- record modes and the file format -------------------------------------------------------------------------
def test_record_modes_and_a_compressed_cassette(
    odoo19: OdooEmulator, make_client: Any, tmp_path: Path
) -> None:
    path = tmp_path / "modes.yaml.gz"

    def count(name: str, mode: str) -> tuple[Any, int]:
        """The call's answer, and the interactions the cassette file holds afterwards."""
        with use_cassette(path, record_mode=mode, url=odoo19.url) as cassette:
            client = make_client(cassette.url, protocol="jsonrpc")  # the password is sent with each call
            client.login("demo", "admin", "admin")
            answer = client.execute_kw("res.partner", "search_count", [[["name", "ilike", name]]])
        return answer, gzip.decompress(path.read_bytes()).decode().count("\n- request:")

    assert count("a", "once")[1] == 3  # the login, the version and the call
    text = gzip.decompress(path.read_bytes()).decode()
    assert "interactions:" in text and '"ilike"' in text
    with pytest.raises(CannotOverwriteExistingCassetteException):
        count("b", "once")  # a cassette that exists only replays
    answer, interactions = count("b", "new_episodes")
    assert interactions == 4 and isinstance(answer, int)
    assert count("b", "none")[1] == 4
    assert count("a", "all")[1] == 4  # recorded again: what it recorded replaces what matched, "b" stays
    with pytest.raises(ValueError, match="record_mode"):
        count("a", "sometimes")


def test_tracebacks_and_xml_bodies_are_block_literals(
    odoo19: OdooEmulator, make_client: Any, tmp_path: Path
) -> None:
    """Multi-line strings are written line by line (a diff shows the line that changed)."""
    path = tmp_path / "xml.yaml"
    with use_cassette(path, record_mode="once", url=odoo19.url) as cassette:
        client = make_client(cassette.url, protocol="xmlrpc")
        client.login("demo", "admin", "admin")
        client.execute_kw("res.partner", "read", [[1]], {"fields": ["name"]})
    text = path.read_text()
    assert "string: |" in text and "\n        <methodResponse>\n" in text


# -- the pytest fixture ------------------------------------------------------------------------------------------
def test_the_pytest_fixture_records_once_then_replays(tmp_path: Path) -> None:
    """The documented example (examples/cassettes/test_shop.py) in a project of its own: it fails without
    cassettes, records them against an emulator, then passes from them with the emulator gone."""
    shutil.copy(ROOT / "examples" / "cassettes" / "test_shop.py", tmp_path / "test_shop.py")
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\ndef test_unmarked():\n    assert 'vcr' not in sys.modules and 'yaml' not in sys.modules\n"
    )
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )

    def run(*options: str, test: str = "test_shop.py") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test, *options],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    run_ = run(test="test_plain.py")  # the plugin imports no vcrpy for a test without a cassette
    assert run_.returncode == 0, run_.stdout + run_.stderr
    missing = run()
    assert missing.returncode == 1 and "--zenoo-record" in missing.stdout, missing.stdout
    with OdooEmulator("19.0") as odoo:
        odoo.set_password("admin", PASSWORD)
        recorded = run(
            "--zenoo-record",
            f"--zenoo-url={odoo.url}",
            "--zenoo-db=demo",
            "--zenoo-user=admin",
            f"--zenoo-password={PASSWORD}",
        )
        assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassettes = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "cassettes").rglob("*.yaml"))
    assert cassettes == ["cassettes/partners/first.yaml", "cassettes/test_shop/test_companies.yaml"]
    for name in cassettes:
        assert PASSWORD not in (tmp_path / name).read_text()
    replayed = run()  # the emulator is gone: the cassettes answer
    assert replayed.returncode == 0 and "2 passed" in replayed.stdout, replayed.stdout + replayed.stderr
