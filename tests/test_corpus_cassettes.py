"""The SDK against real Odoo bytes: every call of the recorded real-Odoo corpus (17.0, 18.0, 19.0) is made again
through ``SyncZenooClient`` and ``ZenooClient`` against a cassette of that corpus (tests/cassettes/corpus,
written by tools/corpus_cassettes.py), and what the client returns is what Odoo answered: the result as an
independent decoder reads the recorded answer, or the SDK exception class that tests/test_error_table.py
gives that recorded error. No emulator is involved, and the committed cassettes are enough (no corpus needed).

Each cassette is replayed in file order (one interaction per call: a call made twice gets its answers in
order). The few recorded requests that no client call produces (a GET, a malformed body, a missing key, a
positional ``execute``) are counted and named, never silently passed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest
from test_error_table import RECORDED, TABLE

from zenoo_rpc._core import flows
from zenoo_rpc._core.session import SessionInfo
from zenoo_rpc.exceptions import ZenooError
from zenoo_rpc.testing import rpc_call, use_cassette
from zenoo_rpc.testing._cassettes import _Persister, _Serializer

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "tests" / "cassettes" / "corpus"
SOURCES = {
    "read": "corpus/read.json",
    "write": "corpus/write.json",
    "errors": "errors.json",
    "json2_examples": "json2_examples.json",
}
FILES = sorted((p.parent.name, p.name.removesuffix(".yaml.gz")) for p in CASSETTES.glob("*/*.yaml.gz"))


#: the recorded requests that no client call produces, per corpus file (JSON-2 ones on 19.0 only)
NOT_MADE_BY_A_CLIENT: dict[str, set[str]] = {
    "read": {
        "web: /web/session/get_session_info",  # the login's answer is the session info
        "json2: res.partner search_count: GET instead of POST",
        "json2: res.partner search_count: body is a JSON array",
        "json2: res.partner search_count: Authorization without bearer scheme",
    },
    "errors": {
        "malformed JSON body",
        "/web/dataset/call_kw without session -> SessionExpired",  # renewed by the client: tests/test_client.py
        "no Authorization header",
        "json2 malformed JSON body",
        "json2 GET /json/2 (no model/method)",
    },
}


class _Adopted:
    """A session store that hands the client the login the recorded call was made as (no login call)."""

    def __init__(self, info: SessionInfo) -> None:
        self.info = info

    def load(self) -> SessionInfo:
        return self.info

    def save(self, info: SessionInfo) -> None:
        pass

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        pass


class Skip(Exception):
    """A recorded request that no client call produces."""


def _expected(call: dict[str, Any], response: dict[str, Any]) -> tuple[bool, Any]:
    """(is an error, the result) read from the recorded answer without the SDK."""
    status, body = response["status"]["code"], response["body"]["string"]
    if call["endpoint"] == "xmlrpc":
        if status != 200:
            return True, None
        try:
            params, _ = xmlrpc.client.loads(body, use_builtin_types=True)
        except xmlrpc.client.Fault:
            return True, None
        return False, params[0] if params else None
    try:
        payload = json.loads(body)
    except ValueError:
        return True, None  # an HTML error page
    if call["endpoint"] == "json2":
        return status != 200, payload
    if not isinstance(payload, dict) or "error" in payload or status != 200:
        return True, None
    return False, payload.get("result")


def _session_expired(response: dict[str, Any]) -> bool:
    try:
        error = json.loads(response["body"]["string"]).get("error") or {}
    except (ValueError, AttributeError):
        return False
    return bool(error.get("code") == 100)


def _adopt(
    client: Any, protocol: str, db: str, uid: Any, server_version: dict[str, Any], **extra: Any
) -> Any:
    if isinstance(uid, bool) or not isinstance(uid, int):
        raise Skip(f"uid {uid!r}: a client always sends the uid its login gave")
    info = SessionInfo(
        client.raw.base_url, db, "cassette", uid, protocol, server_version=server_version, **extra
    )  # type: ignore[arg-type]
    if protocol == "json2":
        client.login_with_api_key(db, "cassette", "any key", session_store=_Adopted(info))
    else:
        client.login(db, "cassette", "any password", session_store=_Adopted(info))
    return client


def _run(
    make_client: Any,
    url: str,
    call: dict[str, Any],
    request: Any,
    response: dict[str, Any],
    server_version: dict[str, Any],
) -> Any:
    """Make the recorded call through a client of the test's face; returns what the client returns."""
    endpoint = call["endpoint"]
    if endpoint in ("jsonrpc", "xmlrpc"):
        if "service" not in call:
            raise Skip("a body that is not an RPC call: the client never sends one")
        client = make_client(url, protocol=endpoint)
        service, method = call.get("service"), call.get("method")
        if service == "object":
            if "model" not in call or not isinstance(call.get("args"), list):
                raise Skip(f"object.{method}: the client sends execute_kw")
            _adopt(client, endpoint, call["db"], call["uid"], server_version)
            return client.execute_kw(call["model"], method, call["args"], call["kwargs"])
        if (service, method) == ("common", "version"):
            return client.version()
        if (service, method) == ("common", "login"):
            client.raw._conn.server_version = dict(server_version)  # as a client that asked it before
            db, login, *_ = call["args"]
            return client.login(db, login, "any password")
        return client.resolve(client.raw._run(flows.service(client.raw._conn, service, method, call["args"])))
    if endpoint == "json2":
        auth = str(request.headers.get("Authorization") or "")
        if (
            call["http"] != "POST"
            or not isinstance(call.get("kwargs"), dict)
            or not auth.startswith("bearer ")
        ):
            raise Skip("JSON-2 request that the client never sends (a GET, no key, another body)")
        client = _adopt(
            make_client(url, protocol="json2"), "json2", call["db"], 2, server_version, api_key=True
        )
        return client.execute_kw(call["model"], call["method"], [], call["kwargs"])
    if endpoint == "call_kw":
        if _session_expired(response):  # errors.json keeps no request headers: the answer tells
            raise Skip(
                "call_kw without a session: the client renews an expired session (tests/test_client.py)"
            )
        client = make_client(url, protocol="session")
        _adopt(client, "session", "demo", 2, server_version, session_id="<scrubbed>")
        return client.execute_kw(call["model"], call["method"], call["args"], call["kwargs"])
    if call.get("path") == "/web/session/authenticate":
        params = call["params"]
        return make_client(url, protocol="session").login(params["db"], params["login"], "any password")
    raise Skip(f"{call.get('path')}: not a route the client calls")


