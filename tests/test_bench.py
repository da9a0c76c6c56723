"""The benchmarks' own machinery runs (tiny sizes, nothing timed): bench/records.py, the counting proxy that
reports calls and fields, and bench/run.py's options for a real server (writes only into the named database)."""

from __future__ import annotations

from typing import Any

import pytest

from bench import records, run
from bench.proxy import CountingProxy, fields_of, summary
from zenoo_rpc import SyncZenooClient
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator


def test_records_bench_runs_and_checks_what_it_builds(capsys: pytest.CaptureFixture[str]) -> None:
    result = records.main(["--rows", "60", "--rounds", "1"])
    assert result["rows"] == 60 and result["fields"] == 10
    assert set(result["ms"]) >= {"json_loads", "dataclasses", "typed", "dynamic", "typed_read_all"}
    assert set(result["mb"]) == {"dicts", "dataclasses", "typed", "dynamic"}
    assert "x json.loads" in capsys.readouterr().out


def test_fields_asked_per_call() -> None:
    assert fields_of("search_read", [[]], {"fields": ["name", "email"]}) == 2
    assert fields_of("search_read", [[], ["name"]], {}) == 1
    assert fields_of("read", [[1, 2], ["name", "email", "phone"]], {}) == 3
    assert fields_of("read", [[1, 2]], {}) is None  # no fields: every field
    spec = {"name": {}, "partner_id": {"fields": {"name": {}, "country_id": {"fields": {"code": {}}}}}}
    assert fields_of("web_search_read", [], {"specification": spec}) == 5
    assert fields_of("web_read", [[1], spec], {}) == 5
    assert fields_of("search", [[]], {}) is False and fields_of("create", [[{}]], {}) is False
    assert summary([2, 2, None, 5]) == "4 reads, fields 2x2+all+5" and summary([]) == "no reads"


def test_counting_proxy_in_front_of_the_emulator(odoo19: OdooEmulator) -> None:
    proxy = CountingProxy(odoo19.url).start()
    try:
        client = SyncZenooClient(proxy.url)
        client.login("demo", "admin", "admin")
        proxy.reset()
        odoo19.reset_counts()
        names = client.model(ResPartner).only("name", "email").limit(3).all()
        client.model_by_name("res.partner").filter(id=names[0].id).only("name").all()
        assert proxy.calls == odoo19.requests >= 2
        assert proxy.fields == [2, 1]  # fields_get (of the dynamic query) reads no fields
        client.close()
    finally:
        proxy.stop()


def test_real_server_options(monkeypatch: pytest.MonkeyPatch) -> None:
    ns, target = run.parse_args([])
    assert not target.real and target.writes and str(ns.out).endswith("results.json")
    monkeypatch.setenv("ZENOO_BENCH_PASSWORD", "secret")
    ns, target = run.parse_args(["--url", "https://odoo.example.com", "--db", "prod", "--user", "me"])
    assert target.real and (target.db, target.user, target.password) == ("prod", "me", "secret")
    assert not target.writes  # reads only, unless the database is named again
    assert str(ns.out).endswith("results-server.json")
    _, target = run.parse_args(["--url", "http://x:8069", "--db", "bench", "--write-db", "bench"])
    assert target.writes


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--url", "http://x", "--db", "prod", "--write-db", "test"], "refusing to write"),
        (["--url", "http://x"], "--url needs --db"),
        (["--db", "prod"], "give --url too"),
        (["--write-db", "prod"], "give --url too"),
        (["--url", "http://x", "--db", "prod", "--latency", "50"], "a real server has its own"),
    ],
)
def test_real_server_options_refused(
    argv: list[str], says: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZENOO_BENCH_PASSWORD", "secret")
    with pytest.raises(SystemExit):
        run.parse_args(argv)
    assert says in capsys.readouterr().err


def test_without_write_db_the_writing_workload_writes_nothing(
    odoo19: OdooEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The emulator standing in for a real server: the batch create is skipped, nothing is created."""
    bench: Any = object.__new__(run.Bench)
    bench.target = run.Target(odoo19.url, writes=False)
    bench.latency_ms = 0.0
    odoo19.reset_counts()
    bench.batch_create()
    assert odoo19.requests == 0 and "skipped" in capsys.readouterr().out
