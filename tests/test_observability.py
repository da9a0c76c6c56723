"""Event hooks, ``stats()``, the ``zenoo_rpc`` loggers (no secret in any log line on any protocol) and the
optional OpenTelemetry spans, on both faces against the emulator over loopback."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from zenoo_rpc import CallEvent, CircuitBreaker, RetryPolicy
from zenoo_rpc import exceptions as exc
from zenoo_rpc.models.common import ResPartner, SaleOrder
from zenoo_rpc.testing import DEFAULT_API_KEY, OdooEmulator


def test_hooks_see_each_request_with_its_outcome(make_client: Any, odoo: OdooEmulator) -> None:
    seen: list[tuple[str, CallEvent]] = []
    c = make_client(
        odoo.url,
        event_hooks={
            "request": [lambda e: seen.append(("request", e))],
            "response": [lambda e: seen.append(("response", e))],
        },
    )

    @c.raw.on_error
    def failed(event: CallEvent) -> None:
        seen.append(("error", event))

    c.login("demo", "admin", "admin")
    assert [(k, e.model, e.method, e.outcome) for k, e in seen] == [
        ("request", "common", "login", "pending"),
        ("response", "common", "login", "ok"),
    ]
    seen.clear()
    odoo.inject("drop", count=1)
    assert c.execute_kw("res.partner", "search_count", [[]]) > 0
    assert [(k, e.attempt, e.outcome) for k, e in seen] == [
        ("request", 1, "pending"),
        ("error", 1, "transport_error"),
        ("request", 2, "pending"),
        ("response", 2, "ok"),
    ]
    error, ok = seen[1][1], seen[3][1]
    assert isinstance(error.error, exc.ConnectError) and error.duration is not None and error.status is None
    assert ok.model == "res.partner" and ok.method == "search_count" and ok.protocol == "session"
    assert ok.status == 200 and ok.duration is not None and ok.duration > 0
    assert ok.path == "/web/dataset/call_kw/res.partner/search_count"
    assert seen[0][1].duration is None
    seen.clear()
    with pytest.raises(exc.UnknownModelError):
        c.execute_kw("no.such.model", "search", [[]])
    assert [(k, e.model, e.outcome) for k, e in seen] == [
        ("request", "no.such.model", "pending"),
        ("error", "no.such.model", "odoo_error"),
    ]
    assert isinstance(seen[1][1].error, exc.UnknownModelError)


# a protocol forced on 19 warns; that is not these tests' topic
@pytest.mark.filterwarnings("ignore::zenoo_rpc.DeprecatedProtocolWarning")
@pytest.mark.parametrize("protocol", ["xmlrpc", "session", "json2"])
def test_events_name_the_protocol_of_each_request(
    make_client: Any, odoo19: OdooEmulator, protocol: str
) -> None:
    events: list[CallEvent] = []
    c = make_client(odoo19.url, protocol=protocol, event_hooks={"response": [events.append]})
    if protocol == "json2":
        c.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
    else:
        c.login("demo", "admin", "admin")
    c.execute_kw("res.partner", "search", [[]], {"limit": 1})
    assert events[-1].protocol == protocol and events[-1].method == "search"


def test_stats_count_time_and_classify(make_client: Any, odoo: OdooEmulator) -> None:
    c = make_client(odoo.url)
    c.login("demo", "demo", "demo")
    for _ in range(5):
        c.model(ResPartner).filter(is_company=True).only("name").all()
    odoo.inject("503", count=1)
    c.execute_kw("res.partner", "search_count", [[]])
    with pytest.raises(exc.AccessError):
        c.execute_kw("res.company", "write", [[1], {"name": "x"}])
    view = c.with_context(active_test=False)
    view.execute_kw("res.partner", "search_count", [[]])  # a view counts in the same stats
    stats = c.stats()
    assert stats == view.stats()
    reads = stats["calls"]["res.partner"]["search_read"]
    assert reads["count"] == 5 and reads["errors"] == 0 and reads["retries"] == 0
    assert (
        0 < reads["p50"] <= reads["p90"] <= reads["p99"] <= reads["max"] and reads["seconds"] >= reads["max"]
    )
    counts = stats["calls"]["res.partner"]["search_count"]
    assert counts["count"] == 3 and counts["retries"] == 1 and counts["errors"] == 1  # 503, then a retry
    assert stats["calls"]["common"]["login"]["count"] == 1
    assert stats["errors"] == {"HTTPStatusError": 1, "AccessError": 1}
    assert stats["retries"] == 1
    assert stats["requests"] == sum(m["count"] for calls in stats["calls"].values() for m in calls.values())
    assert stats["breaker"] == {"state": "closed", "failures": 0}
    pool = stats["pool"]
    assert (
        pool["in_flight"] == 0 and pool["peak_in_flight"] >= 1 and pool["requests_sent"] == stats["requests"]
    )
    assert 1 <= pool["connections_opened"] <= pool["requests_sent"]
    assert pool["max_concurrency"] == 10 and stats["cache"] == {}
    c.model(ResPartner).only("name").cache(ttl=60).all()
    c.model(ResPartner).only("name").cache(ttl=60).all()
    assert c.stats()["cache"]["memory"] | {"retry_in": 0.0} == {
        "hits": 1,
        "misses": 1,
        "errors": 0,
        "skipped": 0,
        "outages": 0,
        "state": "up",
        "pending": 0,
        "retry_in": 0.0,
    }


def test_stats_show_the_breaker_and_transport_errors(make_client: Any) -> None:
    c = make_client(
        "http://127.0.0.1:9",
        retry=RetryPolicy(max_attempts=1),
        circuit_breaker=CircuitBreaker(failure_threshold=1, reset_timeout=60),
    )
    with pytest.raises(exc.ConnectError):
        c.version()
    stats = c.stats()
    assert stats["errors"] == {"ConnectError": 1} and stats["breaker"]["state"] == "open"
    assert stats["calls"]["common"]["version"]["errors"] == 1


def test_coroutine_hooks_are_refused_and_failing_hooks_change_nothing(
    make_client: Any, odoo19: OdooEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    async def coroutine_hook(event: CallEvent) -> None:
        return None

    with pytest.raises(TypeError, match="plain functions"):
        make_client(odoo19.url, event_hooks={"response": [coroutine_hook]})
    with pytest.raises(ValueError, match="unknown event hook 'answer'"):
        make_client(odoo19.url, event_hooks={"answer": [print]})
    with pytest.raises(TypeError, match="list of functions"):
        make_client(odoo19.url, event_hooks={"response": print})
    c = make_client(odoo19.url)
    with pytest.raises(TypeError, match="plain functions"):
        c.raw.on_request(coroutine_hook)

    def broken(event: CallEvent) -> None:
        raise RuntimeError("hook bug")

    c.raw.on_response(broken)
    c.raw.on_response(lambda e: coroutine_hook(e))  # an awaitable returned: closed, reported
    c.login("demo", "admin", "admin")
    new_id = c.create("res.partner", {"name": "Created Despite A Broken Hook"})
    assert isinstance(new_id, int) and odoo19.count("res.partner", "create") == 1
    hook_logs = [r for r in caplog.records if r.name == "zenoo_rpc.hooks"]
    assert any(r.exc_info and "hook bug" in str(r.exc_info[1]) for r in hook_logs)
    assert any("returned an awaitable" in r.getMessage() for r in hook_logs)


# -- logging -----------------------------------------------------------------------------------------
class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        parts = []
        for r in self.records:
            parts.append(r.getMessage())
            parts.extend(str(v) for v in vars(r).values())
        return "\n".join(parts)


@pytest.fixture
def everything() -> Iterator[_Everything]:
    """A handler on the root logger that captures every record of every library at DEBUG."""
    handler = _Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


PASSWORD = "Pw-0f-Adm1n-n0t-in-l0gs"
API_KEY = "zk-api-key-n0t-in-l0gs-7d1c"
MARKER = "Body-Marker-n0t-in-l0gs"


@pytest.fixture(scope="module")
def secret_odoo() -> Iterator[OdooEmulator]:
    with OdooEmulator("19.0", api_key=API_KEY) as server:
        server._users["admin"].password = PASSWORD  # a password no log line could contain by chance
        yield server


# a protocol forced on 19 warns; that is not these tests' topic
@pytest.mark.filterwarnings("ignore::zenoo_rpc.DeprecatedProtocolWarning")
@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "session", "json2"])
def test_no_secret_reaches_any_log_at_debug(
    make_client: Any, secret_odoo: OdooEmulator, everything: _Everything, protocol: str
) -> None:
    c = make_client(secret_odoo.url, protocol=protocol)
    if protocol == "json2":
        c.login_with_api_key("demo", "admin", API_KEY)
    else:
        c.login("demo", "admin", PASSWORD)
    c.model(ResPartner).filter(name__icontains=MARKER).only("name").all()
    c.create("res.partner", {"name": MARKER})
    with pytest.raises(exc.ZenooError):
        c.execute_kw("res.partner", "no_such_method", [[1]])
    lines = [r.getMessage() for r in everything.records if r.name == "zenoo_rpc.request"]
    assert any(f"res.partner.search_read over {protocol}, attempt 1: ok in " in line for line in lines), lines
    assert any("res.partner.no_such_method" in line and "Error" in line for line in lines)
    session = c.raw._conn.creds.session_id
    text = everything.text()
    for secret in [PASSWORD, API_KEY, MARKER, *([session] if session else [])]:
        assert secret not in text, f"{secret!r} reached a log record"
    if protocol == "session":
        assert session  # the cookie exists, and is not in the logs


def test_debug_lines_carry_structured_fields(
    make_client: Any, odoo19: OdooEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zenoo_rpc")
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    (record,) = [r for r in caplog.records if r.name == "zenoo_rpc.request"]
    assert (record.zenoo_model, record.zenoo_method, record.zenoo_protocol) == ("common", "login", "session")  # type: ignore[attr-defined]
    assert record.zenoo_attempt == 1 and record.zenoo_outcome == "ok" and record.zenoo_duration > 0  # type: ignore[attr-defined]
    assert logging.getLogger("zenoo_rpc").handlers  # a NullHandler: no "no handler" noise


# -- OpenTelemetry -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spans() -> Any:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # once per process; zenoo_rpc's tracer follows the global provider
    return exporter


def test_a_span_per_request_when_opentelemetry_is_installed(
    make_client: Any, odoo19: OdooEmulator, spans: Any, refuse_specification: Any
) -> None:
    from opentelemetry import trace

    refuse_specification("sale.order")  # the batched plan: sibling reads
    spans.clear()
    c = make_client(odoo19.url)
    c.login("demo", "admin", "admin")
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("view") as parent:
        c.execute_kw("res.partner", "search_count", [[]])
        # sibling prefetches run in parallel (threads on the sync face): still children of the view's span
        c.model(SaleOrder).only("name").prefetch_related("partner_id", "user_id").limit(3).all()
    with pytest.raises(exc.UnknownModelError):
        c.execute_kw("no.such.model", "search", [[]])
    finished = {s.name: s for s in spans.get_finished_spans()}
    login, count, bad = (
        finished["common/login"],
        finished["res.partner/search_count"],
        finished["no.such.model/search"],
    )
    assert count.kind is trace.SpanKind.CLIENT
    assert count.attributes["rpc.system"] == "odoo" and count.attributes["rpc.method"] == "search_count"
    assert count.attributes["zenoo.protocol"] == "session" and count.attributes["zenoo.attempt"] == 1
    assert count.attributes["http.response.status_code"] == 200
    assert count.parent is not None and count.parent.span_id == parent.get_span_context().span_id
    prefetches = [s for s in spans.get_finished_spans() if s.name in ("res.partner/read", "res.users/read")]
    assert len(prefetches) == 2
    assert all(
        s.parent is not None and s.parent.span_id == parent.get_span_context().span_id for s in prefetches
    )
    assert login.status.is_ok and bad.status.status_code is trace.StatusCode.ERROR
    assert bad.attributes["error.type"] == "UnknownModelError"


def test_without_opentelemetry_the_import_is_tried_once(odoo19: OdooEmulator) -> None:
    """The cost of the optional span when opentelemetry is not installed: one failed import per process."""
    code = textwrap.dedent(
        f"""
        import sys
        tries = []

        class Absent:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "opentelemetry":
                    tries.append(name)
                    raise ImportError(name)
                return None

        sys.meta_path.insert(0, Absent())
        from zenoo_rpc import SyncZenooClient
        for _ in range(3):
            c = SyncZenooClient({odoo19.url!r})
            c.login("demo", "admin", "admin")
            for _ in range(20):
                c.execute_kw("res.partner", "search_count", [[]])
            c.close()
        print(len(tries), c.stats()["requests"])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "21"]


def test_percentiles_over_the_window() -> None:
    from zenoo_rpc._instrument import WINDOW, _percentiles

    assert _percentiles([float(i) for i in range(1, 101)]) == pytest.approx(
        {"p50": 50.5, "p90": 90.1, "p99": 99.01, "max": 100.0}
    )
    assert _percentiles([0.25]) == {"p50": 0.25, "p90": 0.25, "p99": 0.25, "max": 0.25}
    assert _percentiles([]) == {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}
    assert WINDOW == 1000


def test_pool_stats_see_parallel_requests(make_client: Any, refuse_specification: Any) -> None:
    refuse_specification("sale.order")  # the batched plan: sibling reads
    with OdooEmulator("19.0", latency_ms=100) as slow:
        c = make_client(slow.url)
        c.login("demo", "admin", "admin")
        # the two prefetch reads are independent: sent together (threads on the sync face)
        c.model(SaleOrder).only("name").prefetch_related("partner_id", "user_id").limit(3).all()
        pool = c.stats()["pool"]
        assert pool["in_flight"] == 0 and pool["peak_in_flight"] == 2 == slow.max_in_flight
        c.resolve(c.raw.close())
