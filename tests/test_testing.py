"""zenoo_rpc.testing for users: a server from their own schema snapshot, the pytest plugin, the CLI, knobs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import zenoo_rpc.testing
from zenoo_rpc import SyncZenooClient
from zenoo_rpc import exceptions as exc
from zenoo_rpc.generator.cli import main as zenoo_gen
from zenoo_rpc.testing import OdooEmulator

pytest_plugins = ["pytester"]


def test_serves_a_users_own_schema_with_generated_records(tmp_path: Path, odoo19: OdooEmulator) -> None:
    snapshot = tmp_path / "schema.json"
    result = CliRunner().invoke(
        zenoo_gen,
        [
            "--url",
            odoo19.url,
            "--db",
            "demo",
            "--password",
            "admin",
            "--models",
            "res.partner,res.country,sale.*,product.*",
            "--dump-schema",
            str(snapshot),
            "--out",
            str(tmp_path / "models"),
        ],
    )
    assert result.exit_code == 0, result.output
    with OdooEmulator(snapshot=snapshot, records_per_model=15) as mine:
        assert mine.version == "19.0"
        client = SyncZenooClient(mine.url)
        client.login("demo", "admin", "admin")
        partners = client.model_by_name("res.partner")
        assert partners.count() == 15
        orders = (
            client.model_by_name("sale.order").prefetch_related("partner_id", "order_line.product_id").all()
        )
        assert len(orders) == 15 and all(o.partner_id.name.startswith("Partner") for o in orders)
        assert sum(len(o.order_line) for o in orders) == 15  # every line points at an order
        new = partners.create({"name": "Mine"})
        assert partners.get(new).name == "Mine"
        # the generator reads the same schema back from the emulator
        again = CliRunner().invoke(
            zenoo_gen,
            [
                "--url",
                mine.url,
                "--db",
                "demo",
                "--password",
                "admin",
                "--out",
                str(tmp_path / "models"),
                "--check",
            ],
        )
        assert again.exit_code == 0, again.output
        client.close()


def test_pytest_plugin_gives_an_odoo_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from zenoo_rpc import SyncZenooClient

        def test_partner_count(odoo_server):
            client = SyncZenooClient(odoo_server.url)
            client.login("demo", "admin", "admin")
            assert odoo_server.version == "17.0"
            assert client.model_by_name("res.partner").filter(is_company=True).count() > 5
        """
    )
    result = pytester.runpytest_subprocess("--odoo-version", "17.0")  # the plugin loads from its entry point
    result.assert_outcomes(passed=1)


def test_command_line_server() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "zenoo_rpc.testing",
            "--odoo-version",
            "18.0",
            "--port",
            str(port),
            "--latency-ms",
            "5",
            "--api-key",
            "k-123",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert "Odoo 18.0 emulator on" in proc.stdout.readline()
        assert f"SyncZenooClient('http://127.0.0.1:{port}')" in proc.stdout.readline()
        assert "admin API key: k-123" in proc.stdout.readline()  # how to connect with the key, too
        client = SyncZenooClient("127.0.0.1", port=port)
        assert client.version()["server_serie"] == "18.0"
        assert client.login_with_api_key("demo", "admin", "k-123") == 2
        client.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_command_line_server_with_a_users_schema(tmp_path: Path) -> None:
    """``--schema`` (a zenoo-gen --dump-schema snapshot) and ``--records`` are what the server serves."""
    import socket

    from zenoo_rpc.generator.snapshot import load

    snapshot = tmp_path / "schema.json"
    bundled = Path(zenoo_rpc.testing.__file__).parent / "odoo_data" / "17.0"
    snapshot.write_text(load(bundled).select(["res.partner", "res.country"], None).to_json())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "zenoo_rpc.testing", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--schema", str(snapshot), "--records", "7"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert "Odoo 17.0 emulator on" in proc.stdout.readline()
        client = SyncZenooClient("127.0.0.1", port=port)
        client.login("demo", "admin", "admin")
        assert client.model_by_name("res.partner").count() == 7
        with pytest.raises(exc.UnknownModelError):
            client.model_by_name("sale.order").count()
        client.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_slow_fault_and_timeouts(odoo19: OdooEmulator) -> None:
    from zenoo_rpc import RetryPolicy
    from zenoo_rpc.exceptions import RequestTimeout

    client = SyncZenooClient(odoo19.url, timeout=0.3, retry=RetryPolicy(max_attempts=1))
    client.login("demo", "admin", "admin")
    odoo19.inject("slow", seconds=1.0)
    with pytest.raises(RequestTimeout):
        client.execute_kw("res.partner", "search_count", [[]])
    client.close()


def test_load_partners_is_fast_and_queryable(odoo19: OdooEmulator) -> None:
    ids = odoo19.load_partners(100_000)  # its speed is measured by make bench, not here
    assert len(ids) == 100_000
    client = SyncZenooClient(odoo19.url)
    client.login("demo", "admin", "admin")
    rows = (
        client.model_by_name("res.partner")
        .filter(city="Antwerp", is_company=True)
        .only("name")
        .limit(80)
        .all()
    )
    assert len(rows) == 80 and all(r.name.startswith("Generated Partner") for r in rows)
    client.close()


def test_a_failed_call_leaves_no_trace(odoo19: OdooEmulator) -> None:
    """Like Odoo's transaction per call: a create of several records that fails on one creates none, and a
    write that fails on a later record leaves the earlier ones unchanged (ids taken stay taken)."""
    from zenoo_rpc.exceptions import ValidationError

    client = SyncZenooClient(odoo19.url)
    client.login("demo", "admin", "admin")
    before = client.execute_kw("res.partner", "search_count", [[]])
    with pytest.raises(ValidationError):
        client.execute_kw("res.partner", "create", [[{"name": "Fine"}, {"email": "no-name@example.com"}]])
    assert client.execute_kw("res.partner", "search_count", [[]]) == before
    assert client.execute_kw("res.partner", "search_count", [[["name", "=", "Fine"]]]) == 0
    ids = client.execute_kw("res.partner", "create", [[{"name": "A"}, {"name": "B"}]])
    assert ids[0] > before  # the failed create's ids were used up, as with a PostgreSQL sequence
    with pytest.raises(ValidationError):
        client.execute_kw(
            "sale.order",
            "create",
            [
                {
                    "partner_id": ids[0],
                    "order_line": [
                        [0, 0, {"product_id": 5, "product_uom_qty": 1}],
                        [0, 0, {"product_id": 999999}],
                    ],
                }
            ],
        )
    assert client.execute_kw("sale.order.line", "search_count", [[["order_partner_id", "=", ids[0]]]]) == 0
    client.close()
