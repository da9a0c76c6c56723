"""Property-based: random calls built from the emulator's own schemas — domains, orders, limits, offsets, field
lists, methods and values of the wrong type — sent over a real socket on every protocol, always get a
well-formed answer within a bound: a result, or an Odoo-shaped error (a JSON-RPC error, an XML-RPC fault, a
JSON-2 error body); never a crash page, an empty body or a hang."""

from __future__ import annotations

import http.client
import json
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenoo_rpc.testing import DEFAULT_API_KEY, OdooEmulator

VERSIONS = ("17.0", "18.0", "19.0")
#: the bound on one answer (the emulator answers these in milliseconds; a hang fails the test)
ANSWER_BOUND_S = 20.0
#: models with fields of every kind, hierarchies and many2one cycles (uom.uom on 19), and one with no data
MODELS = (
    "res.partner",
    "res.partner.category",
    "product.product",
    "product.category",
    "sale.order",
    "sale.order.line",
    "crm.lead",
    "uom.uom",
    "res.users",
    "res.country",
    "ir.model",
)
OPERATORS = (
    "=", "!=", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike", "not ilike", "=like",
    "=ilike", "=?", "child_of", "parent_of", "any", "not any", "<>", "==", "bogus", "", "IN",
)  # fmt: skip
METHODS = (
    "search",
    "search_read",
    "search_count",
    "read",
    "read_group",
    "formatted_read_group",
    "name_search",
    "fields_get",
    "default_get",
    "name_create",
    "copy",
    "write",
    "create",
    "unlink",
    "action_archive",
    "action_unarchive",
    "exists",
    "web_search_read",
    "web_read",
    "check_access_rights",
    "has_access",
    "name_get",
    "no_such_method",
)

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["", "%", "a\\", "2026-01-01", "2026-13-45 25:00:00", "0", "-1", "Azure", "id desc"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, OdooEmulator]]:
    started = {v: OdooEmulator(v).start() for v in VERSIONS}
    yield started
    for server in started.values():
        server.stop()


def fields_of(server: OdooEmulator, model: str) -> list[str]:
    table = server.db.table(model)
    return sorted(table.fields) if table is not None else ["id"]


@st.composite
def field_name(draw: st.DrawFn, names: list[str]) -> str:
    return draw(
        st.one_of(
            st.sampled_from(names),
            st.sampled_from(
                ["id", "display_name", "no_such_field", "partner_id.name", "parent_id.parent_id"]
            ),
            st.builds(lambda a, b: f"{a}.{b}", st.sampled_from(names), st.sampled_from(names)),
            st.text(max_size=8),
        )
    )


@st.composite
def domain(draw: st.DrawFn, names: list[str]) -> Any:
    leaf = st.one_of(
        st.tuples(field_name(names), st.sampled_from(OPERATORS), JSON_VALUES).map(list),
        st.lists(JSON_SCALARS, max_size=4),  # a short or long leaf
        st.sampled_from(["&", "|", "!", "bogus"]),
        st.sampled_from([[1, "=", 1], [0, "=", 1]]),
    )
    return draw(
        st.one_of(
            st.lists(leaf, max_size=5),
            JSON_SCALARS,  # not a list at all
        )
    )


@st.composite
def order(draw: st.DrawFn, names: list[str]) -> Any:
    term = st.builds(
        lambda f, d, n: " ".join(x for x in (f, d, n) if x),
        field_name(names),
        st.sampled_from(["", "asc", "desc", "DESC", "up", "asc desc"]),
        st.sampled_from(["", "nulls first", "nulls last", "nulls"]),
    )
    return draw(
        st.one_of(
            st.lists(term, max_size=3).map(", ".join),
            st.sampled_from(["name;drop table res_partner", "id,", ",", "(id)", "id desc --", '"name"']),
            JSON_SCALARS,
        )
    )


