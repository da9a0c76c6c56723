"""One login shared by several clients through a session store (``login(..., session_store=)``), renewed once
on expiry; both faces, against the emulator. The store here is a plain dict: the Django one is tested in
test_django.py."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
from conftest import CountingEmulator

from zenoo_rpc import SyncZenooClient
from zenoo_rpc._core.session import SessionInfo
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import DEFAULT_API_KEY


class DictStore:
    """A store in memory: what processes sharing a Redis would see."""

    def __init__(self) -> None:
        self.saved: SessionInfo | None = None
        self.locked = False
        self.saves = 0

    def load(self) -> SessionInfo | None:
        return self.saved

    def save(self, info: SessionInfo) -> None:
        self.saved = info
        self.saves += 1

    def acquire(self) -> bool:
        if self.locked:
            return False
        self.locked = True
        return True

    def release(self) -> None:
        self.locked = False


def test_clients_of_one_store_log_in_once(make_client: Any, counting_odoo: CountingEmulator) -> None:
    store = DictStore()
    first = make_client(counting_odoo.url)
    uid = first.login("demo", "admin", "admin", session_store=store)
    assert counting_odoo.logins == 1 and store.saves == 1
    assert store.saved is not None and store.saved.uid == uid and store.saved.session_id
    second = make_client(counting_odoo.url)
    assert second.login("demo", "admin", "admin", session_store=store) == uid
    assert second.requests_sent == 0  # adopted: no login, and the version came with the session
    assert second.session == first.session and second.protocol == "session"
    assert second.model(ResPartner).filter(is_company=True).count() > 0
    assert counting_odoo.logins == 1


def test_an_expired_session_is_renewed_once_for_every_client(
    make_client: Any, counting_odoo: CountingEmulator
) -> None:
    store = DictStore()
    a, b = make_client(counting_odoo.url), make_client(counting_odoo.url)
    a.login("demo", "admin", "admin", session_store=store)
    b.login("demo", "admin", "admin", session_store=store)
    old = store.saved
    assert old is not None
    counting_odoo.expire_sessions()
    assert b.model(ResPartner).count() > 0  # b renews it and saves the new session
    assert counting_odoo.logins == 2 and store.saved is not None and store.saved.session_id != old.session_id
    assert a.model(ResPartner).count() > 0  # a adopts b's renewal instead of logging in
    assert counting_odoo.logins == 2
    assert a.session == b.session == store.saved


def test_threads_of_one_client_renew_an_expired_session_once(counting_odoo: CountingEmulator) -> None:
    """Before: every thread that saw "Session expired" logged in again (8 threads, up to 8 logins)."""
    with SyncZenooClient(counting_odoo.url) as client:
        client.login("demo", "admin", "admin")
        counting_odoo.expire_sessions()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda _: client.model(ResPartner).count(), range(16)))
        assert len(set(counts)) == 1
        assert counting_odoo.logins == 2


def test_a_session_of_another_login_is_not_adopted(make_client: Any, counting_odoo: CountingEmulator) -> None:
    store = DictStore()
    make_client(counting_odoo.url).login("demo", "demo", "demo", session_store=store)
    admin = make_client(counting_odoo.url)
    uid = admin.login("demo", "admin", "admin", session_store=store)
    assert counting_odoo.logins == 2 and admin.session.login == "admin" and store.saved.uid == uid


def test_json2_shares_the_uid_and_the_version(make_client: Any, counting_odoo: CountingEmulator) -> None:
    store = DictStore()
    first = make_client(counting_odoo.url)
    first.login_with_api_key("demo", "admin", DEFAULT_API_KEY, session_store=store)
    assert first.protocol == "json2" and store.saved is not None and store.saved.session_id is None
    second = make_client(counting_odoo.url)
    second.login_with_api_key("demo", "admin", DEFAULT_API_KEY, session_store=store)
    assert second.requests_sent == 0 and second.protocol == "json2"
    assert second.model(ResPartner).count() > 0
    assert counting_odoo.count("res.users", "search") == 1  # JSON-2's login call, made once


def test_a_store_that_is_down_means_a_login_of_ones_own(
    make_client: Any, counting_odoo: CountingEmulator
) -> None:
    class Down(DictStore):
        def load(self) -> None:
            return None

        def acquire(self) -> bool:
            return True

    a, b = make_client(counting_odoo.url), make_client(counting_odoo.url)
    a.login("demo", "admin", "admin", session_store=Down())
    b.login("demo", "admin", "admin", session_store=Down())
    assert counting_odoo.logins == 2 and b.model(ResPartner).count() > 0


def test_a_client_waits_for_the_one_logging_in(make_client: Any, counting_odoo: CountingEmulator) -> None:
    """Another client holds the lock: this one polls the store until its session appears, and adopts it."""
    donor = SyncZenooClient(counting_odoo.url)
    donor.login("demo", "admin", "admin")
    made = donor.session
    donor.close()

    class Busy(DictStore):
        loads = 0

        def load(self) -> SessionInfo | None:
            self.loads += 1
            return made if self.loads >= 3 else None  # the other client saves it meanwhile

        def acquire(self) -> bool:
            return False

    client = make_client(counting_odoo.url)
    client.login("demo", "admin", "admin", session_store=Busy())
    assert counting_odoo.logins == 1 and client.session == made


def test_session_info_round_trips_and_refuses_what_it_is_not() -> None:
    info = SessionInfo(
        "http://odoo:8069", "demo", "admin", 2, "session", False, "abc", {"server_version": "19.0"}
    )
    assert SessionInfo.from_json(info.to_json()) == info
    assert "abc" not in repr(info)
    for bad in (
        "[]",
        '{"url": "x"}',
        info.to_json().replace('"session"', '"smtp"'),
        info.to_json().replace(":2,", ':"2",'),
    ):
        with pytest.raises(ValueError):
            SessionInfo.from_json(bad)
