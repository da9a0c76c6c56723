"""Records: built from the rows as they came (values converted when first read), and the FieldNotLoadedError
message, which must say a way to read the field that works for that record."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from typing import Any

import pytest

from zenoo_rpc import exceptions as exc
from zenoo_rpc._core.records import DynamicRecord
from zenoo_rpc.models.common import ResCountry, ResPartner
from zenoo_rpc.testing import OdooEmulator

ROW = {
    "id": 7,
    "name": "Acme",
    "email": False,
    "is_company": True,
    "customer_rank": 2,
    "country_id": [21, "Belgium"],
    "category_id": [1, 3],
    "write_date": "2024-05-06 07:08:09",
}


@pytest.fixture(params=["19.0"])
def odoo(request: pytest.FixtureRequest, emulators: dict[str, OdooEmulator]) -> Any:
    server = emulators[request.param]
    yield server
    server.reset_data()


def _dynamic(rows: list[dict[str, Any]]) -> list[Any]:
    return DynamicRecord.from_rows(ResPartner.__zenoo_schema__, [dict(r) for r in rows], None)


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_values_equality_repr_copy_and_pickle(kind: str) -> None:
    make = (lambda row: ResPartner.from_odoo(dict(row))) if kind == "typed" else (lambda r: _dynamic([r])[0])
    rec = make(ROW)
    assert (rec.id, rec.name, rec.email, rec.is_company, rec.customer_rank) == (7, "Acme", None, True, 2)
    assert rec.write_date == dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    assert (rec.country_id.id, rec.country_id.display_name) == (21, "Belgium")
    assert [c.id for c in rec.category_id] == [1, 3]
    assert rec.country_id is rec.country_id  # converted once, kept
    assert rec == make(ROW) and hash(rec) == hash(make(ROW)) and rec != make({**ROW, "id": 8})
    assert repr(rec).endswith("res.partner(7)>")
    assert set(rec._zenoo_loaded()) | {"id"} == set(ROW)
    for clone in (copy.copy(rec), copy.deepcopy(rec), pickle.loads(pickle.dumps(rec))):
        assert clone == rec and clone.name == "Acme" and clone.country_id.id == 21
        assert clone.write_date == rec.write_date and [c.id for c in clone.category_id] == [1, 3]
    fresh = make(ROW)
    for clone in (copy.deepcopy(fresh), pickle.loads(pickle.dumps(fresh))):  # nothing converted before
        assert clone.country_id.display_name == "Belgium" and clone.email is None


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_records_read_through_a_client_pickle_and_copy_without_it(
    client: Any, odoo: OdooEmulator, kind: str
) -> None:
    """Before, pickling a record read through a client failed (the client's locks; for a typed record, every
    field it did not hold)."""
    partners = client.model(ResPartner) if kind == "typed" else client.model_by_name("res.partner")
    rec = partners.order_by("id").only("name", "country_id").first()
    rec.name = "Changed"
    for clone in (pickle.loads(pickle.dumps(rec)), copy.copy(rec), copy.deepcopy(rec)):
        assert clone == rec and clone.name == "Changed" and clone.zenoo_changes() == {"name": "Changed"}
        assert clone.country_id == rec.country_id
        with pytest.raises(RuntimeError, match="not bound to a client"):
            clone.save()
        assert "refresh" not in _message(clone, "email")
    assert rec.zenoo_client() is not None  # the original keeps its client


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_assignments_are_tracked_and_unknown_fields_refused(kind: str) -> None:
    rec = ResPartner.from_odoo(dict(ROW)) if kind == "typed" else _dynamic([ROW])[0]
    assert rec.zenoo_changes() == {}
    rec.name = "Renamed"
    rec.email = "a@b.c"  # a field that was read as False
    assert rec.is_company is True  # the first read of a value from the row: the assignments stay
    assert rec.name == "Renamed" and rec.zenoo_changes() == {"email": "a@b.c", "name": "Renamed"}
    rec.zenoo_load("phone", "+32")  # as read from the server: loaded, not a change
    assert rec.zenoo_get("phone") == "+32" and "phone" in set(rec._zenoo_loaded())
    assert "phone" not in rec.zenoo_changes()
    with pytest.raises(AttributeError, match="nme"):
        rec.nme = "typo"


def test_typed_records_of_a_read_share_one_layout_and_keep_the_row_values() -> None:
    rows = [dict(ROW, id=i) for i in range(1, 4)]
    name = rows[0]["name"]
    records = ResPartner._zenoo_wrap_rows(rows)
    assert records is rows and all(type(r) is ResPartner for r in records)  # replaced in place
    assert records[0]._zenoo_keys is records[2]._zenoo_keys
    assert records[0].name is name  # the parsed string itself, not a copy
    odd = ResPartner._zenoo_wrap_rows([{"name": "B", "id": 9}])[0]  # another key order: its own layout
    assert (odd.id, odd.name) == (9, "B")


def test_dynamic_many2one_values_of_a_read_share_one_related_schema() -> None:
    """Before, every many2one value of every row made its own stub schema (and closure) when the related
    model's schema was not loaded."""
    records = _dynamic([dict(ROW, id=i) for i in range(1, 4)])
    schemas = {id(object.__getattribute__(r.country_id, "_schema")) for r in records}
    schemas |= {id(object.__getattribute__(c, "_schema")) for r in records for c in r.category_id}
    assert len(schemas) == 2
    assert records[0].country_id._zenoo_model_name() == "res.country"
    assert records[0].as_dict()["country_id"].id == 21


