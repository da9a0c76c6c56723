"""What ``flows._send`` tells an observer about each request it sends. Pure: no clock, no lock, no logging.

The client injects an observer (``zenoo_rpc._instrument.Instrument``) that times requests, keeps stats,
logs and calls the user's event hooks; :data:`NULL_OBSERVER` is the default for a bare connection.
Per request: ``begin`` before it is sent, then exactly one of ``failed`` (no usable answer) or
``answered`` (which decodes the answer, so that an error Odoo sent is seen as this request's outcome).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from .errors import ZenooError
from .wire import CallInfo, RawResponse, RequestSpec

__all__ = ["NULL_OBSERVER", "Attempt", "NullObserver", "Observer"]

T = TypeVar("T")


class Attempt(Protocol):
    """One request on its way: told how it ended."""

    def failed(self, error: ZenooError) -> None: ...

    def answered(self, decode: Callable[[RawResponse], T], raw: RawResponse) -> T: ...


class Observer(Protocol):
    def begin(self, what: CallInfo, request: RequestSpec, attempt: int) -> Attempt:
        """``attempt`` counts from 0 (0 is the first try, 1 the first retry)."""
        ...


class _NullAttempt:
    __slots__ = ()

    def failed(self, error: ZenooError) -> None:
        return None

    def answered(self, decode: Callable[[RawResponse], T], raw: RawResponse) -> T:
        return decode(raw)


class NullObserver:
    """Observes nothing."""

    _attempt = _NullAttempt()

    def begin(self, what: CallInfo, request: RequestSpec, attempt: int) -> Attempt:
        return self._attempt


NULL_OBSERVER = NullObserver()
