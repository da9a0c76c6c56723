"""Retry decisions, deadlines and the circuit breaker, in the core alone: no server, a fake clock."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest

from zenoo_rpc import exceptions as exc
from zenoo_rpc._core import flows
from zenoo_rpc._core.connection import Connection
from zenoo_rpc._core.resilience import CircuitBreaker, CircuitState, Deadline, RetryPolicy, give_up
from zenoo_rpc._core.wire import CallInfo, CurrentDeadline, RawResponse, RequestSpec, Sleep


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def drive(flow: Any, clock: Clock, deadline: Deadline | None, answer: Any) -> tuple[Any, list[Any]]:
    """A driver for one flow: ``answer(request)`` returns a RawResponse or raises a TransportError (and may
    move the clock, as a slow attempt does); Sleep moves the clock. Returns (result or error, effects)."""
    effects: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value, effects
        except exc.ZenooError as final:
            return final, effects
        effects.append(effect)
        value, error = None, None
        if isinstance(effect, CurrentDeadline):
            value = deadline
        elif isinstance(effect, Sleep):
            clock.now += effect.seconds
        elif isinstance(effect, RequestSpec):
            try:
                value = answer(effect)
            except exc.TransportError as e:
                error = e
        else:
            raise AssertionError(effect)


OK = RawResponse(200, {}, b'{"jsonrpc": "2.0", "id": 1, "result": ["demo"]}')


def conn(clock: Clock, **breaker: Any) -> Connection:
    return Connection(
        "http://odoo.test", retry=RetryPolicy(max_attempts=5), breaker=CircuitBreaker(clock=clock, **breaker)
    )


# -- deadlines -----------------------------------------------------------------------------------------
def test_attempts_are_capped_by_what_is_left_and_backoff_never_overshoots() -> None:
    clock = Clock()
    deadline = Deadline.start(1.0, clock)
    timeouts: list[float] = []

    def slow(request: RequestSpec) -> RawResponse:
        assert request.timeout is not None
        timeouts.append(request.timeout)
        clock.now += min(request.timeout, 0.3)  # every attempt times out after 0.3 s
        raise exc.RequestTimeout("read timed out", sent=True)

    error, effects = drive(flows.service(conn(clock), "db", "list", []), clock, deadline, slow)
    assert isinstance(error, exc.RequestTimeout)
    assert error.deadline == 1.0 and error.attempts == len(timeouts) and error.waited is not None
    assert error.waited <= 1.0  # the fake clock: sleeps and attempts never passed the deadline
    assert timeouts[0] == pytest.approx(1.0) and all(b < a for a, b in itertools.pairwise(timeouts))
    sleeps = [e.seconds for e in effects if isinstance(e, Sleep)]
    assert len(sleeps) == len(timeouts) - 1
    assert "db.list: no answer after" in str(error) and "deadline 1 s" in str(error)


def test_nothing_is_sent_once_the_deadline_has_passed() -> None:
    clock = Clock()
    deadline = Deadline.start(0.5, clock)
    clock.now += 0.6  # e.g. the earlier requests of the same call used it all
    error, effects = drive(flows.service(conn(clock), "db", "list", []), clock, deadline, lambda r: OK)
    assert isinstance(error, exc.RequestTimeout) and error.attempts == 0 and not error.sent
    assert not any(isinstance(e, RequestSpec) for e in effects)
    assert "deadline passed before this request was sent" in str(error)


def test_no_deadline_sends_without_a_cap() -> None:
    clock = Clock()
    seen: list[RequestSpec] = []
    result, _ = drive(
        flows.service(conn(clock), "db", "list", []), clock, None, lambda r: seen.append(r) or OK
    )
    assert result == ["demo"] and seen[0].timeout is None


# -- what a call raises when it gives up -----------------------------------------------------------------
WRITE = RequestSpec("/jsonrpc", b"", idempotent=False)
READ = RequestSpec("/jsonrpc", b"", idempotent=True)
CREATE = CallInfo("res.partner", "create")


@pytest.mark.parametrize(
    "error",
    [
        exc.ConnectError("dropped", sent=True),
        exc.RequestTimeout("read timed out", sent=True),
        exc.HTTPStatusError(502, "bad gateway"),
        exc.HTTPStatusError(503, "unavailable"),
        exc.HTTPStatusError(504, "gateway timeout"),
        exc.ProtocolError("cut short"),
    ],
)
def test_a_sent_write_without_an_answer_is_unknown(error: exc.TransportError) -> None:
    assert RetryPolicy().decide(WRITE, error, 0) is None  # never retried
    final = give_up(CREATE, WRITE, error, 1, None)
    assert isinstance(final, exc.OutcomeUnknownError) and not isinstance(final, exc.ConnectError)
    assert final.cause is error and (final.model, final.method) == ("res.partner", "create")
    assert str(final).startswith("res.partner.create: the request was sent and may have")


@pytest.mark.parametrize(
    "error", [exc.ConnectError("refused", sent=False), exc.RequestTimeout("connect timed out", sent=False)]
)
def test_a_write_that_was_not_sent_is_retried_and_reported_as_such(error: exc.TransportError) -> None:
    assert RetryPolicy().decide(WRITE, error, 0) is not None
    final = give_up(CREATE, WRITE, error, 3, None)
    assert not isinstance(final, exc.OutcomeUnknownError) and type(final) is type(error)
    assert final.attempts == 3


def test_a_read_gives_up_with_its_own_error() -> None:
    error = exc.ConnectError("dropped", sent=True)
    final = give_up(CallInfo("res.partner", "read"), READ, error, 3, None)
    assert final is error and (final.model, final.method, final.attempts) == ("res.partner", "read", 3)


# -- the circuit breaker ---------------------------------------------------------------------------------
def test_breaker_opens_then_trials_with_growing_intervals_and_heals_on_first_success() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=3, clock=clock)
    for _ in range(2):
        assert b.before_call() == 0
        assert b.record_failure(exc.ConnectError("x")) is False
    assert b.record_failure(last := exc.ConnectError("the third")) is True
    assert b.state is CircuitState.OPEN
    with pytest.raises(exc.CircuitOpenError) as info:
        b.before_call()
    assert info.value.__cause__ is last and info.value.retry_in == pytest.approx(1.0)
    waits = []
    for _ in range(7):  # the server stays down: each failed trial doubles the wait, up to 30 s
        waits.append(b.open_for)
        clock.now += b.open_for - 0.01
        with pytest.raises(exc.CircuitOpenError):
            b.before_call()
        clock.now += 0.01
        trial = b.before_call()
        assert trial and b.state is CircuitState.HALF_OPEN
        assert b.record_failure(exc.ConnectError("still down")) is True
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    clock.now += b.open_for
    assert b.before_call()
    b.record_success()
    assert b.state is CircuitState.CLOSED and b.open_for == 1.0 and b.failures == 0
    assert b.before_call() == 0


def test_one_trial_at_a_time_and_an_abandoned_trial_is_released() -> None:
    clock = Clock()
    b = CircuitBreaker(failure_threshold=1, clock=clock)
    b.record_failure(exc.ConnectError("x"))
    clock.now += 1.0
    trial = b.before_call()
    assert trial
    with pytest.raises(exc.CircuitOpenError, match="trial call is in flight"):
        b.before_call()
    b.release_trial(trial)  # e.g. the trial call was cancelled before it sent anything
    second = b.before_call()
    assert second and second != trial
    b.release_trial(trial)  # a stale release does not free someone else's trial
    with pytest.raises(exc.CircuitOpenError):
        b.before_call()


def test_a_cancelled_trial_flow_releases_the_trial() -> None:
    clock = Clock()
    c = conn(clock, failure_threshold=1)
    c.breaker.record_failure(exc.ConnectError("x"))
    clock.now += 1.0
    flow = flows.service(c, "db", "list", [])
    assert isinstance(flow.send(None), CurrentDeadline)
    assert isinstance(flow.send(None), RequestSpec)  # the trial is in flight
    assert c.breaker.trial_in_flight
    flow.close()  # the caller went away (task cancelled)
    assert not c.breaker.trial_in_flight and c.breaker.before_call()


def test_a_disabled_breaker_never_refuses() -> None:
    b = CircuitBreaker(enabled=False, failure_threshold=1, clock=Clock())
    for _ in range(10):
        assert b.record_failure(exc.ConnectError("x")) is False
        assert b.before_call() == 0


def test_breaker_state_changes_are_safe_across_threads() -> None:
    """Threads share one breaker (the sync face): with the injected lock exactly one trial is granted."""
    clock = Clock()
    b = CircuitBreaker(failure_threshold=1, clock=clock, lock=threading.Lock())
    b.record_failure(exc.ConnectError("x"))
    clock.now += 1.0
    granted: list[int] = []
    refused: list[int] = []
    start = threading.Barrier(16)

    def caller() -> None:
        start.wait()
        for _ in range(200):
            try:
                trial = b.before_call()
            except exc.CircuitOpenError:
                refused.append(1)
            else:
                granted.append(trial)

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 1 and len(refused) == 16 * 200 - 1


def test_a_client_injects_clock_and_lock() -> None:
    from zenoo_rpc import SyncZenooClient

    c = SyncZenooClient("http://127.0.0.1:9")
    breaker = c._conn.breaker
    assert breaker.clock is not None and breaker.lock is not None and breaker.enabled
    assert (breaker.failure_threshold, breaker.reset_timeout, breaker.max_reset_timeout) == (5, 1.0, 30.0)
    assert SyncZenooClient("http://127.0.0.1:9", circuit_breaker=False)._conn.breaker.enabled is False
    with pytest.raises(exc.ClientError, match="timeout= takes a positive number"):
        c.execute_kw("res.partner", "search", [[]], timeout=0)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        SyncZenooClient("http://127.0.0.1:9", timeout=-1)