# -- FieldNotLoadedError says how to read the field ----------------------------------------------------------
def _message(rec: Any, attr: str) -> str:
    with pytest.raises(exc.FieldNotLoadedError) as info:
        getattr(rec, attr)
    assert isinstance(info.value, AttributeError) and not hasattr(rec, attr)
    return str(info.value)


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_message_of_a_record_read_through_a_client(client: Any, odoo: OdooEmulator, kind: str) -> None:
    partners = client.model(ResPartner) if kind == "typed" else client.model_by_name("res.partner")
    rec = partners.filter(is_company=True).order_by("id").only("name").first()
    message = _message(rec, "email")
    assert message.startswith("res.partner.email was not loaded: the query's only() left it out")
    assert 'add "email" to only() of the res.partner query' in message
    assert 'or read it now with record.refresh("email")' in message
    client.resolve(rec.refresh("email"))  # what the message says works
    assert rec.email == partners.get(rec.id).email and rec.name


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_message_of_a_related_record_names_the_field_that_holds_it(
    client: Any, odoo: OdooEmulator, kind: str
) -> None:
    partners = client.model(ResPartner) if kind == "typed" else client.model_by_name("res.partner")
    rec = next(p for p in partners.order_by("id").only("country_id").all() if p.country_id is not None)
    message = _message(rec.country_id, "code")
    assert (
        "res.country.code was not loaded: this res.country record is the value of res.partner.country_id"
        in (message)
    )
    assert 'only(..., "country_id.code") of the res.partner query' in message
    assert 'prefetch_related("country_id")' in message
    assert "refresh" not in message  # it is not bound to a client: refresh() could not work
    with pytest.raises(RuntimeError, match="not bound to a client"):
        rec.country_id.refresh()
    # once prefetched, the related record is bound and read like any other
    full = partners.filter(id=rec.id).prefetch_related("country_id").first()
    assert full.country_id.code and full.country_id.id == rec.country_id.id


@pytest.mark.parametrize("kind", ["typed", "dynamic"])
def test_message_of_a_record_built_without_a_client(kind: str) -> None:
    rec = ResPartner.from_odoo({"id": 1, "name": "A"}) if kind == "typed" else _dynamic([{"id": 1}])[0]
    message = _message(rec, "email")
    assert message == (
        "res.partner.email was not loaded: the record was built without it and is not bound to a client: "
        'read it with a res.partner query whose only() names "email"'
    )
    country = ResCountry.ref(5)  # made by hand: no field holds it
    assert "was built without it" in _message(country, "code")
    # the records of a field of a record built from a row know that field, x2many ones too
    tag = (ResPartner.from_odoo(dict(ROW)) if kind == "typed" else _dynamic([ROW])[0]).category_id[0]
    assert _message(tag, "color") == (
        "res.partner.category.color was not loaded: this res.partner.category record is the value of "
        'res.partner.category_id, read without it: read the field with only(..., "category_id.color") of the '
        'res.partner query, or the whole record with prefetch_related("category_id")'
    )


def test_message_uses_odoo_names_of_renamed_attributes() -> None:
    assert ResPartner.__zenoo_attrs__["ref"] == "ref_"  # a keyword-like name, renamed
    message = _message(ResPartner.from_odoo({"id": 1}), "ref_")
    assert message.startswith("res.partner.ref was not loaded") and 'names "ref"' in message


def test_datetimes_parse_as_odoo_writes_them() -> None:
    from zenoo_rpc._core.records import parse_datetime

    assert parse_datetime("2024-05-06 07:08:09.123") == dt.datetime(
        2024, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc
    )
    assert parse_datetime(False) is None
    with pytest.raises(ValueError, match="not an Odoo datetime"):
        parse_datetime("06/05/2024")


def test_classes_generated_before_lazy_conversion_still_convert_eagerly() -> None:
    """A package generated by an earlier zenoo-gen: from_odoo sets the converted values itself, and the class
    has no ``__zenoo_from_odoo__`` table; queries build its records through that from_odoo."""
    from zenoo_rpc.runtime import BaseRecord, FieldInfo, ModelRegistry, ModelSchema, convert

    registry = ModelRegistry("old_models", {})
    table: dict[str, Any] = {"id": ("id", convert.integer), "name": ("name", convert.text)}

    @registry.record
    class OldPartner(BaseRecord):
        __zenoo_model__ = "res.partner"

        @classmethod
        def from_odoo(cls, row: Any) -> Any:
            rec = cls.__new__(cls)
            for key, value in row.items():
                found = table.get(key)
                if found is not None:
                    object.__setattr__(rec, found[0], found[1](value))
            return rec

    OldPartner.__zenoo_attrs__ = {"id": "id", "name": "name"}
    OldPartner.__zenoo_schema__ = ModelSchema("res.partner", {"name": FieldInfo("name", "char")})
    [rec] = OldPartner._zenoo_wrap_rows([{"id": 4, "name": False, "email": "x@y.z"}])
    assert type(rec) is OldPartner and (rec.id, rec.name) == (4, None)
    assert list(rec._zenoo_loaded()) == ["name"]
    with pytest.raises(AttributeError, match="no field 'email'"):
        rec.email  # noqa: B018
