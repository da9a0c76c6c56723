"""Cassettes: a test's real Odoo traffic recorded once (vcrpy) and replayed afterwards, on both faces.

vcrpy patches requests/urllib3 (the sync face) and aiohttp (the async face). What this module adds:

- **scrubbing**: passwords (login/authenticate arguments, the password of every ``object`` call, the web
  session's ``params.password``, the ``db`` service's master password), API keys and ``Authorization``
  headers, session cookies (``Cookie``, ``Set-Cookie``), CSRF tokens, and any value under a secret-looking key
  (``password``, ``api_key``, ``csrf_token``, ``session_id``, ...) in JSON, XML-RPC and form bodies and in query
  strings are replaced by :data:`SCRUBBED` before anything is written;
- **matching on the RPC call**: a request is identified by :func:`rpc_call`, the call it makes (endpoint,
  service, database, model, method, arguments, keyword arguments) parsed from JSON-RPC, XML-RPC, the web
  session's ``call_kw`` and JSON-2 -- never by the raw body, the JSON-RPC id, the host or a secret;
- the **format**: vcrpy's YAML cassette (version 1), multi-line strings (XML-RPC bodies, tracebacks) as YAML
  block literals, the connection (url, database, login; never a secret) in its ``metadata``; a path ending in
  ``.gz`` is gzip-compressed.

vcrpy (and PyYAML) are imported when a cassette is used, never by the pytest plugin alone.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "RECORD_MODES",
    "SCRUBBED",
    "ZenooCassette",
    "rpc_call",
    "scrub_request",
    "scrub_response",
    "use_cassette",
]

#: what every secret is replaced with in a cassette (a non-empty string: the clients accept it as a password)
SCRUBBED = "<scrubbed>"
#: vcrpy's record modes: ``none`` replays only (a call not in the cassette fails), ``once`` records a
#: cassette that does not exist yet and replays one that does, ``new_episodes`` replays what is recorded and
#: records the rest, ``all`` records everything again
RECORD_MODES = ("none", "once", "new_episodes", "all")

#: keys whose values are secrets wherever they appear (JSON objects, forms, query strings), compared lowercased
SECRET_KEYS = frozenset(
    {
        "password",
        "new_password",
        "old_password",
        "confirm_password",
        "master_pwd",
        "admin_password",
        "api_key",
        "apikey",
        "csrf_token",
        "session_id",
        "session_token",
        "access_token",
        "refresh_token",
        "totp_token",
    }
)
#: request headers sent in full as credentials
_SECRET_HEADERS = ("x-openerp-session-id", "x-csrf-token", "x-csrftoken", "api-key", "x-api-key")
#: request headers that carry ``scheme credentials``: the scheme is kept
_AUTH_HEADERS = ("authorization", "proxy-authorization")
#: ``db`` service methods without the master password as first argument (Odoo's ``db`` dispatch)
_DB_PUBLIC = frozenset({"db_exist", "list", "list_lang", "list_countries", "server_version"})

_COOKIE_PAIR = re.compile(r"(?P<name>[^=;,\s]+)=(?P<value>[^;]*)")


# -- scrubbing -----------------------------------------------------------------------------------------------
def _scrub_tree(value: Any) -> Any:
    """A copy of a JSON value with every secret-looking key's value replaced."""
    if isinstance(value, dict):
        return {
            k: (SCRUBBED if str(k).lower() in SECRET_KEYS and v not in (None, False, "") else _scrub_tree(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_tree(v) for v in value]
    return value


def _scrub_positions(args: list[Any], *positions: int) -> list[Any]:
    out = list(args)
    for i in positions:
        if i < len(out) and out[i] not in (None, False, ""):
            out[i] = SCRUBBED
    return out


def _scrub_service_args(service: str, method: str, args: Any) -> Any:
    """The arguments of an RPC service call with the secrets Odoo's dispatchers read positionally replaced."""
    if not isinstance(args, list):
        return args
    # object: execute_kw(db, uid, password, ...), execute(...); common: login/authenticate(db, login, password)
    if service == "object" or (service == "common" and method in ("login", "authenticate")):
        args = _scrub_positions(args, 2)
    elif service == "db" and method not in _DB_PUBLIC:
        args = _scrub_positions(args, 0)  # the master password
        if method == "change_admin_password":
            args = _scrub_positions(args, 1)
        elif method == "create_database":  # (master, name, demo, lang, user_password, login, ...)
            args = _scrub_positions(args, 4)
    return _scrub_tree(args)


def _scrub_cookie(value: str, *, response: bool) -> str:
    """Every cookie value replaced (a ``Set-Cookie`` keeps its attributes, which come after the first ``;``)."""
    if response:
        first, sep, attributes = value.partition(";")
        return _COOKIE_PAIR.sub(lambda m: f"{m['name']}={SCRUBBED}", first, count=1) + sep + attributes
    return _COOKIE_PAIR.sub(lambda m: f"{m['name']}={SCRUBBED}", value)


def _scrub_auth(value: str) -> str:
    scheme, sep, _ = value.strip().partition(" ")
    return f"{scheme} {SCRUBBED}" if sep else SCRUBBED


def _map_header_values(value: Any, fn: Any) -> Any:
    if isinstance(value, list):
        return [fn(str(v)) for v in value]
    return fn(str(value))


def _path_kind(path: str) -> tuple[str, str]:
    """(endpoint, service) of a request path."""
    if path.rstrip("/") == "/jsonrpc":
        return "jsonrpc", ""
    xml = re.fullmatch(r"/xmlrpc(?:/2)?/(\w+)/?", path)
    if xml:
        return "xmlrpc", xml.group(1)
    if path.startswith("/json/2/"):
        return "json2", ""
    if path.startswith("/web/dataset/call_kw") or path.startswith("/web/dataset/call_button"):
        return "call_kw", ""
    return "web", ""


def _as_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if hasattr(body, "read"):  # vcrpy keeps a file-like body as such
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    if isinstance(body, Iterable):
        return b"".join(b if isinstance(b, bytes) else str(b).encode() for b in body)
    return str(body).encode("utf-8")


def _json(body: bytes | None) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _xmlrpc(body: bytes | None) -> tuple[list[Any], str] | None:
    if not body:
        return None
    from .._core import xmlrpc_codec

    try:
        params, method = xmlrpc_codec.loads(body)
    except Exception:  # not a method call: left as it is
        return None
    return list(params), method or ""


def _scrub_body(path: str, content_type: str, body: bytes | None) -> bytes | None:
    kind, service = _path_kind(path)
    if body is None:
        return None
    if kind == "xmlrpc":
        call = _xmlrpc(body)
        if call is None:
            return body
        from .._core import xmlrpc_codec

        params, method = call
        scrubbed = _scrub_service_args(service, method, params)
        return body if scrubbed == params else xmlrpc_codec.dumps_call(method, tuple(scrubbed))
    payload = _json(body)
    if payload is not None:
        scrubbed = _scrub_tree(payload)
        rpc = scrubbed.get("params") if isinstance(scrubbed, dict) else None
        if kind == "jsonrpc" and isinstance(rpc, dict) and "args" in rpc:
            rpc["args"] = _scrub_service_args(
                str(rpc.get("service", "")), str(rpc.get("method", "")), rpc["args"]
            )
        if scrubbed == payload:
            return body
        return json.dumps(scrubbed, ensure_ascii=False).encode("utf-8")
    if "x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return urlencode([(k, SCRUBBED if k.lower() in SECRET_KEYS and v else v) for k, v in pairs]).encode()
    return body


def _scrub_uri(uri: str) -> str:
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, SCRUBBED if k.lower() in SECRET_KEYS and v else v) for k, v in pairs])
    return urlunsplit(parts._replace(query=query))