@st.composite
def kwargs_for(draw: st.DrawFn, method: str, names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    optional = {
        "fields": st.one_of(st.lists(field_name(names), max_size=3), JSON_SCALARS),
        "limit": st.one_of(st.integers(-5, 50), JSON_SCALARS),
        "offset": st.one_of(st.integers(-5, 50), JSON_SCALARS),
        "order": order(names),
    }
    wanted = {
        "search": ["limit", "offset", "order"],
        "search_read": ["fields", "limit", "offset", "order"],
        "search_count": ["limit"],
        "read": ["fields"],
        "read_group": ["limit", "offset"],
        "formatted_read_group": ["limit", "offset", "order"],
        "web_search_read": ["limit", "offset", "order"],
    }.get(method, [])
    for key in wanted:
        if draw(st.booleans()):
            out[key] = draw(optional[key])
    if method in ("read_group",):
        out["groupby"] = draw(st.one_of(st.lists(field_name(names), max_size=2), JSON_SCALARS))
        out["fields"] = draw(st.lists(field_name(names), max_size=2))
        if draw(st.booleans()):
            out["orderby"] = draw(order(names))
    if method == "formatted_read_group":
        out["groupby"] = draw(st.lists(field_name(names), max_size=2))
        out["aggregates"] = draw(
            st.lists(st.sampled_from(["__count", *[f"{n}:sum" for n in names[:5]]]), max_size=2)
        )
    if method in ("web_search_read", "web_read"):
        out["specification"] = draw(
            st.dictionaries(field_name(names), st.one_of(st.just({}), JSON_VALUES), max_size=3)
        )
    if draw(st.integers(0, 4)) == 0:
        out["context"] = draw(
            st.fixed_dictionaries({}, optional={"active_test": st.booleans(), "bin_size": st.booleans(),
                                                "lang": st.sampled_from(["en_US", "fr_FR"])})
        )  # fmt: skip
    return out


@st.composite
def args_for(draw: st.DrawFn, method: str, names: list[str]) -> list[Any]:
    ids = st.one_of(st.lists(st.integers(-3, 80), max_size=4), st.integers(-3, 80), JSON_SCALARS)
    values = st.dictionaries(field_name(names), JSON_VALUES, max_size=3)
    if method in ("search", "search_read", "search_count"):
        return [draw(domain(names))]
    if method in ("read_group", "formatted_read_group", "web_search_read"):
        return [draw(domain(names))]
    if method == "name_search":
        return [draw(JSON_SCALARS)]
    if method in ("create",):
        return [draw(st.one_of(values, st.lists(values, max_size=2), JSON_SCALARS))]
    if method == "name_create":
        return [draw(JSON_SCALARS)]
    if method == "write":
        return [draw(ids), draw(st.one_of(values, JSON_SCALARS))]
    if method == "default_get":
        return [draw(st.lists(field_name(names), max_size=3))]
    if method in ("check_access_rights", "has_access"):
        return [draw(st.sampled_from(["read", "write", "create", "unlink", "bogus"]))]
    if method == "fields_get":
        return []
    return [draw(ids)]


CALLS = st.tuples(
    st.sampled_from(VERSIONS),
    st.sampled_from(["jsonrpc", "xmlrpc", "session", "json2"]),
    st.sampled_from(MODELS),
    st.sampled_from(METHODS),
    st.sampled_from(["admin", "demo"]),  # the demo user meets access rights
)


def send(server: OdooEmulator, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=ANSWER_BOUND_S)
    try:
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


def _xml_safe(value: Any) -> Any:
    if value is None:
        return False
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**31:
        return str(value)  # XML-RPC has 32-bit ints only
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _xml_safe(v) for k, v in value.items()}
    return value


_SESSIONS: dict[str, str] = {}


def uid_of(server: OdooEmulator, login: str) -> int:
    users = server.db.table("res.users")
    assert users is not None
    return next(row["id"] for row in users.rows.values() if row.get("login") == login)


