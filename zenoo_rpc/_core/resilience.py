"""Retry decisions and the circuit breaker. Pure: the clock is injected."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable

import attrs

from .errors import CircuitOpenError, ConnectError, HTTPStatusError, RequestTimeout, TransportError
from .wire import RequestSpec

__all__ = ["CircuitBreaker", "CircuitState", "RetryPolicy"]


class CircuitState(str, enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@attrs.define
class RetryPolicy:
    """When a failed request is sent again.

    Reads (``RequestSpec.idempotent``) are retried on connection errors, timeouts and 502/503/504, with
    exponential backoff; the first retry after a dropped keep-alive connection is immediate. Anything that
    may change data (create, write, unlink, methods) is retried only when the connection failed before the
    request was sent, so a create is never repeated blindly.
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
            if isinstance(error, ConnectError) and not error.sent:
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


@attrs.define
class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive transport failures; lets one trial call through after
    ``reset_timeout`` seconds (half-open); closes again on a success."""

    failure_threshold: int = 5
    reset_timeout: float = 30.0
    #: seconds, monotonic; the client injects ``time.monotonic`` when none is given
    clock: Callable[[], float] | None = attrs.field(default=None, repr=False)
    failures: int = 0
    opened_at: float | None = None
    state: CircuitState = CircuitState.CLOSED

    def _now(self) -> float:
        if self.clock is None:
            raise RuntimeError("CircuitBreaker needs a clock")
        return float(self.clock())

    def before_call(self) -> None:
        if self.state is CircuitState.OPEN:
            assert self.opened_at is not None
            waited = self._now() - self.opened_at
            if waited < self.reset_timeout:
                raise CircuitOpenError(self.reset_timeout - waited)
            self.state = CircuitState.HALF_OPEN

    def record_success(self) -> None:
        self.failures = 0
        self.state = CircuitState.CLOSED
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.state is CircuitState.HALF_OPEN or self.failures >= self.failure_threshold:
            self.state = CircuitState.OPEN
            self.opened_at = self._now()
