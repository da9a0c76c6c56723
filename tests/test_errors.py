"""Decoding Odoo's error answers: Odoo's own words and details are kept, nothing is guessed without evidence.

Which class each condition raises on every protocol is tested in ``test_error_table.py``.
"""

from __future__ import annotations

import json
import xmlrpc.client
from typing import Any

import pytest
from conformance import load_cases

from zenoo_rpc import exceptions as exc
from zenoo_rpc._core.error_map import ErrorContext, error_from_odoo, error_from_page
from zenoo_rpc._core.protocols import (
    Credentials,
    Json2Protocol,
    JsonRpcProtocol,
    SessionProtocol,
    XmlRpcProtocol,
    major_of,
)
from zenoo_rpc._core.wire import RawResponse


def _json_error_cases() -> list[Any]:
    out = []
    for version in ("17.0", "18.0", "19.0"):
        for name in ("errors.json", "corpus/read.json", "corpus/write.json"):
            for case in load_cases(version, name):
                body = case["response"]["body"]
                if isinstance(body, dict) and ("error" in body or "name" in body):
                    out.append(pytest.param(case, id=f"{version}:{case['label']}"))
    return out


@pytest.mark.parametrize("case", _json_error_cases())
def test_odoo_own_words_are_kept(case: dict[str, Any]) -> None:
    body = case["response"]["body"]
    raw = RawResponse(case["response"]["status"], {}, json.dumps(body).encode())
    proto = Json2Protocol() if case["request"]["path"].startswith("/json/2") else JsonRpcProtocol()
    with pytest.raises(exc.OdooError) as info:
        proto.decode_call(raw)
    err, data = info.value, (body["error"]["data"] if "error" in body else body)
    assert err.odoo_message == data["message"] and err.odoo_name == data["name"]
    if not isinstance(err, exc.APIKeyRejectedError):  # that one says what to do instead
        assert str(err) == data["message"]  # Odoo's words, not "Odoo Server Error"
    assert err.debug == data.get("debug", "")  # the traceback is kept as an attribute ...
    assert "Traceback" not in str(err)  # ... and never shown in str()
    if "error" in body:
        assert err.code == body["error"]["code"]  # 200 on 17/18, 0 on 19, 100 for session expiry
    else:
        assert err.status == case["response"]["status"]


def test_login_refused_is_an_authentication_error() -> None:
    raw = RawResponse(200, {}, b'{"jsonrpc": "2.0", "id": 1, "result": false}')
    with pytest.raises(exc.AuthenticationError) as info:
        JsonRpcProtocol().decode_login(raw, Credentials("demo", "admin", "s3cret"))
    assert type(info.value) is exc.AuthenticationError
    assert "s3cret" not in str(info.value) and "'admin'" in str(info.value)
    with pytest.raises(exc.APIKeyRejectedError) as key:
        JsonRpcProtocol().decode_login(raw, Credentials("demo", "admin", "k3y", is_api_key=True))
    assert "k3y" not in str(key.value) and "expired, revoked or wrong" in str(key.value)


def test_a_second_factor_due_is_said() -> None:
    """/web/session/authenticate answers ``{"uid": null}`` when the password was right but 2FA is on."""
    raw = RawResponse(200, {}, b'{"jsonrpc": "2.0", "id": 1, "result": {"uid": null}}')
    with pytest.raises(exc.AuthenticationError, match=r"second factor.*login_with_api_key"):
        SessionProtocol().decode_login(raw, Credentials("demo", "admin", "admin"))


def test_xmlrpc_traceback_gives_the_last_exception_whole() -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "{odoo}/odoo/http.py", line 1, in a\n'
        "    raise KeyError(x)\n"
        "KeyError: 'x'\n\n"
        "During handling of the above exception, another exception occurred:\n\n"
        "Traceback (most recent call last):\n"
        '  File "{odoo}/odoo/models.py", line 2, in b\n'
        "    raise ValueError(msg)\n"
        "    ^^^^^^^^^^^^^^^^^^^^^\n"
        "ValueError: Invalid field 'no_such_field' on model 'res.partner'\nsecond line\n"
    )
    fault = xmlrpc.client.dumps(xmlrpc.client.Fault(1, traceback), methodresponse=True)
    with pytest.raises(exc.InvalidFieldError) as info:
        XmlRpcProtocol().decode_call(RawResponse(200, {}, fault.encode()))
    err = info.value
    assert err.odoo_name == "builtins.ValueError" and (err.model, err.field) == (
        "res.partner",
        "no_such_field",
    )
    assert str(err) == "Invalid field 'no_such_field' on model 'res.partner'\nsecond line"
    assert err.debug == traceback


def test_only_odoo_pages_become_odoo_errors() -> None:
    no_db = (
        "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>No database is selected and "
        "the requested URL was not found in the server-wide controllers.</p>"
    )
    ctx = ErrorContext(model="res.partner", method="search", db="nodb", api_key=True)
    with pytest.raises(exc.DatabaseError, match="'nodb'"):
        Json2Protocol().decode_call(RawResponse(404, {}, no_db.encode()), ctx)
    with pytest.raises(exc.HTTPStatusError) as info:  # a proxy's page: no Odoo condition to name
        Json2Protocol().decode_call(RawResponse(502, {}, b"<html><body>Bad Gateway</body></html>"), ctx)
    assert info.value.status == 502
    assert error_from_page(404, "404 Not Found", ctx) is None
    bad = error_from_page(400, "Invalid JSON data")
    assert isinstance(bad, exc.InvalidArgumentsError)


def test_a_bare_key_error_is_named_only_with_evidence() -> None:
    """17's web session answers an unknown model with ``KeyError: no.such.model``: that is an unknown model
    only when it is the model called; any other KeyError stays a ServerError."""
    assert type(error_from_odoo("builtins.KeyError", "no.such.model")) is exc.ServerError
    called = ErrorContext(model="no.such.model", method="search_read")
    err = error_from_odoo("builtins.KeyError", "no.such.model", context=called)
    assert type(err) is exc.UnknownModelError and err.model == "no.such.model"
    assert err.odoo_message == "no.such.model" and "does not exist" in str(err)
    other = error_from_odoo("builtins.KeyError", "'partner_id'", context=called)
    assert type(other) is exc.ServerError and other.model == "no.such.model"


def test_attributes_come_from_the_message_or_the_call() -> None:
    err = error_from_odoo(
        "builtins.AttributeError",
        "The method 'sale.order.formatted_read_group' does not exist",
        context=ErrorContext(model="sale.order", method="formatted_read_group"),
    )
    assert type(err) is exc.UnknownMethodError and (err.model, err.method) == (
        "sale.order",
        "formatted_read_group",
    )
    err = error_from_odoo(
        "builtins.ValueError",
        "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)",
    )
    assert type(err) is exc.InvalidFieldError and (err.model, err.field) == ("res.partner", "no_such_field")


def test_major_version_of_every_kind_of_server() -> None:
    assert major_of({"server_version_info": [17, 0, 0, "final", 0, ""]}) == 17
    assert major_of({"server_version_info": ["saas~18", 3, 0, "final", 0, ""]}) == 18
    assert major_of({"server_version": "saas~17.4+e"}) == 17
    assert major_of({}) == 0