def session_cookie(server: OdooEmulator, login: str) -> str:
    key = f"{server.url} {login}"
    if key not in _SESSIONS:
        body = {"jsonrpc": "2.0", "method": "call", "id": 1,
                "params": {"db": "demo", "login": login, "password": login}}  # fmt: skip
        conn = http.client.HTTPConnection(server.host, server.port, timeout=ANSWER_BOUND_S)
        conn.request(
            "POST", "/web/session/authenticate", json.dumps(body), {"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie") or ""
        conn.close()
        _SESSIONS[key] = cookie.split(";")[0]
    return _SESSIONS[key]


def check_answer(protocol: str, status: int, content_type: str, body: bytes) -> str:
    """The answer's error name ('' for a result); fails unless it is well-formed for the protocol."""
    assert body, "empty body"
    if protocol == "xmlrpc":
        assert status == 200 and "xml" in content_type, (status, body[:300])
        try:
            xmlrpc.client.loads(body)
        except xmlrpc.client.Fault as fault:
            assert fault.faultString, fault
            return str(fault.faultString).rstrip().rsplit("\n", 1)[-1].partition(":")[0]
        return ""
    assert "json" in content_type, (status, body[:300])
    answer = json.loads(body)
    if protocol == "json2":
        if status == 200:
            return ""
        assert status in (400, 401, 403, 404, 422, 500), status
        assert isinstance(answer["name"], str) and isinstance(answer["message"], str), answer
        return str(answer["name"])
    assert status == 200, (status, body[:300])
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 5, answer
    if "error" in answer:
        data = answer["error"]["data"]
        assert isinstance(data["name"], str) and data["name"], answer
        assert isinstance(data["message"], str) and isinstance(data["arguments"], list), answer
        return str(data["name"])
    return ""


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(call=CALLS, data=st.data())
def test_every_random_call_gets_a_well_formed_answer(
    servers: dict[str, OdooEmulator], call: tuple[Any, ...], data: st.DataObject
) -> None:
    version, protocol, model, method, login = call
    if protocol == "json2" and version != "19.0":
        protocol = "jsonrpc"
    server = servers[version]
    names = fields_of(server, model)
    args = data.draw(args_for(method, names), label="args")
    kwargs = data.draw(kwargs_for(method, names), label="kwargs")
    if protocol == "jsonrpc":
        params: dict[str, Any] = {"service": "object", "method": "execute_kw",
                  "args": ["demo", uid_of(server, login), login, model, method, args, kwargs]}  # fmt: skip
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 5, "params": params}).encode()
        answer = send(server, "/jsonrpc", payload, {"Content-Type": "application/json"})
    elif protocol == "session":
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 5, "params": params}).encode()
        headers = {"Content-Type": "application/json", "Cookie": session_cookie(server, login)}
        answer = send(server, f"/web/dataset/call_kw/{model}/{method}", payload, headers)
    elif protocol == "xmlrpc":
        payload = xmlrpc.client.dumps(
            ("demo", uid_of(server, login), login, model, method, _xml_safe(args), _xml_safe(kwargs)),
            "execute_kw",
        ).encode()
        answer = send(server, "/xmlrpc/2/object", payload, {"Content-Type": "text/xml"})
    else:
        named = dict(kwargs)
        if method in ("search", "search_read", "search_count", "read_group", "formatted_read_group",
                      "web_search_read") and args:  # fmt: skip
            named["domain"] = args[0]
        elif args:
            named["ids"] = args[0]
        headers = {"Content-Type": "application/json", "Authorization": f"bearer {DEFAULT_API_KEY}",
                   "X-Odoo-Database": "demo"}  # fmt: skip
        answer = send(server, f"/json/2/{model}/{method}", json.dumps(named).encode(), headers)
    name = check_answer(protocol, *answer)
    # every call this generator makes is one the emulator answers as Odoo would: none needs NotEmulated
    assert "NotEmulated" not in name, (model, method, args, kwargs, answer[2][:600])
    if method in ("write", "create", "unlink", "copy", "name_create", "action_archive", "action_unarchive"):
        server.reset_data()
