"""The query builder and records on both faces, against the emulator of every version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zenoo_rpc import Command, Q
from zenoo_rpc import exceptions as exc
from zenoo_rpc.models.common import ProductProduct, ResPartner, SaleOrder, SaleOrderLine
from zenoo_rpc.testing import OdooEmulator


@pytest.fixture(params=["19.0"])
def odoo(request: pytest.FixtureRequest, emulators: dict[str, OdooEmulator]) -> Any:
    """The generated classes are those of the 19.0 demo schema: they query a 19.0 server (other versions
    are covered with model_by_name below, and by the 17.0/18.0 golden packages in test_generator)."""
    server = emulators[request.param]
    server.reset_counts()
    yield server
    server.reset_data()
    server.reset_counts()


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_dynamic_models_on_every_version(
    make_client: Any, emulators: dict[str, OdooEmulator], version: str
) -> None:
    odoo = emulators[version]
    client = make_client(odoo.url)
    client.login("demo", "admin", "admin")
    try:
        orders = client.model_by_name("sale.order")
        odoo.reset_counts()
        rows = orders.filter(state="sale").prefetch_related("partner_id", "order_line.product_id").all()
        assert len(rows) == 19 and all(o.partner_id.name for o in rows)
        assert all(line.product_id.display_name for o in rows for line in o.order_line)
        # fields_get once per model (sale.order, res.partner, sale.order.line, product.product), then one
        # web_search_read with the nested specification
        assert odoo.requests == 5 and odoo.count("sale.order", "web_search_read") == 1
        grouped = orders.group_by("state").aggregate("amount_total:sum", "__count")
        assert {r["state"]: r["__count"] for r in grouped}["sale"] == 19
        ids = [p.id for p in client.model_by_name("res.partner").iterate(batch_size=7)]
        assert ids == sorted(ids) and len(ids) == client.model_by_name("res.partner").count()
        new = client.model_by_name("res.partner").create({"name": "Dyn"})
        assert client.model_by_name("res.partner").get(new).name == "Dyn"
    finally:
        odoo.reset_data()


def test_filter_order_limit_offset(client: Any, odoo: OdooEmulator) -> None:
    q = client.model(ResPartner).filter(is_company=True).order_by("-name").only("name", "email")
    everything = q.all()
    names = [p.name for p in everything]
    assert names == sorted(names, key=str.casefold, reverse=True) and len(names) >= 8
    page = q.limit(3).offset(2).all()
    assert [p.id for p in page] == [p.id for p in everything[2:5]]
    assert page[0].email is None or "@" in page[0].email
    with pytest.raises(exc.FieldNotLoadedError) as info:
        page[0].phone  # noqa: B018 - only() left it out
    assert "res.partner.phone" in str(info.value)
    assert q.count() == len(everything)
    assert q.exclude(name__ilike="a").count() == sum(1 for n in names if "a" not in n.lower())
    expected = sum(1 for n in names if "wood" in n.lower() or "azure" in n.lower())
    assert q.filter(Q(name__ilike="wood") | Q(name__ilike="azure")).count() == expected >= 2


def test_first_get_exists_ids_values(client: Any, odoo: OdooEmulator) -> None:
    partners = client.model(ResPartner)
    first = partners.filter(is_company=True).order_by("id").first()
    assert first.id == 1
    assert partners.get(first.id).name == first.name
    assert partners.get(name="Azure Interior").is_company is True
    with pytest.raises(exc.DoesNotExist):
        partners.get(name="Nobody At All")
    with pytest.raises(exc.MultipleObjectsReturned):
        partners.get(is_company=True)
    assert partners.filter(name="Nobody At All").exists() is False
    assert partners.filter(name="Nobody At All").first() is None
    ids = partners.filter(parent_id__name="Azure Interior").ids()
    assert len(ids) == 3
    rows = partners.filter(id__in=ids).only("id", "name", "email").values()
    assert {r["id"] for r in rows} == set(ids) and set(rows[0]) == {"id", "name", "email"}
    assert sorted(partners.filter(id__in=ids).values_list("id", flat=True)) == sorted(ids)
    pairs = partners.filter(id__in=ids).order_by("id").values_list("id", "name")
    assert pairs[0][0] == min(ids) and isinstance(pairs[0][1], str)


def test_dynamic_model_by_name(client: Any, odoo: OdooEmulator) -> None:
    countries = client.model_by_name("res.country").filter(code__in=["BE", "FR"]).order_by("code").all()
    assert [c.code for c in countries] == ["BE", "FR"]
    assert countries[0].currency_id.display_name == "EUR"
    with pytest.raises(exc.UnknownFieldError):
        client.model_by_name("res.country").filter(nope=1).all()


def test_types_are_converted(client: Any, odoo: OdooEmulator) -> None:
    order = client.model(SaleOrder).order_by("id").first()
    assert isinstance(order.date_order, dt.datetime) and order.date_order.tzinfo is dt.timezone.utc
    assert isinstance(order.amount_total, float)
    assert isinstance(order.partner_id, ResPartner) and order.partner_id.display_name
    assert all(isinstance(line, SaleOrderLine) for line in order.order_line)
    assert order.state in ("draft", "sent", "sale", "cancel")


def test_create_one_call_for_a_list(client: Any, odoo: OdooEmulator) -> None:
    partners = client.model(ResPartner)
    partners.count()  # the generated class carries the schema: nothing else is read
    odoo.reset_counts()
    ids = partners.create([{"name": f"Batch {i}", "email": f"b{i}@example.com"} for i in range(100)])
    assert len(ids) == 100 and odoo.count("res.partner", "create") == 1 and odoo.requests == 1
    one = partners.create({"name": "Solo", "category_id": [Command.set([1, 2])]})
    assert isinstance(one, int)
    assert sorted(c.id for c in partners.get(one).category_id) == [1, 2]


@pytest.mark.parametrize(
    ("values", "error", "words"),
    [
        ({"name": "X", "nope": 1}, exc.UnknownFieldError, "res.partner has no field 'nope'"),
        (
            {"name": "X", "color": "red"},
            exc.InvalidValueError,
            "res.partner.color: an integer field takes int",
        ),
        ({"name": "X", "type": "robot"}, exc.InvalidValueError, "res.partner.type: 'robot' is not one of"),
        ({"name": "X", "category_id": 5}, exc.InvalidValueError, "x2many field takes a list of commands"),
    ],
)
def test_bad_values_rejected_before_sending(
    client: Any, odoo: OdooEmulator, values: dict[str, Any], error: type, words: str
) -> None:
    partners = client.model(ResPartner)
    odoo.reset_counts()
    with pytest.raises(error) as info:
        partners.create(values)
    assert words in str(info.value)
    assert odoo.requests == 0


def test_bad_query_input_rejected_before_sending(client: Any, odoo: OdooEmulator) -> None:
    partners = client.model(ResPartner)
    odoo.reset_counts()
    with pytest.raises(exc.ClientError):
        partners.limit(-1)
    with pytest.raises(exc.UnknownFieldError):
        partners.order_by("nope")
    with pytest.raises(exc.ClientError):
        partners.order_by("name; drop table")
    with pytest.raises(exc.UnknownFieldError):
        partners.only("nope")
    with pytest.raises(exc.InvalidLookupError):
        partners.filter(is_company__ilike="x")
    with pytest.raises(exc.ClientError):
        partners.order_by("name").iterate()
    assert odoo.requests == 0


def test_update_delete_save_refresh_call(client: Any, odoo: OdooEmulator) -> None:
    partners = client.model(ResPartner)
    ids = partners.create([{"name": "U1"}, {"name": "U2"}])
    assert partners.filter(id__in=ids).update(city="Namur") == 2
    assert {p.city for p in partners.filter(id__in=ids).all()} == {"Namur"}
    rec = partners.get(ids[0])
    rec.phone = "+32 81 00 00 00"
    odoo.reset_counts()
    assert client.resolve(rec.save()) is True
    assert odoo.count("res.partner", "write") == 1
    assert client.resolve(rec.save()) is False  # nothing changed: nothing sent
    partners.filter(id=ids[0]).update(city="Liège")
    client.resolve(rec.refresh())
    assert rec.city == "Liège"
    client.resolve(rec.delete())
    assert partners.filter(id__in=ids).count() == 1
    assert partners.filter(id__in=ids).delete() == 1
    order_id = client.create(
        "sale.order",
        {"partner_id": 12, "order_line": [Command.create({"product_id": 5, "product_uom_qty": 1})]},
    )
    order = client.model(SaleOrder).get(order_id)
    client.resolve(order.call("action_confirm"))
    assert client.model(SaleOrder).get(order_id).state == "sale"
    with pytest.raises(exc.UserError):
        client.model(SaleOrder).filter(id=order_id).delete()


def test_prefetch_is_constant_in_calls(client: Any, odoo: OdooEmulator) -> None:
    """Orders -> customer, lines -> products: the same number of calls for 3 orders or all of them."""

    def load(limit: int | None) -> tuple[int, list[dict[str, Any]]]:
        odoo.reset_counts()
        orders = (
            client.model(SaleOrder)
            .filter(state="sale")
            .limit(limit)
            .prefetch_related("partner_id", "order_line", "order_line.product_id")
            .select_related("partner_id")
            .all()
        )
        rows = [
            {
                "customer": o.partner_id.name,
                "total": o.amount_total,
                "lines": len(o.order_line),
                "products": [line.product_id.name for line in o.order_line],
            }
            for o in orders
        ]
        return odoo.requests, rows

    few_calls, few = load(3)
    assert len(few) == 3
    all_calls, rows = load(None)
    assert few_calls == all_calls == 1  # one web_search_read: orders, customers, lines and their products
    assert len(rows) > 3 and all(r["customer"] and len(r["products"]) == r["lines"] for r in rows)


def test_prefetch_many2many_and_children(client: Any, odoo: OdooEmulator) -> None:
    partners = (
        client.model(ResPartner)
        .filter(is_company=True)
        .prefetch_related("category_id", "child_ids")
        .only("id", "name", "email", "child_ids", "category_id")
        .all()
    )
    some = [p for p in partners if p.child_ids]
    assert some and all(child.name for p in some for child in p.child_ids)
    assert all(isinstance(c.name, str) for p in partners for c in p.category_id)


def test_iterate_streams_by_keyset(client: Any, odoo: OdooEmulator) -> None:
    total = client.model(ResPartner).count()
    odoo.reset_counts()
    seen = [p.id for p in client.model(ResPartner).only("name").iterate(batch_size=10)]
    assert len(seen) == total and seen == sorted(seen)
    # each page tells how many records are left: no empty page at the end
    assert odoo.count("res.partner", "web_search_read") == odoo.requests == -(-total // 10)


def test_aggregate_same_shape_on_every_version(client: Any, odoo: OdooEmulator) -> None:
    rows = (
        client.model(SaleOrder).group_by("state").order_by("state").aggregate("amount_total:sum", "__count")
    )
    by_state = {r["state"]: r for r in rows}
    assert by_state["sale"]["__count"] == 19 and by_state["sale"]["amount_total:sum"] > 0
    method = "formatted_read_group" if odoo.version == "19.0" else "read_group"
    assert odoo.count("sale.order", method) == 1
    total = client.model(SaleOrder).filter(state="sale").aggregate("amount_total:sum")
    assert len(total) == 1 and total[0]["amount_total:sum"] == pytest.approx(
        by_state["sale"]["amount_total:sum"]
    )
    monthly = client.model(SaleOrder).group_by("date_order:month").aggregate("__count")
    assert sum(r["__count"] for r in monthly) == client.model(SaleOrder).count()


def test_batch_context(client: Any, odoo: OdooEmulator) -> None:
    client.setup_batch_manager(max_chunk_size=40, max_concurrency=3)
    data = [{"name": f"Bulk {i}"} for i in range(100)]
    with client.raw.batch_context() as batch:
        batch.create("res.partner", data)
        odoo.reset_counts()
        results = client.resolve(batch.execute())
    ids = results[0].result
    assert len(ids) == 100 and results[0].calls == 3 and odoo.count("res.partner", "create") == 3
    with client.raw.batch_context(max_chunk_size=50) as batch:
        batch.update("res.partner", [{"id": i, "city": "Gent" if i % 2 else "Gand"} for i in ids])
        batch.delete("res.partner", ids[:10])
        results = client.resolve(batch.execute())
    assert odoo.count("res.partner", "write") == 2  # one write per distinct set of values
    assert client.model(ResPartner).filter(id__in=ids).count() == 90


def test_cache_serves_repeats_and_writes_invalidate(client: Any, odoo: OdooEmulator) -> None:
    q = client.model(ResPartner).filter(is_company=True).only("name").cache(ttl=300)
    first = q.all()
    odoo.reset_counts()
    again = q.all()
    assert [p.id for p in again] == [p.id for p in first] and odoo.requests == 0
    client.model(ResPartner).create({"name": "New Company", "is_company": True})
    assert len(q.all()) == len(first) + 1  # the create dropped the cached reads of this database
    stats = client.resolve(client.raw.cache_manager.get_stats())
    assert stats["hits"] >= 1 and stats["misses"] >= 2


def test_cache_never_crosses_users(make_client: Any, odoo: OdooEmulator) -> None:
    admin = make_client(odoo.url)
    admin.login("demo", "admin", "admin")
    demo = make_client(odoo.url)
    demo.login("demo", "demo", "demo")
    shared_cache = admin.raw._shared
    demo.raw._shared = shared_cache  # even with one cache store, keys are per server, database and user
    admin.model(ResPartner).only("name").cache(ttl=60).count()
    odoo.reset_counts()
    demo.model(ResPartner).only("name").cache(ttl=60).count()
    assert odoo.requests == 1


def test_with_context_on_queries(client: Any, odoo: OdooEmulator) -> None:
    active = client.model(ResPartner).count()
    everything = client.model(ResPartner).with_context(active_test=False).count()
    archived = client.with_context(active_test=False).model(ResPartner).filter(active=False).count()
    assert everything == active + archived and archived > 0


def test_products_through_template_fields(client: Any, odoo: OdooEmulator) -> None:
    chairs = client.model(ProductProduct).filter(name__icontains="chair").only("name", "list_price").all()
    assert chairs and all("chair" in p.name.lower() and p.list_price >= 0 for p in chairs)


def test_a_failed_batch_chunk_hides_nothing(client: Any, odoo: OdooEmulator) -> None:
    client.setup_batch_manager(max_chunk_size=10, max_concurrency=2)
    data = [{"name": f"Part {i}"} for i in range(30)]
    data[15] = {"email": "no-name@example.com"}  # Odoo refuses a contact without a name: chunk 2 fails
    before = client.model(ResPartner).count()
    with client.raw.batch_context() as batch:
        batch.create("res.partner", data)
        with pytest.raises(exc.BatchError) as info:
            client.resolve(batch.execute())
    err = info.value
    created = err.results[0].result
    assert len(created) == 20 and len(err.failures) == 1
    index, chunk, cause = err.failures[0]
    assert index == 0 and chunk == data[10:20] and isinstance(cause, exc.ValidationError)
    assert client.model(ResPartner).count() == before + 20
    assert sorted(client.model(ResPartner).filter(id__in=created).values_list("id", flat=True)) == sorted(
        created
    )


def test_a_bad_value_anywhere_in_a_batch_sends_nothing(client: Any, odoo: OdooEmulator) -> None:
    """Values are checked for the whole batch before its first chunk: a wrong type in the last chunk used to
    fail that chunk only, after the others had been created."""
    client.setup_batch_manager(max_chunk_size=10, max_concurrency=2)
    data: list[dict[str, Any]] = [{"name": f"Part {i}"} for i in range(30)]
    data[25] = {"name": "Bad", "color": "red"}  # color is an integer field
    odoo.reset_counts()
    with client.raw.batch_context() as batch:
        batch.create("res.partner", data)
        batch.update("res.partner", [{"id": 1, "city": 7}])  # and a char field given an int
        with pytest.raises(exc.InvalidValueError, match=r"res\.partner\.color"):
            client.resolve(batch.execute())
    assert odoo.count("res.partner", "create") == 0 and odoo.count("res.partner", "write") == 0


def test_independent_calls_run_concurrently_on_both_faces(
    make_client: Any, emulators: dict[str, OdooEmulator], refuse_specification: Any
) -> None:
    """Batch chunks and sibling prefetches overlap, bounded by max_concurrency (the sync face uses threads)."""
    refuse_specification("sale.order")  # the batched plan: one read per relation, siblings in parallel
    with OdooEmulator("19.0", latency_ms=30) as odoo:
        client = make_client(odoo.url, max_concurrency=3)
        client.login("demo", "admin", "admin")
        client.setup_batch_manager(max_chunk_size=5, max_concurrency=3)
        odoo.reset_counts()
        with client.raw.batch_context() as batch:
            batch.create("res.partner", [{"name": f"C{i}"} for i in range(30)])  # 6 chunks, waves of 3
            results = client.resolve(batch.execute())
        assert len(results[0].result) == 30 and odoo.count("res.partner", "create") == 6
        assert odoo.max_in_flight == 3
        odoo.reset_counts()
        orders = (
            client.model(SaleOrder).filter(state="sale").prefetch_related("partner_id", "order_line").all()
        )
        assert all(o.partner_id.name for o in orders)
        assert odoo.max_in_flight == 2  # the customers and the lines were read at the same time


def test_batch_operations_apply_in_order(client: Any, odoo: OdooEmulator) -> None:
    """Chunks of one operation overlap; operations never overtake each other (a delete after an update)."""
    ids = client.model(ResPartner).create([{"name": f"Order {i}"} for i in range(12)])
    client.setup_batch_manager(max_chunk_size=2, max_concurrency=8)
    for _ in range(5):
        with client.raw.batch_context() as batch:
            batch.update("res.partner", [{"id": i, "city": "Mons"} for i in ids])
            batch.delete("res.partner", ids[:6])
            batch.create("res.partner", [{"name": "After", "city": "Mons"}])
            results = client.resolve(batch.execute())
        assert [r.calls for r in results] == [6, 3, 1]
        ids = [*ids[6:], results[2].result[0]]
        ids += client.model(ResPartner).create([{"name": f"More {i}"} for i in range(5)])
