"""The emulator's generic ORM rules (the ones Odoo applies to every model), checked over a real socket with raw
JSON-RPC, XML-RPC and JSON-2 calls and through the SDK: validation of arguments, generic methods, write
semantics, grouping, the web session, and that an internal failure is never a crash page but a
``zenoo_rpc.testing.NotEmulated`` error."""

from __future__ import annotations

import json
import urllib.request
import xmlrpc.client
from typing import Any

import pytest

import zenoo_rpc
from zenoo_rpc import SyncZenooClient
from zenoo_rpc.testing import DEFAULT_API_KEY, NotEmulated, OdooEmulator, _orm


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data, {"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def call(odoo: OdooEmulator, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``execute_kw`` as admin over /jsonrpc: the result, or the ``error.data`` dict."""
    params = {
        "service": "object",
        "method": "execute_kw",
        "args": ["demo", 2, "admin", model, method, list(args), kwargs],
    }
    _, answer = post(odoo.url + "/jsonrpc", {"jsonrpc": "2.0", "method": "call", "id": 7, "params": params})
    assert answer["id"] == 7
    if "error" in answer:
        return Error(answer["error"]["data"])
    return answer.get("result")


class Error(dict[str, Any]):
    @property
    def name(self) -> str:
        return str(self["name"])

    @property
    def message(self) -> str:
        return str(self["message"])


def major(odoo: OdooEmulator) -> int:
    return int(odoo.version.split(".")[0])


# -- never a crash page ----------------------------------------------------------------------------------------


def test_uom_orders_by_its_self_referencing_many2one(odoo: OdooEmulator) -> None:
    """19.0's uom.uom orders by "sequence, relative_uom_id, id": Odoo follows relative_uom_id into uom.uom's
    own order once and skips it there; the emulator recursed without end (RecursionError, a bare 500)."""
    ids = call(odoo, "uom.uom", "search", [])
    assert isinstance(ids, list) and ids
    if major(odoo) >= 19:
        rows = call(odoo, "uom.uom", "search_read", [], fields=["id"], order="relative_uom_id desc, id")
        assert isinstance(rows, list) and len(rows) == len(ids)


@pytest.mark.filterwarnings("ignore::zenoo_rpc.DeprecatedProtocolWarning")
def test_an_internal_failure_is_a_not_emulated_error_on_every_protocol(
    odoo19: OdooEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, domain: Any, limit: Any = None) -> int:
        raise KeyError("boom")

    monkeypatch.setattr(_orm.BaseModel, "search_count", broken)
    error = call(odoo19, "res.partner", "search_count", [])
    assert isinstance(error, Error) and error.name == "zenoo_rpc.testing.NotEmulated"
    assert "res.partner.search_count" in error.message and "KeyError" in error.message
    assert NotEmulated.odoo_name == error.name
    # XML-RPC: a fault whose traceback ends with the name
    proxy = xmlrpc.client.ServerProxy(odoo19.url + "/xmlrpc/2/object")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.execute_kw("demo", 2, "admin", "res.partner", "search_count", [[]])
    assert "zenoo_rpc.testing.NotEmulated: " in fault.value.faultString
    # JSON-2: Odoo's error body with status 500
    status, body = post(
        odoo19.url + "/json/2/res.partner/search_count",
        {"domain": []},
        {"Authorization": f"bearer {DEFAULT_API_KEY}", "X-Odoo-Database": "demo"},
    )
    assert status == 500 and body["name"] == "zenoo_rpc.testing.NotEmulated"
    # the SDK raises its own distinct error, on each protocol
    for protocol in ("session", "xmlrpc", "json2"):
        client = SyncZenooClient(odoo19.url, protocol=protocol)
        if protocol == "json2":
            client.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
        else:
            client.login("demo", "admin", "admin")
        with pytest.raises(zenoo_rpc.NotEmulatedError) as info:
            client.call("res.partner", "search_count", [])
        assert info.value.odoo_name == "zenoo_rpc.testing.NotEmulated"
        assert "res.partner.search_count" in str(info.value)
        client.close()


def test_a_failure_outside_the_orm_is_an_odoo_shaped_error(odoo19: OdooEmulator) -> None:
    """execute_kw with too few arguments fails while unpacking them, before any model: still a JSON-RPC
    error, never a page."""
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 3,
        "params": {"service": "object", "method": "execute_kw", "args": ["demo", 2]},
    }
    status, answer = post(odoo19.url + "/jsonrpc", body)
    assert status == 200 and answer["id"] == 3 and "error" in answer


