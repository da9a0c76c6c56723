"""One error class per condition, on every protocol and version.

``TABLE`` is the condition x protocol x version table: each condition names the class it raises everywhere and
the protocols it exists on; ``RECORDED`` puts every error answer recorded from real Odoo 17/18/19 (errors.json,
the read and write corpora) under its condition. The tests check that

- every recorded error answer is in the table (a new recording must be classified);
- decoding each recorded answer gives exactly the table's class, with the model, method and field named;
- a condition decodes to one class whatever the protocol and version that answered it;
- every cell of the table (condition x protocol x version), recorded or not, gives that class through the
  emulator on both faces, the emulator answering as Odoo's source does where nothing was recorded.
"""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import requests
from conformance import load_cases

from zenoo_rpc import exceptions as exc
from zenoo_rpc._core import flows
from zenoo_rpc._core.error_map import ErrorContext
from zenoo_rpc._core.protocols import (
    Credentials,
    Json2Protocol,
    JsonRpcProtocol,
    SessionProtocol,
    XmlRpcProtocol,
)
from zenoo_rpc._core.wire import RawResponse
from zenoo_rpc.testing import DEFAULT_API_KEY, OdooEmulator

VERSIONS = ("17.0", "18.0", "19.0")
FILES = ("errors.json", "corpus/read.json", "corpus/write.json", "json2_examples.json")
PASSWORDS = {"admin": "admin", "demo": "demo"}


def _protocols(version: str) -> tuple[str, ...]:
    return ("jsonrpc", "xmlrpc", "session", "json2") if version >= "19" else ("jsonrpc", "xmlrpc", "session")


@attrs.define
class Cell:
    """One cell of the table, run for real: a client of the test's face on ``protocol`` against ``odoo``."""

    odoo: OdooEmulator
    protocol: str
    make: Callable[..., Any]

    def client(self) -> Any:
        return self.make(self.odoo.url, protocol=self.protocol)

    def connect(self, user: str = "admin") -> Any:
        c = self.client()
        if self.protocol == "json2":
            key = DEFAULT_API_KEY if user == "admin" else self.odoo.add_api_key(user)
            c.login_with_api_key("demo", user, key)
        else:
            c.login("demo", user, PASSWORDS[user])
        return c

    def service(self, service: str, method: str, args: list[Any]) -> Any:
        c = self.client()
        return c.resolve(c.raw._run(flows.service(c.raw._conn, service, method, args)))


Scenario = Callable[[Cell], Any]


