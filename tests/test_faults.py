"""The fault suite: both faces, through the real loopback FaultProxy in front of the emulator.

Reads survive one fault or raise a clear transport error; no write is ever applied twice (creates are counted
on the emulator); a write whose answer was lost raises OutcomeUnknownError; a slow answer raises a timeout
within the call's deadline. Timing is asserted through the exceptions' attempts and deadlines, never the wall
clock.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from zenoo_rpc import CircuitBreaker, RetryPolicy
from zenoo_rpc import exceptions as exc
from zenoo_rpc.testing import FaultProxy, OdooEmulator
from zenoo_rpc.testing._proxy import ProxiedRequest

#: socket read timeout of the suite's clients: a "slow" answer is held back longer than this
READ_TIMEOUT = 0.8
SLOW = 2.0


def is_create(request: ProxiedRequest) -> bool:
    return b'"create"' in request.body


def is_count(request: ProxiedRequest) -> bool:
    return b'"search_count"' in request.body


@pytest.fixture
def proxy(odoo19: OdooEmulator) -> Iterator[FaultProxy]:
    with FaultProxy(upstream=odoo19.url) as p:
        yield p


@pytest.fixture
def client(make_client: Any, proxy: FaultProxy, odoo19: OdooEmulator) -> Any:
    c = make_client(proxy.url, read_timeout=READ_TIMEOUT)
    c.login("demo", "admin", "admin")
    c.create("res.partner", {"name": "Schema Warm-up"})  # the first create reads the model's fields once
    proxy.reset_counts()
    odoo19.reset_counts()
    return c


def _named(odoo: OdooEmulator, name: str) -> int:
    table = odoo.db.table("res.partner")
    assert table is not None
    return sum(1 for row in table.rows.values() if row.get("name") == name)


def _unique() -> str:
    return f"Fault Suite {uuid.uuid4().hex[:10]}"


# -- reads -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fault", ["drop_after_forward", "drop_before_forward", "502", "503", "504", "slow"])
def test_a_read_survives_one_fault(client: Any, proxy: FaultProxy, fault: str) -> None:
    expected = client.execute_kw("res.partner", "search_count", [[]])
    proxy.inject(fault, match=is_count, seconds=SLOW)
    assert client.execute_kw("res.partner", "search_count", [[]]) == expected
    assert proxy.pending_faults == 0
    assert proxy.received == 3  # the first read, the faulty attempt, the retry


def test_a_read_survives_idle_keepalive_closed(client: Any, proxy: FaultProxy) -> None:
    expected = client.execute_kw("res.partner", "search_count", [[]])
    assert proxy.close_idle_connections() >= 1
    assert client.execute_kw("res.partner", "search_count", [[]]) == expected
    proxy.inject("close_after_answer", match=is_count)
    assert client.execute_kw("res.partner", "search_count", [[]]) == expected
    assert client.execute_kw("res.partner", "search_count", [[]]) == expected  # on a fresh connection


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("drop_after_forward", exc.ConnectError),
        ("drop_before_forward", exc.ConnectError),
        ("502", exc.HTTPStatusError),
        ("slow", exc.RequestTimeout),
    ],
)
def test_a_read_that_keeps_failing_raises_a_clear_transport_error(
    client: Any, proxy: FaultProxy, fault: str, error: type[Exception]
) -> None:
    proxy.inject(fault, count=10, match=is_count, seconds=SLOW)
    with pytest.raises(error) as info:
        client.execute_kw("res.partner", "search_count", [[]])
    e = info.value
    assert isinstance(e, exc.TransportError) and not isinstance(e, exc.OutcomeUnknownError)
    assert (e.model, e.method, e.attempts) == ("res.partner", "search_count", 3)
    assert proxy.received == 3  # RetryPolicy's default: three attempts, then the real error
    if fault == "slow":
        assert "res.partner.search_count" in str(e) and "3 attempt(s)" in str(e)


# -- writes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "applied"),
    [("drop_after_forward", 1), ("drop_before_forward", 0), ("502", 0), ("503", 0), ("504", 0), ("slow", 1)],
)
def test_a_write_whose_answer_is_lost_is_unknown_and_never_repeated(
    client: Any, proxy: FaultProxy, odoo19: OdooEmulator, fault: str, applied: int
) -> None:
    name = _unique()
    proxy.inject(fault, match=is_create, seconds=SLOW)
    with pytest.raises(exc.OutcomeUnknownError) as info:
        client.create("res.partner", {"name": name})
    e = info.value
    assert not isinstance(e, exc.ConnectError)  # never "nothing happened, safe to retry"
    assert isinstance(e, exc.TransportError) and e.sent
    assert (e.model, e.method, e.attempts) == ("res.partner", "create", 1)
    assert "res.partner.create" in str(e) and "may have" in str(e) and "re-read" in str(e)
    assert isinstance(e.__cause__, exc.TransportError) and e.cause is e.__cause__
    # sent once, whatever happened to it; Odoo applied it once or not at all
    assert sum(1 for r in proxy.requests if is_create(r)) == 1
    assert odoo19.count("res.partner", "create") == applied
    assert _named(odoo19, name) == applied


def test_a_write_after_idle_keepalive_closed_is_applied_once(
    client: Any, proxy: FaultProxy, odoo19: OdooEmulator
) -> None:
    for _ in range(3):
        name = _unique()
        assert proxy.close_idle_connections() >= 1
        assert client.create("res.partner", {"name": name}) > 0
        assert _named(odoo19, name) == 1
    assert odoo19.count("res.partner", "create") == 3


def test_a_write_not_sent_is_retried(make_client: Any, odoo19: OdooEmulator) -> None:
    """Connection refused before sending: nothing can have been applied, so a create is sent again; when it
    keeps failing the caller gets ConnectError (nothing was sent), not OutcomeUnknownError."""
    with FaultProxy(upstream=odoo19.url) as first:
        c = make_client(first.url, retry=RetryPolicy(max_attempts=3, backoff=0.01))
        c.login("demo", "admin", "admin")
        c.create("res.partner", {"name": "Schema Warm-up"})
    # the proxy is gone: its port refuses connections
    with pytest.raises(exc.ConnectError) as info:
        c.create("res.partner", {"name": _unique()})
    assert not isinstance(info.value, exc.OutcomeUnknownError) and not info.value.sent
    assert (info.value.model, info.value.method, info.value.attempts) == ("res.partner", "create", 3)
    with FaultProxy(upstream=odoo19.url, port=first.port) as back:
        name = _unique()
        assert c.create("res.partner", {"name": name}) > 0
        assert _named(odoo19, name) == 1 and back.received == 1


def test_batch_error_names_the_chunks_whose_outcome_is_unknown(
    client: Any, proxy: FaultProxy, odoo19: OdooEmulator
) -> None:
    names = [_unique() for _ in range(6)]
    lost = {names[2], names[3]}
    proxy.inject("drop_after_forward", match=lambda r: names[2].encode() in r.body)
    proxy.inject("drop_before_forward", match=lambda r: names[4].encode() in r.body)
    batch = client.batch_context(max_chunk_size=2)
    batch.create("res.partner", [{"name": n} for n in names])
    with pytest.raises(exc.BatchError) as info:
        client.resolve(batch.execute())
    e = info.value
    assert len(e.failures) == 2 and len(e.unknown) == 2
    assert {tuple(v["name"] for v in chunk) for _, chunk, _ in e.unknown} == {
        (names[2], names[3]),
        (names[4], names[5]),
    }
    assert all(isinstance(err, exc.OutcomeUnknownError) for _, _, err in e.unknown)
    assert "outcome of 2 chunk(s) is unknown" in str(e) and "res.partner.create" in str(e)
    assert len(e.results[0].result) == 2  # the ids of the chunk that answered
    for n in names:  # every record exists at most once; the lost-after-forwarding chunk was applied once
        assert _named(odoo19, n) == (1 if n in lost or n in names[:2] else 0)


# -- deadlines ---------------------------------------------------------------------------------------------
def test_a_slow_answer_raises_a_timeout_within_the_call_deadline(make_client: Any, proxy: FaultProxy) -> None:
    c = make_client(proxy.url, read_timeout=30)  # the socket timeout alone would wait 30 s, three times
    c.login("demo", "admin", "admin")
    proxy.inject("slow", count=10, match=is_count, seconds=3)
    with pytest.raises(exc.RequestTimeout) as info:
        c.model_by_name("res.partner").count(timeout=1.0)
    e = info.value
    assert (e.model, e.method, e.attempts, e.deadline) == ("res.partner", "search_count", 1, 1.0)
    assert e.waited is not None and "res.partner.search_count" in str(e) and "1 attempt(s)" in str(e)
    assert "deadline 1 s" in str(e)
    assert sum(1 for r in proxy.requests if is_count(r)) == 1  # no retry could end before the deadline


def test_the_client_timeout_is_every_call_s_deadline(make_client: Any, proxy: FaultProxy) -> None:
    c = make_client(proxy.url, timeout=0.5, read_timeout=30)
    c.login("demo", "admin", "admin")
    proxy.inject("slow", count=10, match=is_count, seconds=3)
    with pytest.raises(exc.RequestTimeout) as info:
        c.execute_kw("res.partner", "search_count", [[]])
    assert info.value.deadline == 0.5 and info.value.attempts == 1
    with pytest.raises(exc.RequestTimeout) as info:
        c.call("res.partner", "search_count", [], timeout=0.4)
    assert info.value.deadline == 0.4
    assert c.execute_kw("res.partner", "search", [[]], {"limit": 1}, timeout=5) != []


def test_a_slow_write_is_unknown_within_its_deadline(
    make_client: Any, proxy: FaultProxy, odoo19: OdooEmulator
) -> None:
    c = make_client(proxy.url, read_timeout=30)
    c.login("demo", "admin", "admin")
    name = _unique()
    proxy.inject("slow", match=is_create, seconds=3)
    with pytest.raises(exc.OutcomeUnknownError) as info:
        c.model_by_name("res.partner").create({"name": name}, timeout=1.0)
    assert isinstance(info.value.cause, exc.RequestTimeout)
    assert _named(odoo19, name) == 1


def test_iterate_bounds_each_page(make_client: Any, proxy: FaultProxy) -> None:
    c = make_client(proxy.url, read_timeout=30)
    c.login("demo", "admin", "admin")
    query = c.model_by_name("res.partner").only("name")
    assert len(list(query.iterate(batch_size=10, timeout=5))) > 10
    proxy.inject("slow", count=10, match=lambda r: b'"web_search_read"' in r.body, seconds=3)
    with pytest.raises(exc.RequestTimeout) as info:
        list(query.iterate(batch_size=10, timeout=0.5))
    assert info.value.method == "web_search_read" and info.value.deadline == 0.5


# -- the circuit breaker -----------------------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_never_hides_the_real_error(make_client: Any, proxy: FaultProxy) -> None:
    """Earlier, unrelated failures plus a read that times out twice: the caller gets the timeout, and the
    next call's CircuitOpenError is chained to it."""
    clock = FakeClock()
    c = make_client(proxy.url, read_timeout=READ_TIMEOUT, circuit_breaker=CircuitBreaker(clock=clock))
    c.login("demo", "admin", "admin")
    proxy.inject("502", count=3, match=is_count)
    with pytest.raises(exc.HTTPStatusError):  # an earlier call: three failed attempts
        c.execute_kw("res.partner", "search_count", [[]])
    proxy.inject("slow", count=2, match=lambda r: b'"search"' in r.body, seconds=SLOW)
    with pytest.raises(exc.RequestTimeout) as timed_out:  # the fifth failure opens the breaker
        c.execute_kw("res.partner", "search", [[]], {"limit": 1})
    assert timed_out.value.attempts == 2
    with pytest.raises(exc.CircuitOpenError) as refused:
        c.execute_kw("res.partner", "search", [[]], {"limit": 1})
    assert refused.value.__cause__ is refused.value.last_error
    assert isinstance(refused.value.__cause__, exc.RequestTimeout)
    assert "RequestTimeout" in str(refused.value)


