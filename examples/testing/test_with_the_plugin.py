"""A user's tests with the pytest plugin's fixtures: ``odoo`` is the session's emulator, its data restored
and its counters reset after each test."""

from __future__ import annotations

from zenoo_rpc import SyncZenooClient
from zenoo_rpc.testing import OdooEmulator


def test_a_lead_is_created(odoo: OdooEmulator) -> None:
    with SyncZenooClient(odoo.url) as client:
        client.login("demo", "admin", "admin")
        leads = client.model("crm.lead")
        before = leads.count()
        lead_id = leads.create({"name": "Website enquiry", "contact_name": "Ann"})
        assert leads.get(lead_id).name == "Website enquiry"
        assert leads.count() == before + 1
    assert odoo.count("crm.lead", "create") == 1


def test_the_data_is_back_for_the_next_test(odoo: OdooEmulator) -> None:
    with SyncZenooClient(odoo.url) as client:
        client.login("demo", "admin", "admin")
        assert not client.model("crm.lead").filter(name="Website enquiry").exists()
