"""Observability for both clients: event hooks, ``stats()``, the ``zenoo_rpc`` loggers, OpenTelemetry spans.

One :class:`Instrument` per client, shared by its ``with_context()`` views; the core's ``_send`` tells it
about every request (``begin``, then ``failed`` or ``answered``). Nothing here ever sees a request body,
a header or a cookie: log lines, events and spans are built from the call's name, the protocol, the
attempt, the duration, the HTTP status and the error's class only, so credentials cannot reach them.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import attrs

from . import _fork
from ._core.errors import OdooError, TransportError, ZenooError
from ._core.wire import CallInfo, RawResponse, RequestSpec

__all__ = ["HOOK_KINDS", "CallEvent", "Instrument", "protocol_of"]

T = TypeVar("T")

logging.getLogger("zenoo_rpc").addHandler(logging.NullHandler())
_REQUEST_LOG = logging.getLogger("zenoo_rpc.request")
_HOOK_LOG = logging.getLogger("zenoo_rpc.hooks")

HOOK_KINDS = ("request", "response", "error")
#: latency percentiles are computed over the last this many requests of each model and method
WINDOW = 1000

Outcome = Literal["pending", "ok", "odoo_error", "transport_error", "error"]


@attrs.frozen
class CallEvent:
    """What an event hook receives: one per request sent (a retry is a new request with ``attempt + 1``).

    ``on_request`` hooks get ``outcome="pending"`` and no duration; then exactly one of ``on_response``
    (``outcome="ok"``) or ``on_error`` (``"odoo_error"``: Odoo answered with an error; ``"transport_error"``:
    no usable answer — refused, dropped, timed out, a gateway's 502/503/504; ``"error"``: anything else).
    """

    model: str  #: the model, or the service (``common``, ``db``) of a call made before a login
    method: str
    protocol: str  #: of this request: ``jsonrpc``, ``xmlrpc``, ``session`` (web routes) or ``json2``
    attempt: int  #: 1 for the first try, 2 for the first retry, ...
    outcome: Outcome
    duration: float | None = None  #: seconds from the request being built to its answer decoded
    status: int | None = None  #: the HTTP status when an answer arrived
    error: BaseException | None = None
    path: str = ""  #: the endpoint, e.g. ``/json/2/res.partner/search_read``


def protocol_of(path: str) -> str:
    """The protocol a request goes over, from its endpoint (the paths the core's protocols build)."""
    if path.startswith("/json/2/"):
        return "json2"
    if path.startswith("/xmlrpc"):
        return "xmlrpc"
    if path.startswith("/jsonrpc"):
        return "jsonrpc"
    if path.startswith("/web/"):
        return "session"
    return "http"


def _outcome(error: BaseException | None) -> Outcome:
    if error is None:
        return "ok"
    if isinstance(error, OdooError):
        return "odoo_error"
    if isinstance(error, TransportError):
        return "transport_error"
    return "error"


# -- OpenTelemetry: looked up once per process, the first time a client is made --------------------------
_UNSET: Any = object()
_otel: Any = _UNSET


def _tracer() -> Any:
    """A tracer when ``opentelemetry-api`` is installed, else None; the import is tried once per process."""
    global _otel
    if _otel is _UNSET:
        try:
            from opentelemetry import trace
        except ImportError:
            _otel = None
        else:
            from ._version import __version__

            _otel = (trace, trace.get_tracer("zenoo_rpc", __version__))
    return _otel


class _MethodStats:
    __slots__ = ("count", "errors", "retries", "samples", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.errors = 0
        self.retries = 0
        self.seconds = 0.0
        self.samples: collections.deque[float] = collections.deque(maxlen=WINDOW)


class _Attempt:
    """One request on its way (what ``Instrument.begin`` hands to ``_send``)."""

    __slots__ = ("_inst", "attempt", "path", "span", "start", "what")

    def __init__(self, inst: Instrument, what: CallInfo, path: str, attempt: int, span: Any) -> None:
        self._inst = inst
        self.what = what
        self.path = path
        self.attempt = attempt
        self.span = span
        self.start = time.perf_counter()

    def failed(self, error: ZenooError) -> None:
        self._inst._end(self, error, getattr(error, "status", None))

    def answered(self, decode: Callable[[RawResponse], T], raw: RawResponse) -> T:
        try:
            result = decode(raw)
        except Exception as exc:
            self._inst._end(self, exc, raw.status)
            raise
        self._inst._end(self, None, raw.status)
        return result


class _InFlight:
    """``with instrument.sending:`` around a transport's send counts the requests on the wire."""

    __slots__ = ("_inst",)

    def __init__(self, inst: Instrument) -> None:
        self._inst = inst

    def __enter__(self) -> None:
        inst = self._inst
        with inst._lock:
            inst.in_flight += 1
            if inst.in_flight > inst.peak_in_flight:
                inst.peak_in_flight = inst.in_flight

    def __exit__(self, *exc: object) -> None:
        with self._inst._lock:
            self._inst.in_flight -= 1


Hook = Callable[[CallEvent], Any]


def check_hook(kind: str, hook: Any) -> Hook:
    if kind not in HOOK_KINDS:
        raise ValueError(f"unknown event hook {kind!r}: use request, response or error")
    if not callable(hook):
        raise TypeError(f"the {kind} event hook must be callable, not {hook!r}")
    import inspect  # when a hook is added, not in every process

    if inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(getattr(hook, "__call__", None)):  # noqa: B004
        raise TypeError(
            f"the {kind} event hook {hook!r} is a coroutine function: hooks are called inline, on both "
            "faces, while the request is being made, so they must be plain functions (from an async app, "
            "hand the event to asyncio.get_running_loop().create_task(...) or a queue inside the hook)"
        )
    return hook  # type: ignore[no-any-return]


class Instrument:
    """Stats, logging, event hooks and spans of one client (and its views). Thread-safe."""

    def __init__(self, base_url: str, event_hooks: Mapping[str, Iterable[Hook]] | None = None) -> None:
        self._lock = _fork.ForkSafeLock()  # a forked child gets it free, whoever held it at fork time
        self.hooks: dict[str, list[Hook]] = {k: [] for k in HOOK_KINDS}
        for kind, hooks in (event_hooks or {}).items():
            if kind not in HOOK_KINDS:
                raise ValueError(f"unknown event hook {kind!r}: use request, response or error")
            if callable(hooks):
                raise TypeError(f"event_hooks[{kind!r}] must be a list of functions, not one function")
            for hook in hooks:
                self.add_hook(kind, hook)
        self._methods: dict[
            tuple[str, str], _MethodStats
        ] = {}  # (model, method): hashed faster than CallInfo
        self.requests = 0
        self.retries = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.sending = _InFlight(self)
        parts = urlsplit(base_url)
        self._server = (parts.hostname or "", parts.port)
        otel = _tracer()
        self._trace: Any = otel[0] if otel is not None else None
        self._tracer: Any = otel[1] if otel is not None else None

    def add_hook(self, kind: str, hook: Any) -> Hook:
        checked = check_hook(kind, hook)
        with self._lock:
            self.hooks[kind] = [*self.hooks[kind], checked]  # copied: a request in progress keeps its list
        return checked

    # -- what _send calls --------------------------------------------------------------------------------
    def begin(self, what: CallInfo, request: RequestSpec, attempt: int) -> _Attempt:
        path = request.path
        span = self._start_span(what, path, attempt) if self._tracer is not None else None
        seen = _Attempt(self, what, path, attempt, span)
        if self.hooks["request"]:
            self._call_hooks(
                "request",
                CallEvent(what.model, what.method, protocol_of(path), attempt + 1, "pending", path=path),
            )
        return seen

    def _end(self, seen: _Attempt, error: BaseException | None, status: int | None) -> None:
        duration = time.perf_counter() - seen.start
        what = seen.what
        key = (what.model, what.method)
        with self._lock:
            stats = self._methods.get(key)
            if stats is None:
                stats = self._methods[key] = _MethodStats()
            stats.count += 1
            stats.seconds += duration
            stats.samples.append(duration)
            self.requests += 1
            if seen.attempt:
                stats.retries += 1
                self.retries += 1
            if error is not None:
                stats.errors += 1
                self.errors[type(error).__name__] += 1
        if _REQUEST_LOG.isEnabledFor(logging.DEBUG):
            self._log(seen, error, status, duration)
        if seen.span is not None:
            self._end_span(seen.span, error, status)
        kind = "response" if error is None else "error"
        if self.hooks[kind]:
            self._call_hooks(
                kind,
                CallEvent(
                    what.model,
                    what.method,
                    protocol_of(seen.path),
                    seen.attempt + 1,
                    _outcome(error),
                    duration,
                    status,
                    error,
                    seen.path,
                ),
            )

    def _call_hooks(self, kind: str, event: CallEvent) -> None:
        for hook in self.hooks[kind]:
            try:
                result = hook(event)
            except Exception:
                # a hook must not change the call's outcome: a write that succeeded stays a success
                _HOOK_LOG.exception("%s event hook %r failed on %s.%s", kind, hook, event.model, event.method)
                continue
            if hasattr(result, "__await__"):  # what inspect.isawaitable checks, for the cases hooks return
                closing = getattr(result, "close", None)
                if closing is not None:
                    closing()  # never awaited: close it so Python does not warn later, far from here
                _HOOK_LOG.error(
                    "%s event hook %r returned an awaitable; hooks must be plain functions", kind, hook
                )

    @staticmethod
    def _log(seen: _Attempt, error: BaseException | None, status: int | None, duration: float) -> None:
        what, protocol = seen.what, protocol_of(seen.path)
        outcome = "ok" if error is None else type(error).__name__
        _REQUEST_LOG.debug(
            "%s.%s over %s, attempt %d: %s in %.1f ms (HTTP %s)",
            what.model,
            what.method,
            protocol,
            seen.attempt + 1,
            outcome,
            duration * 1000,
            status if status is not None else "-",
            extra={
                "zenoo_model": what.model,
                "zenoo_method": what.method,
                "zenoo_protocol": protocol,
                "zenoo_attempt": seen.attempt + 1,
                "zenoo_outcome": outcome,
                "zenoo_duration": duration,
            },
        )

    # -- OpenTelemetry -------------------------------------------------------------------------------------
    def _start_span(self, what: CallInfo, path: str, attempt: int) -> Any:
        assert self._trace is not None and self._tracer is not None
        host, port = self._server
        attributes: dict[str, Any] = {
            "rpc.system": "odoo",
            "rpc.service": what.model,
            "rpc.method": what.method,
            "server.address": host,
            "url.path": path,
            "zenoo.protocol": protocol_of(path),
            "zenoo.attempt": attempt + 1,
        }
        if port is not None:
            attributes["server.port"] = port
        return self._tracer.start_span(
            f"{what.model}/{what.method}", kind=self._trace.SpanKind.CLIENT, attributes=attributes
        )

    def _end_span(self, span: Any, error: BaseException | None, status: int | None) -> None:
        assert self._trace is not None
        if span.is_recording():
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            if error is not None:
                name = type(error).__name__
                span.set_attribute("error.type", name)
                span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, name))
        span.end()

    # -- stats ---------------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Counters and latency percentiles (seconds) per model and method, errors by class."""
        with self._lock:
            methods = [
                (what, s.count, s.errors, s.retries, s.seconds, list(s.samples))
                for what, s in self._methods.items()
            ]
            totals = {
                "requests": self.requests,
                "retries": self.retries,
                "errors": dict(self.errors),
                "in_flight": self.in_flight,
                "peak_in_flight": self.peak_in_flight,
            }
        calls: dict[str, dict[str, Any]] = {}
        for (model, method), count, errors, retries, seconds, samples in sorted(methods, key=lambda m: m[0]):
            calls.setdefault(model, {})[method] = {
                "count": count,
                "errors": errors,
                "retries": retries,
                "seconds": seconds,
                **_percentiles(samples),
            }
        return {**totals, "calls": calls}


def _percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        value = samples[0] if samples else 0.0
        return {"p50": value, "p90": value, "p99": value, "max": value}
    import statistics  # only when stats() is asked for

    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": max(samples)}