def _same(call: dict[str, Any], got: Any, expected: Any) -> bool:
    if call.get("path") == "/web/session/authenticate" or call.get("method") == "login":
        return bool(got == (expected["uid"] if isinstance(expected, dict) else expected))
    return bool(got == expected)


@pytest.mark.filterwarnings("ignore::zenoo_rpc.exceptions.DeprecatedProtocolWarning")
@pytest.mark.parametrize(("version", "name"), FILES, ids=[f"{v}-{n}" for v, n in FILES])
def test_the_sdk_decodes_real_odoo_answers(version: str, name: str, make_client: Any) -> None:
    path = CASSETTES / version / f"{name}.yaml.gz"
    requests, responses, metadata = _Persister.load_cassette(path, _Serializer)
    server_version, cases = metadata["server_version"], metadata["cases"]
    assert len(cases) == len(requests) > 0
    failures: list[str] = []
    skipped: dict[str, str] = {}
    checked = 0
    with use_cassette(path) as cassette:
        for request, response, case in zip(requests, responses, cases):
            label, call = case["label"], rpc_call(request)
            is_error, expected = _expected(call, response)
            if call.get("method") == "login" and expected is False:
                is_error = True  # common.login refuses with false: the client raises
            try:
                got = _run(make_client, cassette.url, call, request, response, server_version)
            except Skip as skip:
                skipped[label] = str(skip)
                continue
            except ZenooError as exc:
                if not is_error:
                    failures.append(f"{label}: raised {type(exc).__name__}: {exc}")
                    continue
                condition = RECORDED.get((SOURCES[name], label))
                if condition is None:
                    failures.append(f"{label}: an error that tests/test_error_table.py does not classify")
                elif type(exc) is not TABLE[condition].cls:
                    failures.append(f"{label}: {type(exc).__name__}, not {TABLE[condition].cls.__name__}")
                checked += 1
                continue
            if is_error:
                condition = RECORDED.get((SOURCES[name], label))
                failures.append(f"{label}: returned {got!r:.100} for an error ({condition})")
            elif not _same(call, got, expected):
                failures.append(f"{label}: {got!r:.200} != {expected!r:.200}")
            checked += 1
    assert not failures, "\n".join(failures)
    # every recorded request is made (or named as one no client makes), and the replay used each once
    assert checked + len(skipped) == len(cases)
    not_made = NOT_MADE_BY_A_CLIENT.get(name, set()) & {case["label"] for case in cases}
    assert set(skipped) == not_made, skipped
    assert cassette.play_count == checked


def test_every_corpus_file_has_its_cassette() -> None:
    assert {(v, n) for v, n in FILES} >= {
        (v, n) for v in ("17.0", "18.0", "19.0") for n in ("read", "write", "errors")
    }
    assert ("19.0", "json2_examples") in FILES


def test_the_cassettes_are_what_the_corpus_gives() -> None:
    """The committed cassettes are regenerated byte for byte from the corpus in tests/odoo_corpus."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "corpus_cassettes.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