# -- generic validation: domains, orders, limits, offsets, value types ------------------------------------------


def test_negative_limit_and_offset_are_postgresql_errors(odoo: OdooEmulator) -> None:
    error = call(odoo, "res.partner", "search", [], limit=-1)
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidRowCountInLimitClause"
    assert error.message == "LIMIT must not be negative"
    error = call(odoo, "res.partner", "search_read", [], fields=["id"], offset=-2)
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidRowCountInResultOffsetClause"
    error = call(odoo, "res.partner", "search", [], limit="ten")
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidTextRepresentation"
    assert call(odoo, "res.partner", "search", [], limit="2") == call(
        odoo, "res.partner", "search", [], limit=2
    )
    assert len(call(odoo, "res.partner", "search", [], limit=0)) > 2  # 0 is no limit, like None


@pytest.mark.parametrize("order", ["name;drop table res_partner", "id,", "(id)", "id desc --", "name up"])
def test_a_malformed_or_injected_order_is_odoo_s_user_error(odoo19: OdooEmulator, order: str) -> None:
    error = call(odoo19, "res.partner", "search", [], order=order)
    assert isinstance(error, Error) and error.name == "odoo.exceptions.UserError"
    assert error.message.startswith(f'Invalid "order" specified ({order}). A valid "order" specification')


def test_order_terms_odoo_accepts(odoo: OdooEmulator) -> None:
    by_name = call(odoo, "res.partner", "search", [], order="name")
    assert call(odoo, "res.partner", "search", [], order='"name" asc nulls last') == by_name
    by_raw_id = call(odoo, "res.partner", "search_read", [("parent_id", "!=", False)], fields=["parent_id"],
                     order="parent_id.id desc, id")  # fmt: skip
    assert [r["parent_id"][0] for r in by_raw_id] == sorted(
        (r["parent_id"][0] for r in by_raw_id), reverse=True
    )


def test_order_on_a_field_that_is_not_stored_or_unknown(odoo: OdooEmulator) -> None:
    error = call(odoo, "res.partner", "search", [], order="display_name")
    assert isinstance(error, Error) and error.name == "builtins.ValueError"
    assert error.message == "Cannot convert res.partner.display_name to SQL because it is not stored"
    error = call(odoo, "res.partner", "search", [], order="no_such_field desc")
    assert (
        isinstance(error, Error) and error.message == "Invalid field 'no_such_field' on model 'res.partner'"
    )
    error = call(odoo, "res.partner", "search", [], order=5)
    assert isinstance(error, Error) and error.name == "builtins.TypeError"


def test_unknown_operators_per_version(odoo: OdooEmulator) -> None:
    error = call(odoo, "res.partner", "search", [("name", "bogus", 1)])
    assert isinstance(error, Error) and error.name == "builtins.ValueError"
    if major(odoo) >= 19:
        assert error.message == "Invalid operator in condition ('name', 'bogus', 1)"
        assert isinstance(
            call(odoo, "res.partner", "search", [("id", "==", 1)]), list
        )  # deprecated, accepted
    else:
        assert error.message == "Invalid leaf ('name', 'bogus', 1)"
        error = call(odoo, "res.partner", "search", [("id", "==", 1)])
        assert isinstance(error, Error) and error.message == "Invalid leaf ('id', '==', 1)"
    assert call(odoo, "res.partner", "search", [("id", "IN", [1])]) == call(
        odoo, "res.partner", "search", [("id", "in", [1])]
    )


def test_text_compared_with_a_numeric_or_date_column(odoo: OdooEmulator) -> None:
    error = call(odoo, "res.partner", "search", [("color", "=", "red")])
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidTextRepresentation"
    assert error.message == 'invalid input syntax for type integer: "red"'
    assert call(odoo, "res.partner", "search", [("color", ">=", " 1 ")]) == call(
        odoo, "res.partner", "search", [("color", ">=", 1)]
    )
    error = call(odoo, "res.partner", "search", [("id", "in", [1, "x"])])
    assert isinstance(error, Error) and error.message == 'invalid input syntax for type integer: "x"'
    error = call(odoo, "res.partner", "search", [("create_date", ">", "yesterday-ish")])
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidDatetimeFormat"
    error = call(odoo, "sale.order", "search", [("date_order", "<", "2026-13-45")])
    assert isinstance(error, Error) and error.name == "psycopg2.errors.DatetimeFieldOverflow"
    error = call(odoo, "res.partner", "search", [("color", "=", {"a": 1})])
    assert isinstance(error, Error) and error.name == "psycopg2.ProgrammingError"


