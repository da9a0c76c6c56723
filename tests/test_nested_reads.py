"""Nested reads in one call: web_search_read/web_read with a field specification (Odoo 17+), on both faces,
against the emulator of every version; the batched per-level reads as the fallback, giving the same data."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from zenoo_rpc import exceptions as exc
from zenoo_rpc.models.common import ProductProduct, ResPartner, SaleOrder, SaleOrderLine
from zenoo_rpc.testing import OdooEmulator


@pytest.fixture(autouse=True)
def _quiet_drift() -> Any:
    # the 19.0 classes on 17.0/18.0 servers: the drift warning is tested in test_schema_drift
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exc.SchemaDriftWarning)
        yield


# -- the emulator's rules (addons/web/models/models.py) -----------------------------------------------------
def web_search_read(client: Any, model: str, domain: list[Any], spec: dict[str, Any], **kw: Any) -> Any:
    return client.execute_kw(model, "web_search_read", [], {"domain": domain, "specification": spec, **kw})


def test_length_follows_limit_offset_and_count_limit(client: Any, odoo: OdooEmulator) -> None:
    total = client.model("sale.order").count()
    got = web_search_read(client, "sale.order", [], {"name": {}}, limit=5)
    assert len(got["records"]) == 5 and got["length"] == total  # a full page: counted
    got = web_search_read(client, "sale.order", [], {"name": {}}, limit=5, count_limit=7)
    assert got["length"] == 7  # counted up to count_limit
    got = web_search_read(client, "sale.order", [], {"name": {}}, offset=total - 2, limit=5)
    assert len(got["records"]) == 2 and got["length"] == total  # a short page: offset + its records
    got = web_search_read(client, "sale.order", [], {"name": {}}, offset=total + 3, limit=5)
    assert got == {"length": 0, "records": []}  # past the end: 0, as Odoo says
    got = web_search_read(client, "sale.order", [], {"name": {}}, offset=5, limit=5, count_limit=8)
    assert got["length"] == 10  # count_limit reached already: offset + records, no count
    got = web_search_read(client, "sale.order", [], {}, offset=3)
    assert got["length"] == total and got["records"][0] == {"id": got["records"][0]["id"]}


def test_specification_shapes(client: Any, odoo: OdooEmulator) -> None:
    [order] = web_search_read(
        client,
        "sale.order",
        [("order_line", "!=", False)],
        {
            "partner_id": {},
            "user_id": {"fields": {}},
            "company_id": {"fields": {"display_name": {}, "currency_id": {"fields": {"name": {}}}}},
            "order_line": {"fields": {"product_id": {"fields": {"display_name": {}}}}, "limit": 1},
            "tag_ids": {},
        },
        limit=1,
        order="id",
    )["records"]
    assert isinstance(order["partner_id"], int)  # no sub-fields: the id
    assert set(order["user_id"]) == {"id"}
    assert set(order["company_id"]) == {"id", "display_name", "currency_id"}
    assert set(order["company_id"]["currency_id"]) == {"id", "name"}
    first, *others = order["order_line"]
    assert set(first) == {"id", "product_id"} and set(first["product_id"]) == {"id", "display_name"}
    assert all(set(line) == {"id"} for line in others) and others  # beyond the limit: ids only
    assert isinstance(order["tag_ids"], list)


def test_x2many_order_and_archived_records(client: Any, odoo: OdooEmulator) -> None:
    company = client.model("res.partner").filter(child_ids__ne=False, is_company=True).first()
    children = client.model("res.partner").filter(parent_id=company.id).order_by("name").ids()
    client.model("res.partner").filter(id=children[0]).with_context(active_test=False).update(active=False)
    spec = {"child_ids": {"fields": {"name": {}}, "order": "name desc"}}
    [row] = client.execute_kw("res.partner", "web_read", [[company.id]], {"specification": spec})
    names = [c["name"] for c in row["child_ids"]]
    assert names == sorted(names, reverse=True)
    # 17.0 searches the ordered ids again with the archived ones filtered out; 18.0 keeps them
    assert (children[0] in [c["id"] for c in row["child_ids"]]) is (odoo.version != "17.0")


# -- the guide's examples: one call ------------------------------------------------------------------------
def orders_with_details(client: Any, order_cls: Any = SaleOrder) -> list[dict[str, Any]]:
    orders = (
        client.model(order_cls)
        .filter(state="sale")
        .prefetch_related("partner_id", "order_line", "order_line.product_id")
        .select_related("partner_id")
        .all()
    )
    return [
        {
            "order_id": order.id,
            "customer_name": order.partner_id.name,
            "total_amount": order.amount_total,
            "line_count": len(order.order_line),
            "products": [line.product_id.name for line in order.order_line],
        }
        for order in orders
    ]


def partners_with_categories(client: Any, partner_cls: Any = ResPartner) -> list[dict[str, Any]]:
    partners = client.model(partner_cls).filter(is_company=True).prefetch_related("category_id").all()
    return [
        {"partner_id": p.id, "name": p.name, "categories": [cat.name for cat in p.category_id]}
        for p in partners
    ]


def test_guide_examples_take_one_call(client: Any, odoo: OdooEmulator) -> None:
    if odoo.version != "19.0":
        # the classes are 19.0's: the first query learns once what this server lacks (refused call,
        # fields_get of the four models, the call again); see test_schema_drift
        orders_with_details(client)
        partners_with_categories(client)
    odoo.reset_counts()
    details = orders_with_details(client)
    assert odoo.requests == 1 and odoo.count("sale.order", "web_search_read") == 1
    assert len(details) == 19 and all(
        d["customer_name"] and len(d["products"]) == d["line_count"] for d in details
    )
    odoo.reset_counts()
    partners = partners_with_categories(client)
    assert odoo.requests == 1 and odoo.count("res.partner", "web_search_read") == 1
    assert any(p["categories"] for p in partners) and all(all(p["categories"]) for p in partners)


def _classes_of(version: str) -> Any:
    """The classes a user generates from this version's server: the bundled ones for 19.0, the golden trees
    (zenoo-gen's output for the recorded 17.0 and 18.0 schemas) for the others."""
    if version == "19.0":
        import zenoo_rpc.models.common as package

        return package
    import importlib
    import sys
    from pathlib import Path

    golden = str(Path(__file__).parent / "golden")
    if golden not in sys.path:
        sys.path.append(golden)
    return importlib.import_module(f"odoo{version.split('.')[0]}")


def test_guide_examples_take_one_call_from_the_first_query_with_the_servers_own_classes(
    client: Any, odoo: OdooEmulator
) -> None:
    models = _classes_of(odoo.version)
    odoo.reset_counts()
    details = orders_with_details(client, models.SaleOrder)
    assert odoo.requests == 1 and odoo.count("sale.order", "web_search_read") == 1
    assert len(details) == 19 and all(len(d["products"]) == d["line_count"] for d in details)
    odoo.reset_counts()
    assert partners_with_categories(client, models.ResPartner)
    assert odoo.requests == 1 and odoo.count("res.partner", "web_search_read") == 1


def test_dotted_only_reads_exactly_those_fields_typed(client: Any, odoo: OdooEmulator) -> None:
    if odoo.version != "19.0":
        client.model(SaleOrder).prefetch_related("partner_id", "order_line.product_id").first()  # learn drift
    odoo.reset_counts()
    orders = client.model(SaleOrder).only("name", "partner_id.name", "order_line.product_id.name").all()
    assert odoo.requests == 1
    order = next(o for o in orders if o.order_line)
    assert isinstance(order.partner_id, ResPartner) and order.partner_id.name
    line = order.order_line[0]
    assert isinstance(line, SaleOrderLine) and isinstance(line.product_id, ProductProduct)
    assert line.product_id.name and line.product_id.id
    for record, unread in ((order, "amount_total"), (order.partner_id, "email"), (line, "price_unit")):
        with pytest.raises(exc.FieldNotLoadedError):
            getattr(record, unread)
    with pytest.raises(exc.FieldNotLoadedError):
        line.product_id.display_name  # noqa: B018  # named fields only, at every level


def test_dotted_values_give_nested_dicts(client: Any, odoo: OdooEmulator) -> None:
    odoo.reset_counts()
    rows = (
        client.model("res.partner")
        .filter(is_company=True, child_ids__ne=False)
        .order_by("id")
        .values("name", "country_id", "state_id.code", "child_ids.name")
    )
    assert odoo.count("res.partner", "web_search_read") == 1
    row = rows[0]
    assert set(row) == {"id", "name", "country_id", "state_id", "child_ids"}
    assert isinstance(row["country_id"], list) and len(row["country_id"]) == 2  # as search_read gives it
    assert row["state_id"] is False or set(row["state_id"]) == {"id", "code"}
    assert row["child_ids"] and all(set(c) == {"id", "name"} for c in row["child_ids"])


def test_nested_fields_are_checked_before_sending(client: Any, odoo: OdooEmulator) -> None:
    odoo.reset_counts()
    with pytest.raises(exc.UnknownFieldError, match=r"res\.partner.*nmae"):
        client.model(SaleOrder).only("name", "partner_id.nmae").all()
    with pytest.raises(exc.ClientError, match=r"sale\.order\.name is a char field"):
        client.model(SaleOrder).only("name.x").all()
    assert odoo.count("sale.order") == 0


def test_nested_levels_never_ask_for_a_field_the_server_lacks(make_client: Any, emulators: Any) -> None:
    odoo = emulators["17.0"]
    client = make_client(odoo.url)
    client.login("demo", "admin", "admin")
    odoo.reset_counts()
    orders = client.model(SaleOrder).only("name", "order_line.tax_ids", "order_line.name").all()
    # refused once (17.0 has tax_id), the fields of the specification's models learned, then sent without it
    assert odoo.count("sale.order", "web_search_read") == 2
    line = next(o for o in orders if o.order_line).order_line[0]
    assert line.name
    with pytest.raises(exc.FieldNotOnServerError, match=r"sale\.order\.line\.tax_ids"):
        line.tax_ids  # noqa: B018
    odoo.reset_counts()
    client.model(SaleOrder).only("name", "order_line.tax_ids").all()
    assert odoo.requests == 1


# -- the two paths agree -----------------------------------------------------------------------------------
PLANS = {
    "sale.order": ("partner_id", "order_line", "order_line.product_id", "tag_ids", "user_id"),
    "res.partner": ("category_id", "child_ids", "country_id", "parent_id"),
    "crm.lead": ("partner_id", "tag_ids", "stage_id", "user_id", "team_id"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_dict"):
        return {k: _plain(v) for k, v in sorted(value.as_dict().items())}
    return value


def test_specification_and_batched_paths_agree(
    make_client: Any, odoo: OdooEmulator, refuse_specification: Any
) -> None:
    """Every demo record of sale.order, res.partner and crm.lead (archived ones too), with their related
    records, read by one specification call and by the batched reads, field for field."""
    fast, batched = make_client(odoo.url), make_client(odoo.url)
    fast.login("demo", "admin", "admin")
    batched.login("demo", "admin", "admin")

    def read(client: Any, model: str) -> tuple[Any, Any]:
        query = client.model_by_name(model).with_context(active_test=False).order_by("id")
        records = query.prefetch_related(*PLANS[model]).all()
        named = [p + ".display_name" for p in PLANS[model] if "." not in p] + ["name"]
        return _plain(records), query.values(*named)

    expected = {m: read(fast, m) for m in PLANS}
    odoo.reset_counts()
    refuse_specification(*PLANS)
    got = {m: read(batched, m) for m in PLANS}
    assert odoo.count(method="search_read") == 6 and odoo.count(method="read") >= 12
    assert odoo.count(method="web_search_read") == 3  # refused once per model, then remembered
    for model in PLANS:
        assert len(got[model][0]) == len(odoo.db.table(model).rows) > 0
        assert got[model] == expected[model], model


# -- counting with the page, streaming -----------------------------------------------------------------------
def test_page_returns_records_and_total_in_one_call(client: Any, odoo: OdooEmulator) -> None:
    query = client.model(ResPartner).filter(name__ilike="a").only("id", "name", "email")
    total = query.count()
    odoo.reset_counts()
    page = query.order_by("name").page(2, 5)
    assert odoo.requests == 1 and odoo.count("res.partner", "web_search_read") == 1
    assert page.total == total and len(page) == 5 and page.number == 2 and page.pages == -(-total // 5)
    assert [p.name for p in page] == [p.name for p in query.order_by("name").offset(5).limit(5).all()]
    last = query.page(page.pages, 5)
    assert len(last.records) == total - 5 * (page.pages - 1) and last.total == total and not last.has_next
    odoo.reset_counts()
    past = query.page(page.pages + 1, 5)
    assert past.records == [] and past.total == total and odoo.requests == 2  # Odoo says 0 past the end
    with pytest.raises(exc.ClientError, match="page"):
        query.limit(3).page(1, 5)
    with pytest.raises(exc.ClientError, match="page"):
        query.page(0, 5)


def test_page_without_specification_reads_counts_beside(
    client: Any, odoo: OdooEmulator, refuse_specification: Any
) -> None:
    refuse_specification("res.partner")
    page = client.model(ResPartner).only("name").page(1, 10)
    assert len(page) == 10 and page.total == client.model(ResPartner).count()
    odoo.reset_counts()
    client.model(ResPartner).only("name").page(2, 10)
    assert odoo.count(method="search_read") == 1 and odoo.count(method="search_count") == 1
    assert odoo.count(method="web_search_read") == 0


def test_iterate_needs_no_empty_page(
    make_client: Any, odoo19: OdooEmulator, refuse_specification: Any
) -> None:
    client = make_client(odoo19.url)
    client.login("demo", "admin", "admin")
    odoo19.load_partners(10_000, start_name="Streamed")
    query = client.model(ResPartner).filter(name__like="Streamed").only("name", "country_id.code")
    odoo19.reset_counts()
    n = sum(1 for _ in query.iterate(batch_size=1_000))
    assert n == 10_000 and odoo19.requests == odoo19.count("res.partner", "web_search_read") == 10
    refuse_specification("res.partner")
    odoo19.reset_counts()
    assert sum(1 for _ in query.only("name").iterate(batch_size=1_000)) == 10_000
    # the batched plan cannot tell what is left: one empty page at the end (plus the refused call)
    assert odoo19.count("res.partner", "search_read") == 11
