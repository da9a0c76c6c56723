"""Turn the real-Odoo recorded corpus into cassettes that the SDK's tests replay (tests/test_corpus_cassettes.py).

    python tools/corpus_cassettes.py           # write tests/cassettes/corpus/<version>/<file>.yaml.gz
    python tools/corpus_cassettes.py --check   # fail when a committed cassette is not what the corpus gives

The corpus in ``tests/odoo_corpus/<version>/`` (imported from the recordings by tools/import_odoo_data.py)
holds real request/response pairs recorded from Odoo 17.0, 18.0 and 19.0: ``read``, ``write``, ``errors`` and
``json2_examples``. Each file becomes one cassette in the format of ``zenoo_rpc.testing.use_cassette``
(scrubbed by the same code), its interactions in file order; the cassette's metadata keeps each interaction's
label (and write scenario/step), the server's ``common.version`` answer and where it came from. The answers
are Odoo's as recorded (JSON re-serialized from the corpus' parsed form, XML-RPC and HTML bodies as they were).
"""

from __future__ import annotations

import argparse
import gzip
import http
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from vcr.request import Request

from zenoo_rpc._jsondata import json_path, read_json
from zenoo_rpc.testing._cassettes import _Persister, _Serializer, scrub_request, scrub_response

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "cassettes" / "corpus"
VERSIONS = ("17.0", "18.0", "19.0")
#: each corpus file and where it lies in the recordings (named in the cassette's metadata)
FILES = {
    "read": "corpus/read.json",
    "write": "corpus/write.json",
    "errors": "errors.json",
    "json2_examples": "json2_examples.json",
}
CORPUS = ROOT / "tests" / "odoo_corpus"
VERSION_INFO = ROOT / "zenoo_rpc" / "testing" / "odoo_data"
URL = "http://localhost:8069"


def _body(value: Any, content_type: str) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, str) and "json" not in content_type:
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _interaction(case: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    req, resp = case["request"], case["response"]
    headers = {str(k): str(v) for k, v in (req.get("headers") or {}).items()}
    body = req.get("body")
    if body is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "text/xml" if req["path"].startswith("/xmlrpc") else "application/json"
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    request = scrub_request(Request(req["method"], URL + req["path"], _body(body, content_type), headers))
    answer_type = str(resp.get("content_type") or "")
    data = _body(resp.get("body"), answer_type) or b""
    answer_headers: dict[str, list[str]] = {"Content-Type": [answer_type]} if answer_type else {}
    for name, value in (resp.get("headers") or {}).items():
        answer_headers[str(name)] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    answer_headers["Content-Length"] = [str(len(data))]
    status = int(resp["status"])
    response = {
        "status": {"code": status, "message": http.HTTPStatus(status).phrase},
        "headers": answer_headers,
        "body": {"string": data},
    }
    return request, scrub_response(response)


def cassette(version: str, name: str) -> bytes | None:
    """The cassette of one corpus file (gzip-compressed YAML), or None when the version has no such file."""
    source = json_path(CORPUS / version / f"{name}.json")
    if source is None:
        return None
    cases: list[dict[str, Any]] = read_json(source)
    requests, responses, labels = [], [], []
    for case in cases:
        request, response = _interaction(case)
        requests.append(request)
        responses.append(response)
        labels.append({k: case[k] for k in ("label", "scenario", "step") if k in case})
    version_info = read_json(VERSION_INFO / version / "version.json")
    if (
        isinstance(version_info, dict) and "response" in version_info
    ):  # a recorded case rather than the answer
        version_info = version_info["response"]["body"]["result"]
    metadata = {
        "zenoo": {"url": URL, "db": "demo", "user": "admin"},
        "source": f"{version}/{FILES[name]}",
        "server_version": version_info,
        "cases": labels,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.yaml.gz"
        _Persister.save_cassette(
            path, {"requests": requests, "responses": responses, "metadata": metadata}, _Serializer
        )
        return gzip.decompress(path.read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare with the committed cassettes")
    args = parser.parse_args(argv)
    stale = []
    for version in VERSIONS:
        for name in FILES:
            text = cassette(version, name)
            if text is None:
                continue
            target = OUT / version / f"{name}.yaml.gz"
            if args.check:
                if not target.exists() or gzip.decompress(target.read_bytes()) != text:
                    stale.append(target.relative_to(ROOT).as_posix())
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
            print(f"{target.relative_to(ROOT)}: {len(text)} bytes of YAML")
    if stale:
        print("not what the corpus gives (run python tools/corpus_cassettes.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
