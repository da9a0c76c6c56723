"""What flows yield to drivers (effects) and what transports exchange (requests, raw responses)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import attrs

__all__ = [
    "CacheDrop",
    "CacheGet",
    "CachePut",
    "CallInfo",
    "CurrentDeadline",
    "Effect",
    "Flow",
    "Once",
    "Parallel",
    "RawResponse",
    "RequestSpec",
    "Sleep",
]

T = TypeVar("T")


@attrs.frozen
class RequestSpec:
    """One HTTP request, fully built by the core; transports only send it."""

    path: str
    body: bytes
    headers: dict[str, str] = attrs.field(factory=dict)
    method: str = "POST"
    #: True when sending it twice cannot change data (a read); the retry policy reads this.
    idempotent: bool = False
    #: seconds left of the call's deadline: the transport caps this attempt's socket timeouts with it
    timeout: float | None = None

    def __repr__(self) -> str:  # never shows the body: it may hold a password
        return f"RequestSpec({self.method} {self.path}, {len(self.body)} bytes)"


@attrs.frozen
class CallInfo:
    """What a request is for: the model (or the service, ``common``/``db``, before a login) and the method.
    Errors, retries and events name the call with it."""

    model: str
    method: str

    def __str__(self) -> str:
        return f"{self.model}.{self.method}"


@attrs.frozen
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    #: every Set-Cookie value (a server may send several)
    cookies: tuple[str, ...] = ()


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Parallel:
    """Run independent flows; the async driver gathers them (bounded), the sync driver on its thread pool.

    They share the deadline of the call that yields them, unless ``own_deadline``: then each is a call of its
    own with the client's default deadline (the chunks of a batch)."""

    flows: tuple[Generator[Any, Any, Any], ...]
    own_deadline: bool = False


@attrs.frozen
class CurrentDeadline:
    """Asks the driver for the running call's :class:`~zenoo_rpc._core.resilience.Deadline` (or None)."""


@attrs.frozen
class Once:
    """Run ``flow`` for ``key`` once among the flows of one client in progress at the same time: a flow that
    yields a key already running waits for that run's result (or error) instead of running its own."""

    key: str
    flow: Generator[Any, Any, Any]


@attrs.frozen
class CacheGet:
    key: str
    #: for a hit in a lower tier copied into the tiers above it: its lifetime there and its tags
    ttl: float | None = None
    tags: tuple[str, ...] = ()


@attrs.frozen
class CachePut:
    key: str
    value: bytes
    ttl: float | None
    tags: tuple[str, ...]


@attrs.frozen
class CacheDrop:
    tags: tuple[str, ...]


Effect = RequestSpec | Sleep | Parallel | Once | CurrentDeadline | CacheGet | CachePut | CacheDrop
Flow = Generator[Any, Any, T]
