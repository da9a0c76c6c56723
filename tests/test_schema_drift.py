"""Schema drift: the bundled 19.0 classes against the 17.0 and 18.0 emulators, on both faces.

Those servers lack fields the classes declare (res.partner ``autopost_bills`` on 17.0, ``channel_member_ids``
on 18.0, sale.order ``company_price_include`` / ``preferred_payment_method_line_id``, ...). A typed query
reads what both have; the server's ``fields_get`` is read once per client and model, only after Odoo
refused a field (or, once a model of the client drifted, before the first read of each further model).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from zenoo_rpc import Command
from zenoo_rpc import exceptions as exc
from zenoo_rpc._core import drift
from zenoo_rpc._core.errors import InvalidFieldError
from zenoo_rpc.models.common import ProductProduct, ResPartner, SaleOrder, SaleOrderLine
from zenoo_rpc.testing import OdooEmulator

#: a res.partner field of the 19.0 classes that each older server lacks
MISSING = {"17.0": "autopost_bills", "18.0": "channel_member_ids"}


@pytest.fixture(params=["17.0", "18.0"])
def old(request: pytest.FixtureRequest, emulators: dict[str, OdooEmulator]) -> Iterator[OdooEmulator]:
    server = emulators[request.param]
    server.reset_counts()
    yield server
    server.reset_data()
    server.reset_counts()


@pytest.fixture
def client(make_client: Any, old: OdooEmulator) -> Any:
    c = make_client(old.url)
    c.login("demo", "admin", "admin")
    old.reset_counts()
    return c


# the drift warning is tested on its own below; elsewhere it is expected, not news
pytestmark = pytest.mark.filterwarnings("ignore::zenoo_rpc.exceptions.SchemaDriftWarning")


# -- reads ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "session"])
def test_typed_read_on_an_older_server(make_client: Any, old: OdooEmulator, protocol: str) -> None:
    client = make_client(old.url, protocol=protocol)
    client.login("demo", "admin", "admin")
    companies = client.model(ResPartner).filter(is_company=True).all()
    assert len(companies) == client.model_by_name("res.partner").filter(is_company=True).count() > 5
    assert all(p.is_company and p.name for p in companies)
    field = MISSING[old.version]
    with pytest.raises(exc.FieldNotOnServerError) as info:
        getattr(companies[0], field)
    message = str(info.value)
    assert f"res.partner.{field}" in message and old.url in message
    assert info.value.model == "res.partner" and info.value.field == field
    # still a FieldNotLoadedError and an AttributeError: hasattr() and getattr(..., default) work
    assert isinstance(info.value, exc.FieldNotLoadedError) and not hasattr(companies[0], field)
    assert getattr(companies[0], field, "absent") == "absent"


def test_the_version_is_named_when_the_client_knows_it(client: Any, old: OdooEmulator) -> None:
    client.version()
    partner = client.model(ResPartner).first()
    with pytest.raises(exc.FieldNotOnServerError, match=rf"\(Odoo {old.version}\)"):
        getattr(partner, MISSING[old.version])


def test_fields_the_server_has_but_only_left_out_are_not_loaded(client: Any, old: OdooEmulator) -> None:
    field = MISSING[old.version]
    partner = client.model(ResPartner).only("id", "name", field).first()
    assert partner.name
    with pytest.raises(exc.FieldNotOnServerError):
        getattr(partner, field)
    with pytest.raises(exc.FieldNotLoadedError) as info:
        partner.email  # noqa: B018  # the server has it: only() left it out
    assert type(info.value) is exc.FieldNotLoadedError


def test_calls_first_query_and_later(client: Any, old: OdooEmulator) -> None:
    """First drifting model: the refused read, fields_get, the read again; later reads: one call each;
    a further typed model of the same client: fields_get then one read (never a refused read)."""
    partners = client.model(ResPartner).filter(is_company=True)
    partners.all()
    assert old.count("res.partner", "search_read") == 2 and old.count("res.partner", "fields_get") == 1
    assert old.requests == 3
    old.reset_counts()
    partners.all()
    partners.only("name").all()
    client.model(ResPartner).filter(is_company=False).limit(3).all()
    assert old.requests == 3 and old.count("res.partner", "fields_get") == 0
    old.reset_counts()
    assert len(client.model(ProductProduct).filter(active=True).all()) > 5
    assert old.count("product.product", "fields_get") == 1 and old.requests == 2
    old.reset_counts()
    client.model(ProductProduct).all()
    assert old.requests == 1


def test_no_extra_call_where_the_server_has_every_field(make_client: Any, odoo19: OdooEmulator) -> None:
    client = make_client(odoo19.url)
    client.login("demo", "admin", "admin")
    odoo19.reset_counts()
    with warnings.catch_warnings():
        warnings.simplefilter("error", exc.SchemaDriftWarning)
        client.model(ResPartner).filter(is_company=True).all()
        orders = (
            client.model(SaleOrder)
            .filter(state="sale")
            .prefetch_related("partner_id", "order_line.product_id")
            .all()
        )
    assert len(orders) == 19 and odoo19.requests == 2 and odoo19.count(method="fields_get") == 0


def test_prefetch_orders_lines_products(client: Any, old: OdooEmulator) -> None:
    def load() -> list[Any]:
        return list(
            client.model(SaleOrder)
            .filter(state="sale")
            .prefetch_related("partner_id", "order_line", "order_line.product_id")
            .all()
        )

    orders = load()
    assert len(orders) == 19
    assert all(o.partner_id.name and o.amount_total >= 0 for o in orders)
    lines = [line for o in orders for line in o.order_line]
    assert lines and all(isinstance(line, SaleOrderLine) and line.product_id.name for line in lines)
    assert all(isinstance(line.product_id, ProductProduct) for line in lines)
    with pytest.raises(exc.FieldNotOnServerError, match=r"sale\.order\.line\.tax_ids"):
        lines[0].tax_ids  # noqa: B018  # 19.0's name; tax_id before
    with pytest.raises(exc.FieldNotOnServerError, match=r"sale\.order\.late_availability"):
        orders[0].late_availability  # noqa: B018
    # the first query: a refused web_search_read, the fields_get of the four models of its specification
    # in one round, the web_search_read again without what the server lacks
    assert old.count("sale.order", "web_search_read") == 2
    assert old.count(method="fields_get") == 4 and old.requests == 6
    old.reset_counts()
    assert len(load()) == 19 and old.requests == 1 and old.count(method="fields_get") == 0


def test_a_relation_the_server_lacks_is_not_prefetched(client: Any, old: OdooEmulator) -> None:
    field = "channel_member_ids" if old.version == "18.0" else "rtc_session_ids"
    partners = client.model(ResPartner).filter(is_company=True).prefetch_related(field, "category_id").all()
    assert partners and any(p.category_id and p.category_id[0].name for p in partners)
    with pytest.raises(exc.FieldNotOnServerError):
        getattr(partners[0], field)


def test_iterate_values_refresh(client: Any, old: OdooEmulator) -> None:
    total = client.model_by_name("res.partner").count()
    seen = [p.id for p in client.model(ResPartner).iterate(batch_size=10)]
    assert len(seen) == total and seen == sorted(seen)
    old.reset_counts()
    assert len(list(client.model(ResPartner).iterate(batch_size=25))) == total
    assert old.count(method="fields_get") == 0 and old.requests == total // 25 + 1
    field = MISSING[old.version]
    rows = client.model(ResPartner).filter(is_company=True).values()
    assert rows and "name" in rows[0] and field not in rows[0]
    assert client.model(ResPartner).only("name", field).values("name", field)[0].keys() == {"id", "name"}
    partner = client.model(ResPartner).filter(is_company=True).first()
    old.reset_counts()
    client.resolve(partner.refresh())
    assert old.requests == 1 and partner.name
    with pytest.raises(exc.FieldNotOnServerError):
        getattr(partner, field)


def test_a_server_field_the_class_lacks_is_not_read(client: Any, old: OdooEmulator) -> None:
    server_fields = client.model_by_name("res.partner").values_list("id", flat=True)  # learn fields_get
    assert server_fields
    extra = set(drift_schema(client, "res.partner").fields) - {"id", *ResPartner.__zenoo_schema__.fields}
    assert extra  # e.g. 17.0's res.partner.date
    row = client.model(ResPartner).filter(is_company=True).values()[0]
    assert not extra.intersection(row)


def drift_schema(client: Any, model: str) -> Any:
    return client.raw._conn.schemas[model]


# -- the warning -----------------------------------------------------------------------------------------
def test_one_warning_per_model_and_client(
    make_client: Any, old: OdooEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    field = MISSING[old.version]
    for _ in range(2):  # two clients: each warns once
        client = make_client(old.url)
        client.login("demo", "admin", "admin")
        caplog.clear()
        with warnings.catch_warnings(record=True) as seen, caplog.at_level(logging.WARNING, "zenoo_rpc"):
            warnings.simplefilter("always")
            client.model(ResPartner).filter(is_company=True).all()
            client.model(ResPartner).only("name").all()
            client.model(ResPartner).first()
            client.model(SaleOrder).all()
        drift_warnings = [w for w in seen if issubclass(w.category, exc.SchemaDriftWarning)]
        assert len(drift_warnings) == 2  # res.partner, sale.order
        text = str(drift_warnings[0].message)
        assert text.startswith("res.partner: ") and field in text and old.url in text
        assert "sale.order: " in str(drift_warnings[1].message)
        records = [r for r in caplog.records if r.name == "zenoo_rpc"]
        assert [r.getMessage() for r in records] == [str(w.message) for w in drift_warnings]


def test_no_warning_on_a_matching_server(make_client: Any, odoo19: OdooEmulator) -> None:
    client = make_client(odoo19.url)
    client.login("demo", "admin", "admin")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.model(ResPartner).filter(is_company=True).all()


# -- filters and order on a field the server lacks ----------------------------------------------------------
def test_filter_on_a_missing_field(client: Any, old: OdooEmulator) -> None:
    field = MISSING[old.version]
    query = client.model(ResPartner).filter(**{field: False})
    with pytest.raises(exc.FieldNotOnServerError) as info:
        query.all()
    assert f"res.partner.{field}" in str(info.value) and old.url in str(info.value)
    assert "filter" in str(info.value)
    assert isinstance(info.value.__cause__, InvalidFieldError)  # Odoo's own answer is kept
    # not retried: one refused search_read and the fields_get that explains it
    assert old.count("res.partner", "search_read") == 1 and old.requests == 2
    old.reset_counts()
    for run in (query.all, query.count, query.ids, lambda: query.update(name="x")):
        with pytest.raises(exc.FieldNotOnServerError):
            run()
    with pytest.raises(exc.FieldNotOnServerError, match="order"):
        client.model(ResPartner).order_by(f"-{field}").all()
    assert old.requests == 0  # now known: refused before sending


def test_count_with_a_missing_field_on_a_fresh_client(client: Any, old: OdooEmulator) -> None:
    field = MISSING[old.version]
    with pytest.raises(exc.FieldNotOnServerError):
        client.model(ResPartner).filter(**{field: False}).count()
    assert old.count("res.partner", "search_count") == 1 and old.requests == 2


def test_filter_through_a_relation_on_a_missing_field(client: Any, old: OdooEmulator) -> None:
    field = {"17.0": "company_price_include", "18.0": "preferred_payment_method_line_id"}[old.version]
    with pytest.raises(exc.FieldNotOnServerError, match=rf"sale\.order\.{field}"):
        client.model(SaleOrderLine).filter(**{f"order_id__{field}__isnull": True}).all()
    assert old.count("sale.order", "fields_get") == 1


def test_a_filter_on_fields_the_server_has_still_works(client: Any, old: OdooEmulator) -> None:
    client.model(ResPartner).all()  # learn the drift
    old.reset_counts()
    rows = client.model(ResPartner).filter(is_company=True, country_id__code="BE").order_by("name").all()
    assert old.requests == 1 and all(p.is_company for p in rows)


# -- writes ------------------------------------------------------------------------------------------------
def test_writing_a_missing_field_fails_before_sending(client: Any, old: OdooEmulator) -> None:
    field = MISSING[old.version]
    partners = client.model(ResPartner)
    partner = partners.filter(is_company=True).first()  # the client learns what the server lacks
    before = client.model_by_name("res.partner").count()
    old.reset_counts()
    value: Any = False if field == "autopost_bills" else [Command.clear()]
    setattr(partner, field, value)
    with pytest.raises(exc.FieldNotOnServerError, match="nothing was sent"):
        client.resolve(partner.save())
    with pytest.raises(exc.FieldNotOnServerError):
        partners.create({"name": "New", field: value})
    with pytest.raises(exc.FieldNotOnServerError):
        partners.create([{"name": "A"}, {"name": "B", field: value}])
    with pytest.raises(exc.FieldNotOnServerError):
        partners.filter(id=partner.id).update(**{field: value})
    assert old.requests == 0  # no request reached the server
    assert client.model_by_name("res.partner").count() == before


def test_a_refused_write_on_a_fresh_client_becomes_the_clear_error(
    client: Any, make_client: Any, old: OdooEmulator
) -> None:
    field = MISSING[old.version]
    value: Any = False if field == "autopost_bills" else [Command.clear()]
    other = make_client(old.url)  # counts the partners without teaching ``client`` the server's fields
    other.login("demo", "admin", "admin")
    before = other.model_by_name("res.partner").count()
    old.reset_counts()
    with pytest.raises(exc.FieldNotOnServerError, match="nothing was written") as info:
        client.model(ResPartner).create({"name": "New", field: value})
    assert isinstance(info.value.__cause__, InvalidFieldError)
    assert old.count("res.partner", "create") == 1 and old.count("res.partner", "fields_get") == 1
    old.reset_counts()
    with pytest.raises(exc.FieldNotOnServerError):  # now known: not sent again
        client.model(ResPartner).create({"name": "New", field: value})
    assert old.requests == 0 and other.model_by_name("res.partner").count() == before


def test_save_of_a_missing_field_on_a_fresh_client(client: Any, old: OdooEmulator) -> None:
    partner = client.model(ResPartner).only("id", "name").first()  # nothing refused: nothing learned
    assert old.count(method="fields_get") == 0
    field = MISSING[old.version]
    setattr(partner, field, False if field == "autopost_bills" else [Command.clear()])
    partner.name = "Renamed"
    old.reset_counts()
    with pytest.raises(exc.FieldNotOnServerError, match="nothing was written"):
        client.resolve(partner.save())
    assert old.count("res.partner", "write") == 1 and old.count("res.partner", "fields_get") == 1
    assert client.model(ResPartner).get(partner.id).name != "Renamed"


def test_a_write_of_fields_the_server_has_is_one_call(client: Any, old: OdooEmulator) -> None:
    partner = client.model(ResPartner).filter(is_company=True).first()
    old.reset_counts()
    partner.city = "Namur"
    assert client.resolve(partner.save()) is True
    new = client.model(ResPartner).create({"name": "Drift OK"})
    assert old.requests == 2 and client.model(ResPartner).get(new).name == "Drift OK"


def test_batch_write_of_a_missing_field_fails_before_sending(client: Any, old: OdooEmulator) -> None:
    field = MISSING[old.version]
    batch = client.batch_context()
    batch.create("res.partner", [{"name": "A"}, {"name": "B", field: False}])
    with pytest.raises(exc.UnknownFieldError) as info:  # the whole batch is checked before its first chunk
        client.resolve(batch.execute())
    assert field in str(info.value) and old.url in str(info.value)
    assert old.count("res.partner", "create") == 0


# -- the pure core: Odoo's invalid-field answers, as recorded ----------------------------------------------
@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Invalid field 'no_such_field' on model 'res.partner'", ("res.partner", "no_such_field")),
        ("Invalid field 'no_such_field' on 'res.partner'", ("res.partner", "no_such_field")),
        ("Invalid field 'no_such_field' in 'res.partner'", ("res.partner", "no_such_field")),
        (
            "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)",
            ("res.partner", "no_such_field"),
        ),
        (
            "Invalid field sale.order.line.x in condition ('x', '=', 1)",
            ("sale.order.line", "x"),
        ),
        ("Record does not exist or has been deleted.", None),
    ],
)
def test_invalid_field_answers(message: str, expected: tuple[str, str] | None) -> None:
    assert drift.invalid_field(InvalidFieldError(message, odoo_name="builtins.ValueError")) == expected


def test_concurrent_first_queries_share_one_fields_get(
    make_client: Any, face: str, old: OdooEmulator
) -> None:
    """The guide's first example: three queries at once on a fresh client (asyncio.gather, or threads on
    the sync face). Each is refused once, but the model's fields_get is read once for all three."""
    client = make_client(old.url)
    client.login("demo", "admin", "admin")
    old.reset_counts()
    partners = client.raw.model(ResPartner)
    queries = [
        partners.filter(is_company=True),
        partners.filter(customer_rank__gt=0),
        partners.filter(supplier_rank__gt=0),
    ]
    if face == "async":

        async def gather() -> list[Any]:
            return list(await asyncio.gather(*(q.all() for q in queries)))

        results = client.resolve(gather())
    else:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda q: q.all(), queries))
    assert all(results) and old.count("res.partner", "fields_get") == 1
    assert old.count("res.partner", "search_read") <= 6


def test_aggregate_and_group_by(client: Any, old: OdooEmulator) -> None:
    rows = client.model(SaleOrder).group_by("state").aggregate("amount_total:sum", "__count")
    assert {r["state"]: r["__count"] for r in rows}["sale"] == 19
    field = {"17.0": "company_price_include", "18.0": "preferred_payment_method_line_id"}[old.version]
    with pytest.raises(exc.FieldNotOnServerError, match=rf"sale\.order\.{field}"):
        client.model(SaleOrder).group_by(field).aggregate("__count")
    old.reset_counts()
    with pytest.raises(exc.FieldNotOnServerError):
        client.model(SaleOrder).group_by(field).aggregate("__count")
    assert old.requests == 0
