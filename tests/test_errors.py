"""Every recorded Odoo error decodes to the exception a user would catch, keeping Odoo's own message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conformance import load_cases, shared_available

from zenoo_rpc import exceptions as exc
from zenoo_rpc._core.protocols import Json2Protocol, JsonRpcProtocol, XmlRpcProtocol
from zenoo_rpc._core.wire import RawResponse

if not shared_available():
    pytest.skip("the recorded Odoo material is not beside this checkout", allow_module_level=True)

EXPECTED = {
    "odoo.exceptions.AccessDenied": exc.AuthenticationError,
    "odoo.http.SessionExpiredException": exc.SessionExpiredError,
    "odoo.exceptions.AccessError": exc.AccessError,
    "odoo.exceptions.ValidationError": exc.ValidationError,
    "odoo.exceptions.MissingError": exc.MissingRecordError,
    "builtins.TypeError": exc.InvalidArgumentsError,
    "psycopg2.OperationalError": exc.DatabaseError,
    "builtins.KeyError": exc.ServerError,
    "werkzeug.exceptions.Unauthorized": exc.AuthenticationError,
    "werkzeug.exceptions.UnprocessableEntity": exc.InvalidArgumentsError,
    "werkzeug.exceptions.BadRequest": exc.InvalidArgumentsError,
}


def _expected_class(name: str, message: str) -> type[exc.OdooError]:
    if "doesn't exist" in message or "the model '" in message:
        return exc.UnknownModelError
    if (
        "has no attribute" in message
        or 'does not exist"' in message
        or (message.startswith("The method '") and message.endswith("does not exist"))
        or message.startswith("Method not found")
        or message.startswith("Did you mean")
    ):
        return exc.UnknownMethodError
    if name == "builtins.ValueError":
        return exc.InvalidFieldError if message.startswith("Invalid field") else exc.InvalidArgumentsError
    if name == "odoo.exceptions.UserError":
        return exc.UserError
    return EXPECTED[name]


def _error_cases() -> list[Any]:
    out = []
    for version in ("17.0", "18.0", "19.0"):
        for name in ("errors.json", "corpus/read.json", "corpus/write.json"):
            for case in load_cases(version, name):
                body = case["response"]["body"]
                path = case["request"]["path"]
                is_error = isinstance(body, dict) and (
                    "error" in body or (path.startswith("/json/2") and "name" in body)
                )
                is_error = is_error or (
                    isinstance(body, str) and ("<fault>" in body or case["response"]["status"] >= 400)
                )
                if is_error:
                    out.append(pytest.param(case, id=f"{version}:{case['label']}"))
    return out


def _decode(case: dict[str, Any]) -> Any:
    path = case["request"]["path"]
    resp = case["response"]
    body = resp["body"]
    raw = RawResponse(resp["status"], {}, (body if isinstance(body, str) else json.dumps(body)).encode())
    if path.startswith("/xmlrpc"):
        return XmlRpcProtocol().decode_call(raw)
    if path.startswith("/json/2"):
        return Json2Protocol().decode_call(raw)
    return JsonRpcProtocol().decode_call(raw)


@pytest.mark.parametrize("case", _error_cases())
def test_recorded_error_maps_to_its_class(case: dict[str, Any]) -> None:
    body = case["response"]["body"]
    path = case["request"]["path"]
    if isinstance(body, str) and not body.lstrip().startswith(("<?xml", "{")):
        # not an Odoo answer at all (an HTML 404 page, "Invalid JSON data"): a transport-level error
        with pytest.raises(exc.TransportError) as info:
            _decode(case)
        assert str(case["response"]["status"]) in str(info.value)
        return
    if isinstance(body, str) and body.lstrip().startswith("{"):
        body = json.loads(body)
    if path.startswith("/xmlrpc"):
        with pytest.raises(exc.OdooError) as xinfo:
            _decode(case)
        err = xinfo.value
        assert err.message and "Traceback" not in str(err)
        fault = body.split("faultCode</name>\n<value><int>")[1][0]
        if fault == "3":
            assert isinstance(err, exc.AuthenticationError)
        elif "doesn't exist" in body:
            assert isinstance(err, exc.UnknownModelError)
        elif "no_such_method" in body:
            assert isinstance(err, exc.UnknownMethodError)
        elif "Invalid field" in body:
            assert isinstance(err, exc.InvalidFieldError)
        return
    data = body["error"]["data"] if "error" in body else body
    with pytest.raises(exc.OdooError) as info:
        _decode(case)
    err = info.value
    assert isinstance(err, _expected_class(data["name"], data["message"])), (
        type(err),
        data["name"],
        data["message"],
    )
    assert str(err) == data["message"]  # Odoo's own words, not "Odoo Server Error"
    assert err.odoo_name == data["name"]
    assert err.debug == data.get("debug", "")  # the traceback is kept as an attribute ...
    assert "Traceback" not in str(err)  # ... and never shown in str()
    if "error" in body:
        assert err.code == body["error"]["code"]  # 200 on 17/18, 0 on 19, 100 for session expiry
    else:
        assert err.status == case["response"]["status"]


def test_login_refused_is_an_authentication_error() -> None:
    from zenoo_rpc._core.protocols import Credentials

    raw = RawResponse(200, {}, b'{"jsonrpc": "2.0", "id": 1, "result": false}')
    creds = Credentials("demo", "admin", "wrong")
    with pytest.raises(exc.AuthenticationError) as info:
        JsonRpcProtocol().decode_login(raw, creds)
    assert "wrong" not in str(info.value) and "admin" in str(info.value)