def test_the_breaker_heals_on_the_first_success_after_a_short_outage(
    make_client: Any, proxy: FaultProxy, odoo19: OdooEmulator
) -> None:
    clock = FakeClock()
    c = make_client(proxy.url, retry=RetryPolicy(max_attempts=1), circuit_breaker=CircuitBreaker(clock=clock))
    c.login("demo", "admin", "admin")
    proxy.inject("drop_before_forward", count=100)  # the outage
    for _ in range(5):
        with pytest.raises(exc.ConnectError):
            c.execute_kw("res.partner", "search_count", [[]])
    with pytest.raises(exc.CircuitOpenError):
        c.execute_kw("res.partner", "search_count", [[]])
    clock.now += 1.0  # one second later: one trial is let through; the server is still down
    with pytest.raises(exc.ConnectError):
        c.execute_kw("res.partner", "search_count", [[]])
    clock.now += 1.5  # the next trial comes 2 s after the failed one
    with pytest.raises(exc.CircuitOpenError):
        c.execute_kw("res.partner", "search_count", [[]])
    proxy.clear_faults()  # the server is back
    clock.now += 0.5
    received = proxy.received
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0  # the trial heals it
    for _ in range(3):
        assert c.execute_kw("res.partner", "search_count", [[]]) > 0
    assert proxy.received == received + 4
    assert c.raw._conn.breaker.state.value == "closed"