def _replace_literals(data: bytes | None, secrets: tuple[str, ...]) -> bytes | None:
    if data is None:
        return None
    for secret in secrets:
        data = data.replace(secret.encode("utf-8"), SCRUBBED.encode())
    return data


def _header(headers: Any, name: str) -> str:
    value = headers.get(name) if headers is not None else None
    if value is None:
        for key in getattr(headers, "keys", lambda: [])():
            if str(key).lower() == name.lower():
                value = headers[key]
                break
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)


def scrub_request(request: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a vcrpy request with its secrets replaced (see the module's docstring); ``secrets`` are
    literal strings replaced wherever they appear too."""
    if getattr(request, "_zenoo_scrubbed", False):  # loaded from a cassette: scrubbed when it was saved
        return request
    literals = tuple(s for s in secrets if s)
    out = copy.copy(request)
    headers = dict(request.headers)
    for key in list(headers):
        low = str(key).lower()
        if low in _AUTH_HEADERS:
            headers[key] = _map_header_values(headers[key], _scrub_auth)
        elif low in _SECRET_HEADERS:
            headers[key] = _map_header_values(headers[key], lambda _v: SCRUBBED)
        elif low == "cookie":
            headers[key] = _map_header_values(headers[key], lambda v: _scrub_cookie(v, response=False))
        elif literals:
            headers[key] = _map_header_values(
                headers[key], lambda v: (_replace_literals(v.encode(), literals) or b"").decode()
            )
    out.headers = headers
    path = urlsplit(request.uri).path
    body = _scrub_body(path, _header(headers, "Content-Type").lower(), _as_bytes(request.body))
    out.body = _replace_literals(body, literals)
    if out.body != _as_bytes(request.body):
        for key in list(headers):
            if str(key).lower() == "content-length":
                headers[key] = _map_header_values(headers[key], lambda _v: str(len(out.body or b"")))
        out.headers = headers
    uri = _scrub_uri(request.uri)
    out.uri = (_replace_literals(uri.encode(), literals) or b"").decode() if literals else uri
    out._zenoo_scrubbed = True
    return out


def scrub_response(response: dict[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A vcrpy response (a dict) with its cookies and secret-looking JSON values replaced (in place)."""
    if isinstance(response, _Loaded):  # loaded from a cassette: scrubbed when it was saved
        return response
    literals = tuple(s for s in secrets if s)
    headers = response.get("headers") or {}
    for key in list(headers):
        if str(key).lower() == "set-cookie":
            headers[key] = _map_header_values(headers[key], lambda v: _scrub_cookie(v, response=True))
    body = response.get("body") or {}
    data = _as_bytes(body.get("string"))
    payload = _json(data)
    if payload is not None:
        scrubbed = _scrub_tree(payload)
        if scrubbed != payload:
            data = json.dumps(scrubbed, ensure_ascii=False).encode("utf-8")
            for key in list(headers):
                if str(key).lower() == "content-length":
                    headers[key] = [str(len(data))]
    if data is not None and literals:
        before = len(data)
        data = _replace_literals(data, literals)
        if data is not None and len(data) != before:
            for key in list(headers):
                if str(key).lower() == "content-length":
                    headers[key] = [str(len(data))]
    if "string" in body:
        body["string"] = data
    return response


# -- matching --------------------------------------------------------------------------------------------------
def rpc_call(request: Any) -> dict[str, Any]:
    """The RPC call a request makes, secrets scrubbed: what cassettes match on.

    ``{"endpoint", "http", "service", "db", "model", "method", "args", "kwargs"}``: ``endpoint`` is
    ``jsonrpc``, ``xmlrpc``, ``call_kw`` (the web session's ``/web/dataset/call_kw``), ``json2`` or ``web``
    (any other route, keyed by its path and JSON params); ``execute_kw``/``execute`` calls name their model and
    method, the database and uid stay in ``db``/``args``. The JSON-RPC id, the host and the secrets are left
    out; missing ``kwargs`` are ``{}`` (what Odoo reads them as)."""
    call: dict[str, Any] = json.loads(_key(request))
    return call


def _key(request: Any) -> str:
    """The request's call as canonical JSON; kept on a scrubbed request (a copy that nothing changes)."""
    cached = request.__dict__.get("_zenoo_key")
    if cached is not None:
        return str(cached)
    key = _call_key(
        str(request.method).upper(),
        request.uri,
        _as_bytes(request.body),
        _header(request.headers, "X-Odoo-Database"),
        _header(request.headers, "Content-Type").lower(),
    )
    if request.__dict__.get("_zenoo_scrubbed"):
        request._zenoo_key = key
    return key


@functools.lru_cache(maxsize=8192)
def _call_key(method: str, uri: str, body: bytes | None, db_header: str, content_type: str) -> str:
    """:func:`rpc_call` as canonical JSON (cached: a cassette compares each request to every stored one)."""
    path = urlsplit(uri).path
    kind, service = _path_kind(path)
    call: dict[str, Any] = {"endpoint": kind, "http": method}
    scrubbed = _scrub_body(path, content_type, body)
    if kind == "xmlrpc":
        parsed = _xmlrpc(scrubbed)
        params, name = parsed if parsed is not None else ([], "")
        call.update(_service_call(service, name, params))
        if parsed is None:
            call["body"] = (scrubbed or b"").decode("utf-8", "replace")
    elif kind == "jsonrpc":
        payload = _json(scrubbed)
        rpc = payload.get("params") if isinstance(payload, dict) else None
        if isinstance(rpc, dict):
            call.update(
                _service_call(str(rpc.get("service", "")), str(rpc.get("method", "")), rpc.get("args"))
            )
        else:
            call["body"] = payload if payload is not None else (scrubbed or b"").decode("utf-8", "replace")
    elif kind == "json2":
        _, _, rest = path.partition("/json/2/")
        model, _, name = rest.rstrip("/").rpartition("/")
        payload = _json(scrubbed)
        call.update(
            db=db_header,
            model=model,
            method=name,
            kwargs={} if payload is None else payload,
        )
        if payload is None and scrubbed:
            call["body"] = scrubbed.decode("utf-8", "replace")
    else:
        payload = _json(scrubbed)
        web = payload.get("params") if isinstance(payload, dict) and "jsonrpc" in payload else payload
        if kind == "call_kw" and isinstance(web, dict):
            call.update(
                model=web.get("model"),
                method=web.get("method"),
                args=web.get("args", []),
                kwargs=web.get("kwargs") or {},
            )
        else:
            call["path"] = path
            query = urlsplit(_scrub_uri(uri)).query
            if query:
                call["query"] = sorted(parse_qsl(query, keep_blank_values=True))
            if web is not None:
                call["params"] = web
            elif scrubbed:
                call["body"] = scrubbed.decode("utf-8", "replace")
    return json.dumps(call, sort_keys=True, default=str)


def _service_call(service: str, method: str, args: Any) -> dict[str, Any]:
    args = _scrub_service_args(service, method, args if isinstance(args, list) else [])
    if service == "object" and method in ("execute_kw", "execute") and len(args) >= 5:
        db, uid, _password, model, name, *rest = args
        if method == "execute_kw":  # execute_kw(db, uid, password, model, method, args, kwargs)
            positional = rest[0] if rest else []
            kwargs = rest[1] if len(rest) > 1 and rest[1] is not None else {}
        else:  # execute(db, uid, password, model, method, *args)
            positional, kwargs = rest, {}
        return {
            "service": service,
            "db": db,
            "uid": uid,
            "model": model,
            "method": name,
            "args": positional,
            "kwargs": kwargs,
        }
    return {"service": service, "method": method, "args": args}


_TARGET = ("endpoint", "http", "service", "db", "model", "method", "path")


@functools.lru_cache(maxsize=16384)
def _parsed(key: str) -> dict[str, Any]:
    """A key as a dict (shared: never changed)."""
    call: dict[str, Any] = json.loads(key)
    return call


def _match_target(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same endpoint, service, database, model and method."""
    k1, k2 = _key(r1), _key(r2)
    if k1 == k2:
        return
    a, b = _parsed(k1), _parsed(k2)
    differing = [k for k in _TARGET if a.get(k) != b.get(k)]
    if differing:
        raise AssertionError("; ".join(f"{k}: {a.get(k)!r} != {b.get(k)!r}" for k in differing))


def _match_arguments(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same arguments (an AssertionError says which differ)."""
    k1, k2 = _key(r1), _key(r2)
    if k1 == k2:
        return
    a, b = _parsed(k1), _parsed(k2)
    differing = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k) and k not in _TARGET)
    if differing:
        details = "; ".join(f"{k}: {a.get(k)!r:.300} != {b.get(k)!r:.300}" for k in differing)
        raise AssertionError(f"the same method with other arguments ({details})")


class _Loaded(dict):  # type: ignore[type-arg]
    """A response read from a cassette (vcrpy copies it before each use; the copy is a ``_Loaded`` too)."""


# -- format ----------------------------------------------------------------------------------------------------
class _Persister:
    """vcrpy's file persister, gzip for a path ending in ``.gz``; a file read once per process (by mtime)."""

    _loaded: dict[tuple[str, int, int], tuple[Any, ...]] = {}

    @classmethod
    def load_cassette(cls, cassette_path: Any, serializer: Any) -> tuple[Any, ...]:
        from vcr.persisters.filesystem import CassetteNotFoundError
        from vcr.serialize import deserialize

        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key not in cls._loaded:
            raw = path.read_bytes()
            text = (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")
            if not text.strip():
                raise CassetteNotFoundError()
            requests, responses, *metadata = deserialize(text, serializer)
            for request in requests:
                request._zenoo_scrubbed = True
            cls._loaded[key] = (requests, [_Loaded(r) for r in responses], *metadata)
        requests, responses, *metadata = cls._loaded[key]
        # vcrpy copies each response as it loads it and never changes a stored request
        return (list(requests), list(responses), *copy.deepcopy(metadata))

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        from vcr.serialize import serialize

        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        responses = [dict(r) if isinstance(r, _Loaded) else r for r in cassette_dict["responses"]]
        data = serialize({**cassette_dict, "responses": responses}, serializer).encode("utf-8")
        path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)


class _Serializer:
    """vcrpy's YAML (its safe loader reads it back), with multi-line strings as block literals."""

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        import yaml
        from vcr.serializers import yamlserializer

        class Dumper(yamlserializer._CassetteDumper):  # type: ignore[misc]
            pass

        def text(dumper: Any, value: str) -> Any:
            style = "|" if "\n" in value else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

        Dumper.add_representer(str, text)
        return str(yaml.dump(cassette_dict, Dumper=Dumper, allow_unicode=True, width=120))

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        from vcr.serializers import yamlserializer

        return yamlserializer.deserialize(cassette_string)


_SEND_LOCK = threading.RLock()


@contextmanager
def _one_request_at_a_time() -> Iterator[None]:
    """The sync face's requests one at a time while a cassette is in use: vcrpy takes its patches off the
    whole process while it opens or sends a real connection, and a request of another thread (the sync face
    runs parallel calls in threads) would then go out unrecorded, or reach the network on a replay."""
    try:
        import requests.adapters
    except ImportError:  # no sync face to guard
        yield
        return
    adapter = requests.adapters.HTTPAdapter
    original = adapter.send

    def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _SEND_LOCK:
            return original(self, *args, **kwargs)

    adapter.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        adapter.send = original  # type: ignore[method-assign]


# -- using a cassette ------------------------------------------------------------------------------------------
class ZenooCassette:
    """A cassette in use: where it is, whether it records, and the Odoo to talk to.

    When recording, ``url``/``db``/``user``/``password``/``api_key`` are the ones given; when replaying,
    ``url``, ``db`` and ``user`` are those the cassette was recorded with (its metadata) unless given, and
    ``password``/``api_key`` are :data:`SCRUBBED` (any secret works: secrets are not matched)."""

    def __init__(self, cassette: Any, url: str, db: str, user: str, password: str, api_key: str) -> None:
        self.cassette = cassette
        self.url, self.db, self.user = url, db, user
        self.password, self.api_key = password, api_key

    @property
    def path(self) -> Path:
        """The cassette's file."""
        return Path(self.cassette._path)

    @property
    def recording(self) -> bool:
        """True when a call that the cassette has no answer for goes to Odoo (and is recorded)."""
        return not self.cassette.write_protected

    @property
    def play_count(self) -> int:
        """How many recorded answers were replayed."""
        return int(self.cassette.play_count)

    @property
    def all_played(self) -> bool:
        """Whether every recorded answer was replayed (a test that made fewer calls than recorded: False)."""
        return bool(self.cassette.all_played)

    def __repr__(self) -> str:
        mode = "recording" if self.recording else "replaying"
        return f"<ZenooCassette {mode} {self.path.name}: {self.url} db={self.db!r} user={self.user!r}>"


@contextmanager
def use_cassette(
    path: str | os.PathLike[str],
    *,
    record_mode: str = "none",
    url: str | None = None,
    db: str | None = None,
    user: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    secrets: Iterable[str] = (),
    allow_playback_repeats: bool = False,
    **vcr_options: Any,
) -> Iterator[ZenooCassette]:
    """Record (or replay) the HTTP traffic of the block into the cassette at ``path``.

    ``record_mode`` is one of :data:`RECORD_MODES` (``"none"``: replay only). ``url``, ``db`` and ``user`` are
    kept in the cassette for its replays; ``password`` wherever Odoo reads one, ``api_key`` and ``secrets``
    wherever they appear are scrubbed; ``vcr_options`` go to vcrpy's ``use_cassette``
    (``before_record_request``/``before_record_response`` run after the scrubbing).
    """
    import vcr

    if record_mode not in RECORD_MODES:
        raise ValueError(f"record_mode {record_mode!r}: use one of {', '.join(RECORD_MODES)}")
    # a password is scrubbed where Odoo reads it, not as text: a short one ("admin") is also a login and a word
    literals = tuple(s for s in (*secrets, api_key) if s and s != SCRUBBED)
    user_request = vcr_options.pop("before_record_request", None)
    user_response = vcr_options.pop("before_record_response", None)

    def on_request(request: Any) -> Any:
        request = scrub_request(request, literals)
        return user_request(request) if user_request is not None else request

    def on_response(response: dict[str, Any]) -> Any:
        response = scrub_response(response, literals)
        return user_response(response) if user_response is not None else response

    recorder = vcr.VCR(
        record_mode=record_mode,
        match_on=("zenoo_rpc_target", "zenoo_rpc_arguments"),
        serializer="zenoo_yaml",
        decode_compressed_response=True,
    )
    recorder.register_matcher("zenoo_rpc_target", _match_target)
    recorder.register_matcher("zenoo_rpc_arguments", _match_arguments)
    recorder.register_serializer("zenoo_yaml", _Serializer)
    recorder.register_persister(_Persister)
    with (
        _one_request_at_a_time(),
        recorder.use_cassette(
            os.fspath(path),
            before_record_request=on_request,
            before_record_response=on_response,
            allow_playback_repeats=allow_playback_repeats,
            **vcr_options,
        ) as cassette,
    ):
        given = {k: v for k, v in (("url", url), ("db", db), ("user", user)) if v}
        metadata = getattr(cassette, "_metadata", None)  # vcrpy 8+ keeps metadata in the cassette
        stored: Mapping[str, Any] = (metadata or {}).get("zenoo") or {}
        if (
            metadata is not None
            and not cassette.write_protected
            and given
            and dict(stored) != {**stored, **given}
        ):
            metadata["zenoo"] = {**stored, **given}
            cassette.dirty = True
        conn = {**stored, **given}
        recording = not cassette.write_protected
        yield ZenooCassette(
            cassette,
            str(conn.get("url") or "http://localhost:8069"),
            str(conn.get("db") or ""),
            str(conn.get("user") or ""),
            (password or SCRUBBED) if recording else SCRUBBED,
            (api_key or SCRUBBED) if recording else SCRUBBED,
        )
