"""A user's own tests with cassettes: recorded once against their Odoo, replayed in CI (docs/cassettes.md).

tests/test_cassettes.py runs this file in a project of its own: first without cassettes (it fails and says how
to record), then recording against an emulator, then replaying with the emulator gone.
"""

from __future__ import annotations

import pytest

from zenoo_rpc import SyncZenooClient, ZenooClient


# --8<-- [start:sync]
@pytest.mark.zenoo_cassette  # cassettes/test_shop/test_companies.yaml, beside this file
def test_companies(zenoo_cassette):
    client = SyncZenooClient(zenoo_cassette.url)
    client.login(zenoo_cassette.db, zenoo_cassette.user, zenoo_cassette.password)
    companies = client.model("res.partner").filter(is_company=True)
    assert companies.count() == len(companies.values("name"))


# --8<-- [end:sync]


# --8<-- [start:async]
@pytest.mark.zenoo_cassette("partners/first.yaml")  # a path of your choice, under cassettes/
async def test_first_partner(zenoo_cassette):
    async with ZenooClient(zenoo_cassette.url) as client:
        await client.login(zenoo_cassette.db, zenoo_cassette.user, zenoo_cassette.password)
        [partner] = await client.execute_kw("res.partner", "read", [[1]], {"fields": ["name"]})
        assert partner["id"] == 1


# --8<-- [end:async]
