"""Replays the recorded real-Odoo cases against the emulator and compares the answers.

The cases are the repository's copy of the recordings, ``tests/odoo_corpus/<version>/*.json.gz``, imported
(with the emulator's database) by ``tools/import_odoo_data.py``; a checkout needs nothing beside it."""

from __future__ import annotations

import json
import re
import xmlrpc.client
from pathlib import Path
from typing import Any

import requests

from zenoo_rpc._jsondata import read_json
from zenoo_rpc.generator.snapshot import Snapshot, load
from zenoo_rpc.testing import OdooEmulator

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "odoo_corpus"
DATA = ROOT / "zenoo_rpc" / "testing" / "odoo_data"
#: the models the bundled generated package and the golden trees are generated from
BUNDLED_MODELS = [
    line.strip()
    for line in (ROOT / "tools" / "bundled_models.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def bundled_snapshot(version: str) -> Snapshot:
    """The schema snapshot of the bundled models, from the emulator's database of ``version``."""
    return load(DATA / version).select(BUNDLED_MODELS, None)


def load_cases(version: str, name: str) -> list[dict[str, Any]]:
    """The recorded cases of ``name`` (``corpus/read.json``, ``errors.json``, ... as the recordings name
    them) for ``version``; none when that version has no such file (json2_examples.json before 19.0)."""
    path = CORPUS / version / (Path(name).name + ".gz")
    if not path.exists():
        return []
    cases: list[dict[str, Any]] = read_json(path)
    return cases


def _volatile_paths(case: dict[str, Any]) -> set[str]:
    return set(case.get("volatile") or [])


def _path_str(path: list[Any]) -> str:
    out = "$"
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}" if re.match(r"^\w+$", str(p)) else f"['{p}']"
    return out


def diff(expected: Any, actual: Any, path: list[Any], volatile: set[str], out: list[str]) -> None:
    here = _path_str(path)
    if here in volatile:
        if type(expected) is not type(actual) and not (expected is False or actual is False):
            out.append(f"{here}: type {type(expected).__name__} != {type(actual).__name__}")
        return
    if path and path[-1] == "debug":  # server tracebacks depend on the install
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in expected.keys() | actual.keys():
            if k not in actual:
                out.append(f"{here}.{k}: missing")
            elif k not in expected:
                out.append(f"{here}.{k}: unexpected {actual[k]!r:.80}")
            else:
                diff(expected[k], actual[k], [*path, k], volatile, out)
        return
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(
                f"{here}: length {len(expected)} != {len(actual)}: {json.dumps(expected)[:300]} vs {json.dumps(actual)[:300]}"
            )
            return
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff(e, a, [*path, i], volatile, out)
        return
    if type(expected) is not type(actual) or expected != actual:
        if isinstance(expected, float) and isinstance(actual, float) and abs(expected - actual) < 1e-6:
            return
        out.append(f"{here}: {expected!r:.200} != {actual!r:.200}")


def _xml_value(text: str) -> Any:
    try:
        params, _ = xmlrpc.client.loads(text.encode(), use_builtin_types=True)
        return {"params": list(params)}
    except xmlrpc.client.Fault as fault:
        s = str(fault.faultString)
        if fault.faultCode == 1:
            s = s.rstrip().rsplit("\n", 1)[-1]
        return {"fault": fault.faultCode, "string": s}


class Replayer:
    """Sends recorded requests to an emulator, substituting its API key and session cookie."""

    def __init__(self, server: OdooEmulator) -> None:
        self.server = server
        self.http = requests.Session()
        self.session_id: str | None = None

    def _session(self) -> str:
        if self.session_id is None:
            r = self.http.post(
                self.server.url + "/web/session/authenticate",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 0,
                    "params": {"db": "demo", "login": "admin", "password": "admin"},
                },
            )
            self.session_id = r.cookies.get("session_id") or re.search(
                r"session_id=([^;]+)", r.headers.get("Set-Cookie", "")
            ).group(1)  # type: ignore[union-attr]
            self.http.cookies.clear()
        return self.session_id

    def send(self, case: dict[str, Any]) -> requests.Response:
        req = case["request"]
        headers = {k: v for k, v in (req.get("headers") or {}).items()}
        for k, v in list(headers.items()):
            if "<apikey>" in v:
                headers[k] = v.replace("<apikey>", self.server.api_key)
            if "<session>" in v:
                headers[k] = v.replace("<session>", self._session())
        if "with session" in case["label"] and "Cookie" not in headers:
            headers["Cookie"] = f"session_id={self._session()}"
        body = req.get("body")
        if isinstance(body, (dict, list)) or (body is None and req["method"] == "POST"):
            data = json.dumps(body).encode() if body is not None else b"null"
            headers.setdefault("Content-Type", "application/json")
        elif body is None:
            data = None
        else:
            data = body.encode()
        self.http.cookies.clear()
        return self.http.request(req["method"], self.server.url + req["path"], data=data, headers=headers)


def compare(case: dict[str, Any], response: requests.Response) -> list[str]:
    problems: list[str] = []
    exp = case["response"]
    if exp["status"] != response.status_code:
        problems.append(f"status {exp['status']} != {response.status_code}")
    volatile = {v.replace("$.response.body", "$") for v in _volatile_paths(case)}
    body = exp["body"]
    ctype = response.headers.get("Content-Type", "")
    if isinstance(body, (dict, list, bool, int, float)) or body is None:
        try:
            actual = response.json()
        except ValueError:
            return [*problems, f"not JSON: {response.text[:200]!r}"]
        diff(body, actual, [], volatile, problems)
    elif "xml" in exp.get("content_type", ""):
        diff(_xml_value(body), _xml_value(response.text), [], volatile, problems)
        quote_e = body[:20].split("version=")[1][0]
        quote_a = response.text[:20].split("version=")[1][0] if "version=" in response.text[:20] else "?"
        if quote_e != quote_a:
            problems.append(f"XML prolog quote {quote_e} != {quote_a}")
    elif exp.get("content_type", "").startswith("application/json"):
        try:
            diff(json.loads(body), response.json(), [], volatile, problems)
        except ValueError:
            problems.append(f"not JSON: {response.text[:200]!r}")
    else:
        if body != response.text:
            problems.append(f"text {body[:120]!r} != {response.text[:120]!r}")
    if exp.get("content_type", "").split(";")[0] != ctype.split(";")[0]:
        problems.append(f"content type {exp.get('content_type')} != {ctype}")
    for name, values in (exp.get("headers") or {}).items():
        values = [values] if isinstance(values, str) else values
        got = response.raw.headers.getlist(name)
        if len(got) != len(values):
            problems.append(f"header {name}: {len(values)} values expected, got {len(got)}")
        for want, have in zip(values, got):
            pattern = re.escape(want).replace(re.escape("<session>"), "[0-9a-zA-Z_-]+")
            pattern = re.sub(r"Expires=[^;]+", "Expires=[^;]+", pattern.replace("\\ ", " "))
            if not re.fullmatch(pattern, have):
                problems.append(f"header {name}: {want!r} != {have!r}")
    return problems