def _call(model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Scenario:
    return lambda cell: cell.connect().execute_kw(model, method, args, kwargs or {})


def _unlink_confirmed_order(cell: Cell) -> Any:
    c = cell.connect()
    order = c.execute_kw("sale.order", "search", [[["state", "=", "sale"]]], {"limit": 1})
    return c.execute_kw("sale.order", "unlink", [order])


def _revoked_key(cell: Cell) -> Any:
    c = cell.client()
    c.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    cell.odoo.revoke_api_key("admin")
    return c.execute_kw("res.partner", "search_count", [[]])


def _password_changed(cell: Cell) -> Any:
    c = cell.connect()
    cell.odoo.set_password("admin", "changed elsewhere")
    return c.execute_kw("res.partner", "search_count", [[]])


def _unknown_database(cell: Cell) -> Any:
    c = cell.client()
    if cell.protocol == "json2":
        return c.login_with_api_key("nodb", "admin", DEFAULT_API_KEY)
    return c.login("nodb", "admin", "admin")


@attrs.frozen
class Condition:
    cls: type[exc.OdooError]
    #: the protocols the condition can happen on (the others have no such thing: say why in ``note``)
    protocols: frozenset[str]
    #: how to make it happen through a client; None when only a hand-made request can (see ``note``)
    scenario: Scenario | None = None
    #: the attributes set from the call: "model", "method"
    names_call: tuple[str, ...] = ()
    field: str | None = None
    #: attribute values the error of the scenario has
    expect: dict[str, str] = attrs.field(factory=dict)
    #: versions the condition exists on
    since: str = "17.0"
    note: str = ""


ALL = frozenset({"jsonrpc", "xmlrpc", "session", "json2"})
RPC = frozenset({"jsonrpc", "xmlrpc"})

TABLE: dict[str, Condition] = {
    "password refused at login": Condition(
        exc.AuthenticationError,
        RPC | {"session"},
        lambda cell: cell.client().login("demo", "admin", "wrong"),
        note="JSON-2 takes API keys only",
    ),
    "password refused on a call": Condition(
        exc.AuthenticationError,
        RPC | {"session"},
        _password_changed,
        note="the web session ends when the password changes; renewing it is refused",
    ),
    "API key refused": Condition(
        exc.APIKeyRejectedError,
        RPC | {"json2"},
        lambda cell: cell.client().login_with_api_key("demo", "admin", "not-the-key"),
        note="the web session never takes API keys: ClientError before sending",
    ),
    "API key revoked after login": Condition(
        exc.APIKeyRejectedError, RPC | {"json2"}, _revoked_key, note="the web session never takes API keys"
    ),
    "no API key sent": Condition(
        exc.AuthenticationError,
        frozenset({"json2"}),
        note="the client always sends the key (an empty one is refused before sending)",
    ),
    "session expired": Condition(
        exc.SessionExpiredError,
        frozenset({"session"}),
        note="the client renews an expired session once (tests/test_client.py); see 'password refused on a call'",
    ),
    "unknown database": Condition(exc.DatabaseError, ALL, _unknown_database),
    "unknown model": Condition(
        exc.UnknownModelError,
        ALL,
        _call("no.such.model", "search_read", [[]]),
        ("model", "method"),
        expect={"model": "no.such.model", "method": "search_read"},
    ),
    "unknown method": Condition(
        exc.UnknownMethodError,
        ALL,
        _call("res.partner", "no_such_method", [[1]]),
        ("model", "method"),
        expect={"model": "res.partner", "method": "no_such_method"},
    ),
    "private method": Condition(
        exc.AccessError, ALL, _call("res.partner", "_compute_display_name", [[1]]), ("model", "method")
    ),
    "access rights": Condition(
        exc.AccessError,
        ALL,
        lambda cell: cell.connect("demo").execute_kw("res.company", "write", [[1], {"name": "x"}]),
        ("model", "method"),
        expect={"model": "res.company", "method": "write"},
    ),
    "invalid field": Condition(
        exc.InvalidFieldError,
        ALL,
        _call("res.partner", "create", [{"name": "x", "no_such_field": 1}]),
        ("model", "method"),
        field="no_such_field",
        expect={"model": "res.partner", "method": "create"},
    ),
    "invalid field in a domain": Condition(
        exc.InvalidFieldError,
        ALL,
        _call("res.partner", "search", [[["no_such_field", "=", 1]]]),
        ("model", "method"),
        field="no_such_field",
        expect={"model": "res.partner", "method": "search"},
    ),
    "missing record": Condition(
        exc.MissingRecordError,
        ALL,
        _call("res.partner", "write", [[99999999], {"name": "x"}]),
        ("model", "method"),
        expect={"model": "res.partner", "method": "write"},
    ),
    "constraint violated": Condition(
        exc.ValidationError,
        ALL,
        _call("res.partner", "create", [{"email": "noname@example.com"}]),
        ("model", "method"),
    ),
    "business rule refused": Condition(exc.UserError, ALL, _unlink_confirmed_order, ("model", "method")),
    "recursion": Condition(
        exc.UserError,
        ALL,
        _call("res.partner.category", "write", [[1], {"parent_id": 1}]),
        ("model", "method"),
        note="Odoo raises a plain UserError here, not a ValidationError",
    ),
    "language not installed": Condition(
        exc.UserError,
        ALL,
        lambda cell: (
            cell.connect()
            .with_context(lang="fr_FR")
            .execute_kw("res.partner", "search_read", [[]], {"limit": 1})
        ),
        ("model", "method"),
        since="18.0",
    ),
    "bad arguments": Condition(
        exc.InvalidArgumentsError,
        ALL,
        _call("res.partner", "search_count", [[]], {"bogus_kw": 1}),
        ("model", "method"),
    ),
    "malformed domain": Condition(
        exc.InvalidArgumentsError, ALL, _call("res.partner", "search", [["bogus"]]), ("model", "method")
    ),
    "bad value": Condition(
        exc.InvalidArgumentsError,
        ALL,
        _call("res.partner", "create", [{"name": "Bad Type", "type": "no_such_type"}]),
        ("model", "method"),
    ),
    "unknown service": Condition(
        exc.UnknownMethodError,
        RPC,
        lambda cell: cell.service("nosuchservice", "nosuchmethod", []),
        ("method",),
        note="only the RPC endpoints have services",
    ),
    "unknown service method": Condition(
        exc.UnknownMethodError,
        RPC,
        lambda cell: cell.service("common", "nosuchmethod", []),
        ("method",),
        note="only the RPC endpoints have services",
    ),
    "master password refused": Condition(
        exc.AuthenticationError,
        RPC,
        lambda cell: cell.service("db", "drop", ["wrong-master", "nope"]),
        note="only the RPC endpoints have the db service",
    ),
    "malformed request": Condition(
        exc.InvalidArgumentsError,
        frozenset({"jsonrpc", "json2"}),
        note="the client never sends a malformed body or the wrong JSON type",
    ),
    "no such route": Condition(
        exc.UnknownMethodError,
        frozenset({"json2"}),
        note="JSON-2's answer to a GET or to /json/2 alone; the client always POSTs to /json/2/<model>/<method>",
    ),
}

#: every recorded error answer, by (file, label), under its condition; the labels are the same on 17/18/19
RECORDED: dict[tuple[str, str], str] = {
    ("errors.json", "common.login bad password (returns false, no error)"): "password refused at login",
    ("errors.json", "common.authenticate bad password"): "password refused at login",
    ("errors.json", "/web/session/authenticate bad password"): "password refused at login",
    ("errors.json", "execute_kw bad password -> AccessDenied"): "password refused on a call",
    ("errors.json", "xmlrpc bad password"): "password refused on a call",
    ("errors.json", "bad API key"): "API key refused",
    ("errors.json", "no Authorization header"): "no API key sent",
    ("corpus/read.json", "json2: res.partner search_count: Authorization without bearer scheme"): (
        "no API key sent"
    ),
    ("errors.json", "/web/dataset/call_kw without session -> SessionExpired"): "session expired",
    ("errors.json", "login on non-existent / filtered database"): "unknown database",
    ("corpus/read.json", "json2: res.partner search_count: unknown database header"): "unknown database",
    ("errors.json", "execute_kw unknown model"): "unknown model",
    ("errors.json", "xmlrpc unknown model"): "unknown model",
    ("errors.json", "unknown model"): "unknown model",
    ("errors.json", "execute_kw unknown method"): "unknown method",
    ("errors.json", "xmlrpc unknown method"): "unknown method",
    ("errors.json", "/web/dataset/call_kw unknown method (with session)"): "unknown method",
    ("errors.json", "unknown method"): "unknown method",
    ("corpus/read.json", "res.partner has_access on records (18+)"): "unknown method",
    ("corpus/read.json", "sale.order formatted_read_group: by state (19+)"): "unknown method",
    ("corpus/read.json", "sale.order formatted_read_group: by partner_id and date_order:month (19+)"): (
        "unknown method"
    ),
    ("corpus/read.json", "sale.order formatted_read_group: order, limit, offset (19+)"): "unknown method",
    ("corpus/read.json", "res.partner name_get (removed in 18)"): "unknown method",
    ("corpus/read.json", "json2: res.partner name_get: removed method"): "unknown method",
    ("errors.json", "execute_kw private method"): "private method",
    ("errors.json", "private method"): "private method",
    ("corpus/read.json", "res.partner exists"): "private method",
    ("corpus/read.json", "res.partner search_fetch"): "private method",
    ("corpus/read.json", "json2: res.partner exists: private method"): "private method",
    ("errors.json", "demo user writes res.company -> AccessError"): "access rights",
    ("errors.json", "demo user reads ir.config_parameter -> AccessError"): "access rights",
    ("corpus/read.json", "res.company check_access_rights write as demo, raise"): "access rights",
    ("errors.json", "create res.partner with invalid field"): "invalid field",
    ("errors.json", "/web/dataset/call_kw create invalid field (with session)"): "invalid field",
    ("errors.json", "create with invalid field"): "invalid field",
    ("corpus/write.json", "create res.partner with an unknown field"): "invalid field",
    ("corpus/read.json", "res.partner search_read: unknown field in fields list"): "invalid field",
    ("corpus/read.json", "json2: res.partner search: invalid order"): "invalid field",
    ("errors.json", "search with invalid domain field"): "invalid field in a domain",
    ("errors.json", "invalid domain field"): "invalid field in a domain",
    ("corpus/read.json", "xmlrpc: fault for unknown field in domain"): "invalid field in a domain",
    ("corpus/read.json", "web: call_kw unknown field in domain"): "invalid field in a domain",
    (
        "corpus/read.json",
        "json2: res.partner search_read: unknown field in domain",
    ): "invalid field in a domain",
    ("errors.json", "write missing record id -> MissingError"): "missing record",
    ("errors.json", "/web/dataset/call_kw write missing id (with session)"): "missing record",
    ("errors.json", "write missing record"): "missing record",
    ("corpus/write.json", "write an unlinked id (MissingError)"): "missing record",
    ("errors.json", "create partner without name -> IntegrityError/ValidationError"): "constraint violated",
    ("errors.json", "create partner without name"): "constraint violated",
    ("corpus/write.json", "create crm.lead without the required name"): "constraint violated",
    ("corpus/write.json", "create res.partner with a nonexistent many2one id"): "constraint violated",
    ("corpus/write.json", "create res.partner.category without name"): "constraint violated",
    ("errors.json", "unlink confirmed sale.order -> UserError"): "business rule refused",
    ("corpus/write.json", "unlink the confirmed order (UserError)"): "business rule refused",
    ("errors.json", "recursive res.partner.category parent -> ValidationError"): "recursion",
    ("errors.json", "recursive category -> ValidationError"): "recursion",
    (
        "corpus/read.json",
        "res.partner search_read: context lang fr_FR (not installed)",
    ): "language not installed",
    ("corpus/read.json", "json2: res.partner search_read: context lang fr_FR (not installed)"): (
        "language not installed"
    ),
    ("errors.json", "wrong arg count"): "bad arguments",
    ("errors.json", "model method called with ids"): "bad arguments",
    ("errors.json", "unexpected keyword argument"): "bad arguments",
    ("corpus/read.json", "res.partner search: count=True (removed argument)"): "bad arguments",
    ("corpus/read.json", "res.partner name_search: kwarg domain="): "bad arguments",
    ("corpus/read.json", "res.partner name_search: kwarg args="): "bad arguments",
    ("corpus/read.json", "json2: res.partner search_read: positional args key"): "bad arguments",
    ("errors.json", "search with malformed domain"): "malformed domain",
    ("corpus/write.json", "create res.partner with an invalid selection value"): "bad value",
    ("corpus/write.json", "write a string into an integer field"): "bad value",
    ("errors.json", "unknown service"): "unknown service",
    ("errors.json", "unknown common method"): "unknown service method",
    ("errors.json", "db.drop wrong master password"): "master password refused",
    ("errors.json", "malformed JSON body"): "malformed request",
    ("errors.json", "json2 malformed JSON body"): "malformed request",
    ("errors.json", "json2 GET /json/2 (no model/method)"): "no such route",
    ("corpus/read.json", "json2: res.partner search_count: GET instead of POST"): "no such route",
    ("corpus/read.json", "json2: res.partner search_count: body is a JSON array"): "malformed request",
}


# -- the recorded answers ------------------------------------------------------------------------------------
def _is_error(case: dict[str, Any]) -> bool:
    body, status = case["response"]["body"], case["response"]["status"]
    path = case["request"]["path"]
    if isinstance(body, dict):
        return "error" in body or (path.startswith("/json/2") and status != 200)
    if isinstance(body, str):
        return "<fault>" in body or status >= 400
    return False


def _is_refused_login(case: dict[str, Any]) -> bool:
    body = case["request"].get("body")
    params = body.get("params", {}) if isinstance(body, dict) else {}
    return (
        params.get("method") in ("login", "authenticate") and case["response"]["body"].get("result") is False
    )


def _recorded() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for version in VERSIONS:
        for name in FILES:
            for case in load_cases(version, name):
                if _is_error(case) or (case["request"]["path"] == "/jsonrpc" and _is_refused_login(case)):
                    out.append((version, name, case))
    return out


RECORDED_CASES = _recorded()
needs_recordings = pytest.mark.skipif(not RECORDED_CASES, reason="the recorded Odoo material is not here")


def _protocol_of(path: str) -> str:
    if path.startswith("/xmlrpc"):
        return "xmlrpc"
    if path.startswith("/json/2"):
        return "json2"
    if path.startswith("/web/"):
        return "session"
    return "jsonrpc"


def _request_context(case: dict[str, Any]) -> tuple[ErrorContext, bool]:
    """What the client would know about the recorded call, and whether it was a login."""
    req = case["request"]
    path, body = req["path"], req.get("body")
    headers = req.get("headers") or {}
    if path.startswith("/json/2"):
        parts = path.split("/")
        model, method = (parts[3], parts[4]) if len(parts) > 4 else (None, None)
        db = headers.get("X-Odoo-Database", "demo")
        return ErrorContext(model=model, method=method, db=db, login="admin", api_key=True), False
    if path.startswith("/web/session/authenticate"):
        params = body["params"]
        return ErrorContext(method="login", db=params["db"], login=params["login"]), True
    if path.startswith("/web/dataset/call_kw"):
        params = body["params"]
        return ErrorContext(model=params["model"], method=params["method"], db="demo", login="admin"), False
    if path.startswith("/xmlrpc"):
        args, service_method = xmlrpc.client.loads(body.encode())
        service = path.rsplit("/", 1)[-1]
    else:
        params = body["params"] if isinstance(body, dict) else {}
        args, service_method, service = params.get("args", []), params.get("method"), params.get("service")
    if service == "object":
        return ErrorContext(model=args[3], method=args[4], db=args[0], login="admin"), False
    if service == "common" and service_method in ("login", "authenticate"):
        return ErrorContext(method="login", db=args[0], login=args[1]), True
    return ErrorContext(service=service, method=service_method), False


def _decode(case: dict[str, Any]) -> exc.ZenooError:
    """The exception the client raises for the recorded answer."""
    resp = case["response"]
    body = resp["body"]
    text = body if isinstance(body, str) else json.dumps(body)
    cookies = tuple((resp.get("headers") or {}).get("Set-Cookie") or ())
    raw = RawResponse(resp["status"], {}, text.encode(), cookies)
    ctx, is_login = _request_context(case)
    proto: Any = {
        "jsonrpc": JsonRpcProtocol,
        "xmlrpc": XmlRpcProtocol,
        "session": SessionProtocol,
        "json2": Json2Protocol,
    }[_protocol_of(case["request"]["path"])]()
    with pytest.raises(exc.ZenooError) as info:
        if is_login:
            proto.decode_login(raw, Credentials(ctx.db or "", ctx.login or "", "secret"))
        else:
            proto.decode_call(raw, ctx)
    return info.value


@needs_recordings
def test_every_recorded_error_is_in_the_table() -> None:
    missing = sorted({(name, case["label"]) for _, name, case in RECORDED_CASES} - set(RECORDED))
    assert not missing, f"classify these recorded answers in RECORDED: {missing}"
    assert set(RECORDED.values()) <= set(TABLE)


@pytest.mark.parametrize(
    ("version", "name", "case"),
    [pytest.param(v, n, c, id=f"{v}:{n}:{c['label']}") for v, n, c in RECORDED_CASES],
)
def test_recorded_answer_raises_the_table_class(version: str, name: str, case: dict[str, Any]) -> None:
    condition = TABLE[RECORDED[(name, case["label"])]]
    assert _protocol_of(case["request"]["path"]) in condition.protocols
    err = _decode(case)
    assert type(err) is condition.cls, (type(err), str(err))
    assert isinstance(err, exc.OdooError)
    ctx, _ = _request_context(case)
    for attribute in condition.names_call:
        assert getattr(err, attribute) == getattr(ctx, attribute), attribute
    if condition.field:
        assert err.field == condition.field
    data = _odoo_error_data(case)
    if data is not None:  # an Odoo error body: Odoo's own words are kept
        assert err.odoo_message == data["message"] or err.odoo_message in data["message"]
    assert "Traceback" not in str(err)


def _odoo_error_data(case: dict[str, Any]) -> dict[str, Any] | None:
    body = case["response"]["body"]
    if isinstance(body, dict) and "error" in body:
        data: dict[str, Any] = body["error"]["data"]
        return data
    if isinstance(body, dict) and "name" in body:
        return body
    return None


@needs_recordings
def test_a_condition_raises_one_class_on_every_protocol_and_version() -> None:
    by_condition: dict[str, set[tuple[str, str, type]]] = {}
    for version, name, case in RECORDED_CASES:
        cell = (version, _protocol_of(case["request"]["path"]), type(_decode(case)))
        by_condition.setdefault(RECORDED[(name, case["label"])], set()).add(cell)
    for condition, cells in by_condition.items():
        classes = {cls for _, _, cls in cells}
        assert classes == {TABLE[condition].cls}, (condition, sorted((v, p, c.__name__) for v, p, c in cells))


def test_xmlrpc_recovers_the_user_error_subclass_from_the_message() -> None:
    """Odoo sends MissingError, ValidationError... over XML-RPC as fault 2 with the message only: the class and
    Odoo's exception name come back as over JSON-RPC."""
    for message, cls, odoo_name in [
        (
            "Record does not exist or has been deleted.\n(Record: res.partner(99999999,), User: 2)",
            exc.MissingRecordError,
            "odoo.exceptions.MissingError",
        ),
        (
            "The operation cannot be completed: Contacts require a name",
            exc.ValidationError,
            "odoo.exceptions.ValidationError",
        ),
        ("Object no.such.model doesn't exist", exc.UnknownModelError, "odoo.exceptions.UserError"),
        ("Recursion Detected.", exc.UserError, "odoo.exceptions.UserError"),
    ]:
        fault = xmlrpc.client.dumps(xmlrpc.client.Fault(2, message), methodresponse=True)
        with pytest.raises(exc.OdooError) as info:
            XmlRpcProtocol().decode_call(
                RawResponse(200, {}, fault.encode()), ErrorContext(model="res.partner", method="write")
            )
        assert type(info.value) is cls and info.value.odoo_name == odoo_name and str(info.value) == message


def test_database_not_found_of_the_session_login_is_a_database_error() -> None:
    """With a db filter, Odoo's /web/session/authenticate refuses an unknown database as an AccessError."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": "odoo.exceptions.AccessError",
                "message": "Database not found.",
                "arguments": [],
            },
        },
    }
    with pytest.raises(exc.DatabaseError) as info:
        SessionProtocol().decode_login(
            RawResponse(200, {}, json.dumps(body).encode()), Credentials("nodb", "admin", "admin")
        )
    assert "'nodb'" in str(info.value) and info.value.odoo_message == "Database not found."


# -- every cell through the emulator, on both faces ------------------------------------------------------
def _cells() -> list[Any]:
    params = []
    for version in VERSIONS:
        for protocol in _protocols(version):
            for name, condition in TABLE.items():
                if (
                    condition.scenario is None
                    or protocol not in condition.protocols
                    or version < condition.since
                ):
                    continue
                params.append(pytest.param(version, protocol, name, id=f"{version}-{protocol}-{name}"))
    return params


@pytest.mark.filterwarnings("ignore::zenoo_rpc.exceptions.DeprecatedProtocolWarning")
@pytest.mark.parametrize(("version", "protocol", "name"), _cells())
def test_every_cell_raises_the_table_class(
    make_client: Any, emulators: dict[str, OdooEmulator], version: str, protocol: str, name: str
) -> None:
    condition = TABLE[name]
    assert condition.scenario is not None
    odoo = emulators[version]
    try:  # every scenario fails, and a failed call leaves no data behind: only credentials need restoring
        with pytest.raises(exc.OdooError) as info:
            condition.scenario(Cell(odoo, protocol, make_client))
    finally:
        odoo.reset_credentials()
    err = info.value
    assert type(err) is condition.cls, (type(err), str(err))
    for attribute, value in condition.expect.items():
        assert getattr(err, attribute) == value, attribute
    if condition.field:
        assert err.field == condition.field
    assert "Traceback" not in str(err)


def test_every_condition_with_a_scenario_has_a_cell_on_every_protocol_it_exists_on() -> None:
    ids = {p.id for p in _cells()}
    for name, condition in TABLE.items():
        if condition.scenario is None:
            assert condition.note, name
            continue
        for version in VERSIONS:
            if version < condition.since:
                continue
            for protocol in sorted(condition.protocols & set(_protocols(version))):
                assert f"{version}-{protocol}-{name}" in ids
        missing = set(_protocols("19.0")) - condition.protocols
        assert not missing or condition.note, f"{name}: say why it cannot happen on {sorted(missing)}"


# -- answers the emulator gives where nothing was recorded, from Odoo's source -----------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_emulated_session_unknown_model_answers_as_odoo(
    emulators: dict[str, OdooEmulator], version: str
) -> None:
    """17: ``request.env[model]`` raises the registry's KeyError; 18+: the read-only check looks the model up
    first and raises werkzeug's NotFound, which the JSON-RPC dispatcher answers with code 404."""
    odoo = emulators[version]
    http = requests.Session()
    login = http.post(
        odoo.url + "/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"db": "demo", "login": "admin", "password": "admin"},
        },
    )
    assert login.ok
    answer = http.post(
        odoo.url + "/web/dataset/call_kw/no.such.model/search_read",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 2,
            "params": {"model": "no.such.model", "method": "search_read", "args": [[]], "kwargs": {}},
        },
    ).json()["error"]
    if version == "17.0":
        assert answer["code"] == 200
        assert (answer["data"]["name"], answer["data"]["message"]) == ("builtins.KeyError", "no.such.model")
    else:
        assert (answer["code"], answer["message"]) == (404, "404: Not Found")
        assert answer["data"]["name"] == "werkzeug.exceptions.NotFound"
    http.close()


def test_emulated_xmlrpc_missing_record_is_a_generic_warning(emulators: dict[str, OdooEmulator]) -> None:
    proxy = xmlrpc.client.ServerProxy(emulators["18.0"].url + "/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as info:
        proxy.execute_kw("demo", 2, "admin", "res.partner", "write", [[99999999], {"name": "x"}])
    assert info.value.faultCode == 2
    assert info.value.faultString.startswith("Record does not exist or has been deleted.")