def test_malformed_domains_per_version(odoo: OdooEmulator) -> None:
    as_string = call(odoo, "res.partner", "search", "name")
    short_leaf = call(odoo, "res.partner", "search", [["name", "="]])
    dangling = call(odoo, "res.partner", "search", ["|", ["id", "=", 1]])
    assert isinstance(as_string, Error) and isinstance(short_leaf, Error) and isinstance(dangling, Error)
    if major(odoo) >= 19:
        assert (as_string.name, as_string.message) == (
            "builtins.TypeError", "Domain() invalid argument type for domain: 'name'"
        )  # fmt: skip
        assert short_leaf.message == "Domain() invalid item in domain: ['name', '=']"
        assert dangling.message == "Domain() malformed domain ['|', ['id', '=', 1]]"
        assert call(odoo, "res.partner", "search_count", False) == 0  # the FALSE domain
    else:
        assert as_string.message == "not enough values to unpack (expected 3, got 1)"  # 'n', 'a', 'm', 'e'
        assert short_leaf.message == "not enough values to unpack (expected 3, got 2)"
        assert dangling.message == "Domain ['|', ['id', '=', 1]] is syntactically not correct."
        error = call(odoo, "res.partner", "search", 5)
        assert isinstance(error, Error) and error.message == "'int' object is not iterable"


# -- write semantics --------------------------------------------------------------------------------------------


def test_unlinking_records_already_gone_is_a_missing_error(odoo: OdooEmulator) -> None:
    first = call(odoo, "res.partner.category", "create", {"name": "gone soon"})
    second = call(odoo, "res.partner.category", "create", {"name": "gone too"})
    assert call(odoo, "res.partner.category", "unlink", [first, second]) is True
    error = call(odoo, "res.partner.category", "unlink", [first, second])
    assert isinstance(error, Error) and error.name == "odoo.exceptions.MissingError"
    assert error.message == (
        f"Record does not exist or has been deleted.\n(Record: res.partner.category({first}, {second}), User: 2)"
    )
    client = SyncZenooClient(odoo.url, protocol="session")
    client.login("demo", "admin", "admin")
    with pytest.raises(zenoo_rpc.MissingRecordError):
        client.call("res.partner.category", "unlink", [first])
    client.close()


def test_a_many2one_to_a_record_that_does_not_exist_on_any_model(odoo: OdooEmulator) -> None:
    error = call(odoo, "crm.lead", "create", {"name": "x", "partner_id": 999999})
    assert isinstance(error, Error) and error.name == "odoo.exceptions.ValidationError"
    assert "(crm.lead)" in error.message and error.message.startswith("The operation cannot be completed:")


def test_malformed_x2many_commands(odoo: OdooEmulator) -> None:
    partner = call(odoo, "res.partner", "search", [], limit=1)[0]
    before = call(odoo, "res.partner", "read", [partner], ["category_id"])[0]["category_id"]
    error = call(odoo, "res.partner", "write", [partner], {"category_id": 5})
    assert isinstance(error, Error) and error.name == "builtins.ValueError"
    assert error.message == "Wrong value for res.partner.category_id: 5"
    for commands in ([[1, 5]], [[]], [[6, 0]]):
        error = call(odoo, "res.partner", "write", [partner], {"category_id": commands})
        assert isinstance(error, Error) and error.name == "builtins.IndexError", commands
        assert error.message == "list index out of range"
    assert call(odoo, "res.partner", "write", [partner], {"category_id": [[9, 1, 2]]}) is True  # ignored
    assert call(odoo, "res.partner", "read", [partner], ["category_id"])[0]["category_id"] == before
    assert call(odoo, "res.partner", "write", [partner], {"category_id": False}) is True
    assert call(odoo, "res.partner", "read", [partner], ["category_id"])[0]["category_id"] == []


# -- generic methods --------------------------------------------------------------------------------------------


