"""Retry decisions, call deadlines and the circuit breaker. Pure: clocks and locks are injected.

How a call ends (``flows._send`` applies these):

- a read is retried on dropped connections, timeouts and 502/503/504 while attempts and the deadline allow;
- a request that may change data is retried only when it was certainly not sent (connection refused, connect
  timeout); when it was sent and its answer was lost, the call raises :class:`OutcomeUnknownError`;
- every attempt's socket timeouts are capped by what is left of the call's :class:`Deadline`, and a backoff
  that would end past it is not slept: the call gives up with the error it has;
- the caller always gets the real error; the breaker only refuses a call before it sends anything, and its
  :class:`CircuitOpenError` is chained to the failure that opened it.
"""

from __future__ import annotations

import contextlib
import enum
import random
from collections.abc import Callable
from typing import Any

import attrs

from .errors import (
    CircuitOpenError,
    ConnectError,
    HTTPStatusError,
    OutcomeUnknownError,
    RequestTimeout,
    TransportError,
)
from .wire import CallInfo, RequestSpec

__all__ = ["CircuitBreaker", "CircuitState", "Deadline", "RetryPolicy", "give_up", "within"]


class CircuitState(str, enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@attrs.define
class RetryPolicy:
    """When a failed request is sent again.

    Reads (``RequestSpec.idempotent``) are retried on connection errors, timeouts and 502/503/504, with
    exponential backoff; the first retry after a dropped keep-alive connection is immediate. Anything that
    may change data (create, write, unlink, methods) is retried only when the request was certainly not sent
    (connection refused, connect timeout), so a create is never repeated blindly.
    """

    max_attempts: int = 3
    backoff: float = 0.1
    max_backoff: float = 2.0
    jitter: float = 0.1
    retry_statuses: frozenset[int] = frozenset({502, 503, 504})

    def decide(self, request: RequestSpec, error: TransportError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (``attempt`` counts from 0)."""
        if attempt + 1 >= self.max_attempts:
            return None
        if not request.idempotent:
            if isinstance(error, (ConnectError, RequestTimeout)) and not error.sent:
                return self._delay(attempt)
            return None
        if isinstance(error, HTTPStatusError):
            return self._delay(attempt) if error.status in self.retry_statuses else None
        if isinstance(error, ConnectError):
            return 0.0 if attempt == 0 and error.sent else self._delay(attempt)
        if isinstance(error, RequestTimeout):
            return self._delay(attempt)
        return None

    def _delay(self, attempt: int) -> float:
        base = min(self.max_backoff, self.backoff * (2.0**attempt))
        return float(base + random.uniform(0, self.jitter * base))


@attrs.frozen
class Deadline:
    """When a call must be over: ``timeout`` seconds after ``started`` on ``clock`` (monotonic seconds)."""

    timeout: float
    started: float
    clock: Callable[[], float] = attrs.field(repr=False)

    @classmethod
    def start(cls, timeout: float, clock: Callable[[], float]) -> Deadline:
        return cls(float(timeout), float(clock()), clock)

    def waited(self) -> float:
        return float(self.clock()) - self.started

    def left(self) -> float:
        return self.timeout - self.waited()


def within(request: RequestSpec, deadline: Deadline | None, what: CallInfo, attempts: int) -> RequestSpec:
    """``request`` with its socket timeouts capped by what is left of ``deadline``; RequestTimeout when
    nothing is left (nothing is sent then)."""
    if deadline is None:
        return request
    left = deadline.left()
    if left <= 0:
        raise RequestTimeout.for_call(
            what.model,
            what.method,
            attempts=attempts,
            waited=deadline.waited(),
            deadline=deadline.timeout,
            last=None,
        )
    r = request  # built field by field: attrs.evolve costs twice as much, on every request
    return RequestSpec(r.path, r.body, r.headers, r.method, r.idempotent, left)


def give_up(
    what: CallInfo, request: RequestSpec, error: TransportError, attempts: int, deadline: Deadline | None
) -> TransportError:
    """The error a call raises when it stops retrying ``error`` after ``attempts`` attempts.

    A request that may change data and was sent gives :class:`OutcomeUnknownError`; a timeout gives a
    :class:`RequestTimeout` that says how long the call waited, how many attempts it made and its deadline;
    any other error is raised as it is, with the call and the attempts set on it.
    """
    if not request.idempotent and error.sent:
        return OutcomeUnknownError(what.model, what.method, error, attempts=attempts)
    if isinstance(error, RequestTimeout):
        return RequestTimeout.for_call(
            what.model,
            what.method,
            attempts=attempts,
            waited=deadline.waited() if deadline is not None else 0.0,
            deadline=deadline.timeout if deadline is not None else None,
            last=error,
        )
    error.model, error.method, error.attempts = what.model, what.method, attempts
    return error


@attrs.define(eq=False)
class CircuitBreaker:
    """Refuses calls for a short while after ``failure_threshold`` consecutive transport failures (attempts
    that got no answer from Odoo), then lets ONE trial call through: its success closes the circuit again
    (and resets the interval), its failure re-opens it for twice as long, up to ``max_reset_timeout``.

    Defaults: 5 failures; trial after 1 s, then 2, 4, 8, 16, 30, 30... s while the server stays down.
    ``enabled=False`` (or ``circuit_breaker=False`` on a client) turns it off.

    Thread safety: every state change happens under ``lock``, a context manager the client injects (a
    ``threading.Lock`` shared by the client and its views); with no lock the breaker is for one thread (or
    one event loop) only. ``clock`` (monotonic seconds) is injected the same way.
    """

    failure_threshold: int = 5
    reset_timeout: float = 1.0
    max_reset_timeout: float = 30.0
    enabled: bool = True
    #: seconds, monotonic; the client injects ``time.monotonic`` when none is given
    clock: Callable[[], float] | None = attrs.field(default=None, repr=False)
    #: a context manager held around every state change; the client injects a ``threading.Lock``
    lock: contextlib.AbstractContextManager[Any] | None = attrs.field(default=None, repr=False)
    failures: int = 0
    opened_at: float | None = None
    state: CircuitState = CircuitState.CLOSED
    #: how long the circuit stays open this time (doubles after each failed trial)
    open_for: float = attrs.field(default=attrs.Factory(lambda self: self.reset_timeout, takes_self=True))
    trial_in_flight: bool = False
    last_error: BaseException | None = attrs.field(default=None, repr=False)
    _trials: int = attrs.field(default=0, repr=False)

    def is_closed(self) -> bool:
        """True while calls go through normally (not open, not waiting for a trial's answer)."""
        return self.state is CircuitState.CLOSED

    def _now(self) -> float:
        if self.clock is None:
            raise RuntimeError("CircuitBreaker needs a clock")
        return float(self.clock())

    def _guard(self) -> contextlib.AbstractContextManager[Any]:
        return self.lock if self.lock is not None else contextlib.nullcontext()

    def before_call(self) -> int:
        """Raise :class:`CircuitOpenError` (chained to the failure that opened the circuit) when calls are
        refused now; otherwise 0, or a trial number when this call is the trial that may close it again
        (hand it to :meth:`release_trial` when the call ends)."""
        if not self.enabled or self.is_closed():  # the common case, read without the lock
            return 0
        with self._guard():
            if self.state is CircuitState.CLOSED:
                return 0
            if self.state is CircuitState.OPEN:
                assert self.opened_at is not None
                wait = self.open_for - (self._now() - self.opened_at)
                if wait > 0:
                    raise CircuitOpenError(wait, self.last_error) from self.last_error
                self.state = CircuitState.HALF_OPEN
            if self.trial_in_flight:
                raise CircuitOpenError(0.0, self.last_error, trial=True) from self.last_error
            self.trial_in_flight = True
            self._trials += 1
            return self._trials

    def record_success(self) -> None:
        """An answer from Odoo: the failures are forgotten and an open circuit closes."""
        if not self.enabled or (self.state is CircuitState.CLOSED and not self.failures):
            return
        with self._guard():
            self.failures = 0
            self.state = CircuitState.CLOSED
            self.opened_at = None
            self.open_for = self.reset_timeout
            self.trial_in_flight = False
            self.last_error = None

    def record_failure(self, error: BaseException | None = None) -> bool:
        """Count a transport failure; True when the circuit is open now (the call should stop retrying)."""
        if not self.enabled:
            return False
        with self._guard():
            self.failures += 1
            if error is not None:
                self.last_error = error
            if self.state is CircuitState.HALF_OPEN:  # the trial failed: stay away twice as long
                self.open_for = min(self.max_reset_timeout, self.open_for * 2)
                self._open()
            elif self.state is CircuitState.CLOSED and self.failures >= self.failure_threshold:
                self.open_for = self.reset_timeout
                self._open()
            return self.state is CircuitState.OPEN

    def release_trial(self, trial: int) -> None:
        """The trial call ``trial`` ended. If it recorded neither a success nor a transport failure (it was
        cancelled, or failed before sending), the next call becomes the trial."""
        if self.trial_in_flight:
            with self._guard():
                if self.trial_in_flight and self._trials == trial:
                    self.trial_in_flight = False

    def _open(self) -> None:
        self.state = CircuitState.OPEN
        self.opened_at = self._now()
        self.trial_in_flight = False
