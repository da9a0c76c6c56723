"""Type-check only (never run): mypy must flag each line that carries an E comment, and nothing else."""

from __future__ import annotations

from zenoo_rpc import SyncZenooClient, ZenooClient
from zenoo_rpc.models.common import (
    ProductProduct,
    ResPartner,
    ResPartnerValues,
    SaleOrder,
    TypedSyncZenooClient,
    TypedZenooClient,
)


def sync_usage(client: TypedSyncZenooClient) -> None:
    partners = client.res_partner.filter(ResPartner.F.name.ilike("acme")).all()
    first = partners[0]
    print(first.name, first.country_id)
    client.res_partner.filter(ResPartner.F.nmae.ilike("acme")).all()  # E: misspelled field in filter
    print(first.emial)  # E: misspelled attribute
    values: ResPartnerValues = {"name": "Acme", "emial": "a@example.com"}  # E: misspelled create key
    client.res_partner.create(values)
    count: int = client.res_partner.count()
    print(count)


async def async_usage(client: TypedZenooClient) -> None:
    partners = await client.res_partner.filter(ResPartner.F.country_id.code == "BE").all()
    first = partners[0]
    print(first.name)
    await client.res_partner.filter(ResPartner.F.country_id.cdoe == "BE").all()  # E: misspelled related field
    print(first.phoen)  # E: misspelled attribute
    values: ResPartnerValues = {"nmae": "Acme"}  # E: misspelled create key
    await client.res_partner.create(values)
    wrong: str = await client.res_partner.count()  # E: count() is an int
    print(wrong)


def plain_clients(sync: SyncZenooClient, aclient: ZenooClient) -> None:
    first = sync.model(ResPartner).filter(is_company=True).first()
    if first is not None:
        print(first.name, first.emial)  # E: misspelled attribute through client.model()
    view = sync.with_context(active_test=False)
    view.model(ResPartner).count()
    view.nothing()  # E: with_context() returns the same client type


async def plain_async(aclient: ZenooClient) -> None:
    rows = await aclient.model(ResPartner).only("name").all()
    print(rows[0].nmae)  # E: misspelled attribute through the async client


async def nested_reads(aclient: ZenooClient, sync: SyncZenooClient) -> None:
    orders = await aclient.model(SaleOrder).only("name", "partner_id.name", "order_line.product_id.name").all()
    customer: ResPartner | None = orders[0].partner_id  # a nested record is the related generated class
    product: ProductProduct | None = orders[0].order_line[0].product_id
    print(customer, product)
    if customer is not None:
        print(customer.nmae)  # E: misspelled attribute of a nested record
    for line in orders[0].order_line:
        print(line.product_uom_qty, line.prodcut_id)  # E: misspelled attribute of an x2many record
    wrong: ResPartner | None = orders[0].order_line[0].product_id  # E: lines' products are not partners
    print(wrong)
    page = sync.model(SaleOrder).page(1, 20)
    total: int = page.total
    first: SaleOrder = page.records[0]
    print(total, first.name, page.records[0].nmae)  # E: page records are typed too