def test_name_create_on_any_model_with_a_name(odoo: OdooEmulator) -> None:
    created = call(odoo, "res.partner.category", "name_create", "Made by name_create")
    assert isinstance(created, list) and created[1] == "Made by name_create"
    assert (
        call(odoo, "res.partner.category", "read", [created[0]], ["name"])[0]["name"] == "Made by name_create"
    )
    created = call(odoo, "product.category", "name_create", "A tag")
    assert isinstance(created, list) and created[1] == "A tag"


def test_archive_and_unarchive_follow_active_test(odoo: OdooEmulator) -> None:
    pid = call(odoo, "res.partner", "create", {"name": "Archived by test"})
    archived = call(odoo, "res.partner", "action_archive", [pid])
    assert archived is (True if major(odoo) >= 19 else None)  # 17/18 answer toggle_active()'s None
    assert pid not in call(odoo, "res.partner", "search", [("name", "=", "Archived by test")])
    everything = call(
        odoo, "res.partner", "search", [("name", "=", "Archived by test")], context={"active_test": False}
    )
    assert everything == [pid]
    assert call(
        odoo, "res.partner", "search", [("name", "=", "Archived by test"), ("active", "=", False)]
    ) == [pid]
    assert call(odoo, "res.partner", "name_search", "Archived by test") == []
    call(odoo, "res.partner", "action_unarchive", [pid])
    assert call(odoo, "res.partner", "search", [("name", "=", "Archived by test")]) == [pid]
    toggled = call(odoo, "res.partner", "toggle_active", [pid])
    if major(odoo) >= 19:
        assert isinstance(toggled, Error) and toggled.name == "builtins.AttributeError"
    else:
        assert toggled is None and call(odoo, "res.partner", "search", [("id", "=", pid)]) == []
    error = call(odoo, "res.partner", "action_archive", [999999])
    assert isinstance(error, Error) and error.name == "odoo.exceptions.MissingError"


def test_copy_per_version(odoo: OdooEmulator) -> None:
    ids = call(odoo, "res.partner.category", "search", [], limit=2)
    if major(odoo) < 18:
        error = call(odoo, "res.partner.category", "copy", ids)
        assert (
            isinstance(error, Error)
            and error.message == f"Expected singleton: res.partner.category{tuple(ids)!r}"
        )
        assert isinstance(call(odoo, "res.partner.category", "copy", ids[:1]), int)
    else:
        copies = call(odoo, "res.partner.category", "copy", ids)
        assert isinstance(copies, list) and len(copies) == 2
    error = call(odoo, "res.partner.category", "copy", [999999])
    assert isinstance(error, Error) and error.name == "odoo.exceptions.MissingError"


def test_fields_get_attributes_and_default_get(odoo: OdooEmulator) -> None:
    described = call(odoo, "res.partner", "fields_get", ["name", "color"], ["type", "string"])
    assert described == {
        "name": {"type": "char", "string": described["name"]["string"]},
        "color": {"type": "integer", "string": described["color"]["string"]},
    }
    assert call(odoo, "res.partner", "fields_get", ["name"], []) == {"name": {}}  # no attributes asked
    defaults = call(odoo, "res.partner", "default_get", ["active", "no_such_field"])
    assert defaults == {"active": True}


def test_read_with_bin_size_gives_size_strings(odoo19: OdooEmulator) -> None:
    import base64

    pid = call(
        odoo19,
        "res.partner",
        "create",
        {"name": "With image", "image_1920": base64.b64encode(b"x" * 1465).decode()},
    )
    row = call(odoo19, "res.partner", "read", [pid], ["image_1920"], context={"bin_size": True})[0]
    assert row["image_1920"] == "1.43 Kb"
    row = call(odoo19, "res.partner", "read", [pid], ["image_1920"], context={"bin_size_image_1920": True})[0]
    assert row["image_1920"] == "1.43 Kb"


# -- grouping ---------------------------------------------------------------------------------------------------


