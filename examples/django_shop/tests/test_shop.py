"""The shop's views through Django's test client, against the Odoo emulator (no Odoo needed): the
``zenoo_emulator`` fixture points ZENOO_RPC['default'] at it for each test."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import SimpleTestCase

from zenoo_rpc.contrib.django.testing import EmulatedOdooMixin
from zenoo_rpc.testing import OdooEmulator


# --8<-- [start:test]
def test_orders_come_with_their_customer_and_lines_in_one_call(
    client: Any, zenoo_emulator: OdooEmulator
) -> None:
    response = client.get("/orders/")
    assert response.status_code == 200
    orders = response.context["orders"]
    assert orders and all(o.state in ("sale", "sent") for o in orders)
    assert all(o.partner_id.name for o in orders) and any(o.order_line for o in orders)
    html = response.content.decode()
    assert orders[0].name in html and orders[0].partner_id.name in html
    assert html.count('class="line"') == sum(len(o.order_line) for o in orders)
    assert zenoo_emulator.count("sale.order", "web_search_read") == 1  # customers and lines in the same call
    assert zenoo_emulator.count("res.partner") == 0 and zenoo_emulator.count("sale.order.line") == 0


# --8<-- [end:test]


def test_the_async_partner_view(client: Any, zenoo_emulator: OdooEmulator) -> None:
    response = client.get("/partners/3/")
    assert response.status_code == 200 and response.context["partner"].id == 3
    assert client.get("/partners/999999/").status_code == 404


async def test_the_async_partner_view_on_the_tests_own_loop(
    async_client: Any, zenoo_emulator: OdooEmulator
) -> None:
    response = await async_client.get("/partners/3/")
    assert response.status_code == 200


def test_a_lead_from_the_form(client: Any, zenoo_emulator: OdooEmulator) -> None:
    form = {"name": "Ten chairs", "contact_name": "Ann", "email": "ann@example.com", "description": "soon"}
    response = client.post("/leads/new/", form)
    assert response.status_code == 302
    lead_id = int(response["Location"].rsplit("=", 1)[1])
    page = client.get(response["Location"])
    assert f"lead #{lead_id}" in page.content.decode()
    assert zenoo_emulator.count("crm.lead", "create") == 1


def test_an_invalid_form_sends_nothing(client: Any, zenoo_emulator: OdooEmulator) -> None:
    response = client.post("/leads/new/", {"name": "x", "contact_name": "Ann", "email": "not an email"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert zenoo_emulator.count("crm.lead", "create") == 0


class ShopTests(EmulatedOdooMixin, SimpleTestCase):
    """The same with Django's TestCase classes: the mixin starts an emulator per class."""

    def test_orders(self) -> None:
        response = self.client.get("/orders/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.odoo_emulator.count("sale.order", "web_search_read"), 1)


@pytest.mark.parametrize("path", ["/orders/", "/partners/3/", "/leads/new/"])
def test_every_page_renders(client: Any, zenoo_emulator: OdooEmulator, path: str) -> None:
    assert client.get(path).status_code == 200