def test_the_breaker_can_be_turned_off(make_client: Any, proxy: FaultProxy) -> None:
    c = make_client(proxy.url, retry=RetryPolicy(max_attempts=1), circuit_breaker=False)
    c.login("demo", "admin", "admin")
    proxy.inject("drop_before_forward", count=20)
    for _ in range(12):
        with pytest.raises(exc.ConnectError):
            c.execute_kw("res.partner", "search_count", [[]])
    assert proxy.received == 13  # the login and every call went out


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "session"])
def test_a_login_is_retried_like_a_read(make_client: Any, proxy: FaultProxy, protocol: str) -> None:
    """A login changes nothing: its lost answer is retried, never reported as a write that may have been
    applied."""
    c = make_client(proxy.url, protocol=protocol)
    proxy.inject(
        "drop_after_forward",
        path="/web/session"
        if protocol == "session"
        else "/xmlrpc/2/common"
        if protocol == "xmlrpc"
        else "/jsonrpc",
    )
    with warnings.catch_warnings():  # forced jsonrpc/xmlrpc on 19: the deprecation warning is not this test's
        warnings.simplefilter("ignore", exc.DeprecatedProtocolWarning)
        assert c.login("demo", "admin", "admin") == 2
    # the login twice (its answer was lost once); forced jsonrpc/xmlrpc also ask the version beside it
    assert proxy.forwarded == (2 if protocol == "session" else 3)


def test_no_deadline_with_math_inf(make_client: Any, proxy: FaultProxy) -> None:
    import math

    c = make_client(proxy.url, timeout=math.inf)
    c.login("demo", "admin", "admin")
    assert c.execute_kw("res.partner", "search_count", [[]], timeout=math.inf) > 0