def test_date_group_labels_in_odoo_s_display_formats(odoo: OdooEmulator) -> None:
    partner = call(odoo, "res.partner", "search", [("is_company", "=", True)], limit=1)[0]
    order = call(odoo, "sale.order", "create", {"partner_id": partner, "date_order": "2026-12-29 10:20:00"})
    domain = [("id", "=", order)]
    labels = {}
    for granularity in ("hour", "day", "week", "month", "quarter", "year"):
        spec = f"date_order:{granularity}"
        rows = call(odoo, "sale.order", "read_group", domain, ["amount_total:sum"], [spec], lazy=False)
        labels[granularity] = rows[0][spec]
        if granularity == "week":  # PostgreSQL's weeks start on Monday; en_US numbers them from Sunday
            assert rows[0]["__range"][spec] == {"from": "2026-12-28 00:00:00", "to": "2027-01-04 00:00:00"}
    assert labels == {
        "hour": "10:00 29 Dec",
        "day": "29 Dec 2026",
        "week": "W1 2027",
        "month": "December 2026",
        "quarter": "Q4 2026",
        "year": "2026",
    }
    if major(odoo) >= 19:
        rows = call(odoo, "sale.order", "formatted_read_group", domain, ["date_order:week"], ["__count"])
        assert rows[0]["date_order:week"] == ["2026-12-28 00:00:00", "W1 2027"]
    error = call(odoo, "sale.order", "read_group", domain, ["amount_total:sum"], ["date_order:fortnight"])
    assert isinstance(error, Error) and error.name == "builtins.ValueError"
    error = call(odoo, "sale.order", "read_group", domain, ["amount_total:sum"], ["state:month"])
    assert isinstance(error, Error) and "state:month" in error.message


def test_read_group_aggregate_keys(odoo: OdooEmulator) -> None:
    rows = call(
        odoo, "sale.order", "read_group", [], ["total:sum(amount_total)", "amount_untaxed:max"], ["state"]
    )
    assert rows and {"total", "amount_untaxed", "state", "state_count", "__domain"} <= set(rows[0])
    plain = call(odoo, "sale.order", "read_group", [], ["amount_total:sum"], ["state"])
    assert [r["total"] for r in rows] == [r["amount_total"] for r in plain]
    rows = call(odoo, "sale.order", "read_group", [], ["amount_total:sum"], ["state"], lazy=False)
    assert "__count" in rows[0] and "state_count" not in rows[0]
    error = call(odoo, "sale.order", "read_group", [], ["name:sum"], ["state"])
    assert isinstance(error, Error) and error.name == "psycopg2.errors.UndefinedFunction"
    assert error.message.startswith("function sum(character varying) does not exist")


# -- web session ------------------------------------------------------------------------------------------------


def _web(odoo: OdooEmulator, path: str, params: dict[str, Any], cookie: str | None = None) -> tuple[Any, str]:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 9, "params": params}).encode()
    headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(odoo.url + path, body, headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        set_cookie = response.headers.get("Set-Cookie") or ""
        return json.loads(response.read()), set_cookie.split(";")[0]


def test_the_demo_user_s_session_info_is_its_own(odoo: OdooEmulator) -> None:
    answer, cookie = _web(
        odoo, "/web/session/authenticate", {"db": "demo", "login": "demo", "password": "demo"}
    )
    info = answer["result"]
    assert info["username"] == "demo" and info["is_admin"] is False and info["is_system"] is False
    assert info["partner_display_name"] == "YourCompany, Marc Demo" and info["name"] == "Marc Demo"
    assert info["user_context"]["uid"] == info["uid"] != 2
    again, _ = _web(odoo, "/web/session/get_session_info", {}, cookie)
    assert again["result"]["uid"] == info["uid"] and again["result"]["username"] == "demo"


def test_session_destroy_ends_the_session(odoo: OdooEmulator) -> None:
    _, cookie = _web(odoo, "/web/session/authenticate", {"db": "demo", "login": "admin", "password": "admin"})
    answer, _ = _web(odoo, "/web/session/destroy", {}, cookie)
    assert answer == {"jsonrpc": "2.0", "id": 9}  # the route returns None: no result key
    answer, _ = _web(odoo, "/web/session/get_session_info", {}, cookie)
    assert (
        answer["error"]["code"] == 100
        and answer["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    )
    answer, _ = _web(odoo, "/web/session/destroy", {}, cookie)
    assert answer["error"]["code"] == 100


def test_values_are_converted_as_the_field_converts_them(odoo: OdooEmulator) -> None:
    pid = call(odoo, "res.partner", "create", {"name": 1234, "color": "3"})
    row = call(odoo, "res.partner", "read", [pid], ["name", "color"])[0]
    assert (row["name"], row["color"]) == ("1234", 3)
    error = call(odoo, "res.partner", "write", [pid], {"color": [1]})
    assert isinstance(error, Error) and error.name == "builtins.TypeError"
    assert (
        error.message == "int() argument must be a string, a bytes-like object or a real number, not 'list'"
    )
    error = call(odoo, "res.partner", "write", [pid], {"parent_id": "Azure"})
    assert isinstance(error, Error) and error.message == "Wrong value for res.partner.parent_id: 'Azure'"
    order = call(odoo, "sale.order", "search", [], limit=1)[0]
    error = call(odoo, "sale.order", "write", [order], {"date_order": "2026-13-45"})
    assert isinstance(error, Error) and error.name == "builtins.ValueError"
    assert error.message == "time data '2026-13-45' does not match format '%Y-%m-%d'"
    assert call(odoo, "sale.order", "write", [order], {"date_order": "2026-12-01"}) is True
    assert call(odoo, "sale.order", "read", [order], ["date_order"])[0]["date_order"] == "2026-12-01 00:00:00"
    partner = call(odoo, "res.partner", "search", [], limit=1)[0]
    error = call(odoo, "sale.order", "create", {"partner_id": partner, "date_order": "soon"})
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidDatetimeFormat"


def test_grouping_by_relational_fields(odoo: OdooEmulator) -> None:
    rows = call(odoo, "res.partner", "read_group", [], ["color:max"], ["category_id"], lazy=False)
    assert isinstance(rows, list) and rows
    tagged = {r["category_id"][0]: r["__count"] for r in rows if r["category_id"]}
    for tag, count in tagged.items():  # a partner counts in the group of each of its tags
        assert count == call(odoo, "res.partner", "search_count", [("category_id", "in", [tag])])
    assert rows[0]["__domain"] in (
        [["category_id", "=", rows[0]["category_id"][0]]],
        [["category_id", "=", False]],
    )
    error = call(odoo, "res.partner", "read_group", [], ["color:max"], ["child_ids"])
    assert isinstance(error, Error) and error.name == "builtins.ValueError"


def test_odd_leaves_are_answered_not_crashed(odoo: OdooEmulator) -> None:
    error = call(odoo, "res.partner", "search", [("color", "child_of", 1)])
    assert (
        isinstance(error, Error)
        and error.name == "builtins.ValueError"
        and "res.partner.color" in error.message
    )
    error = call(odoo, "res.partner", "search", [("parent_id", "in", [[1]])])
    assert isinstance(error, Error) and error.name == "psycopg2.errors.UndefinedFunction"
    error = call(odoo, "res.partner", "search", [("parent_id", "=", {"id": 1})])
    assert isinstance(error, Error) and error.name == "psycopg2.ProgrammingError"


@pytest.mark.filterwarnings("ignore::zenoo_rpc.DeprecatedProtocolWarning")
@pytest.mark.parametrize("protocol", ["session", "xmlrpc"])
def test_the_sdk_raises_postgresql_s_refusals_as_invalid_arguments(
    odoo19: OdooEmulator, protocol: str
) -> None:
    client = SyncZenooClient(odoo19.url, protocol=protocol)
    client.login("demo", "admin", "admin")
    with pytest.raises(zenoo_rpc.InvalidArgumentsError) as info:
        client.call("res.partner", "search", [], limit=-1)
    assert info.value.odoo_name == "psycopg2.errors.InvalidRowCountInLimitClause"
    with pytest.raises(zenoo_rpc.InvalidArgumentsError):
        client.call("res.partner", "search", [("color", "=", "red")])
    client.close()


def test_web_search_read_checks_its_domain_limit_and_offset_like_search(odoo: OdooEmulator) -> None:
    spec = {"name": {}}
    error = call(odoo, "res.partner", "web_search_read", 5, spec)
    assert isinstance(error, Error) and error.name == "builtins.TypeError"
    error = call(odoo, "res.partner", "web_search_read", [], spec, limit=-1)
    assert isinstance(error, Error) and error.name == "psycopg2.errors.InvalidRowCountInLimitClause"
    page = call(odoo, "res.partner", "web_search_read", [], spec, offset="1", limit="2")
    assert len(page["records"]) == 2 and page["length"] > 2
