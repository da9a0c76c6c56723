"""What each import loads: ``import zenoo_rpc`` only the exceptions, each face only its HTTP stack, the pytest
plugin and ``zenoo_rpc.testing`` nothing heavy until a fixture or name is used. Each check runs in a new
interpreter and looks at ``sys.modules``, never at timings (those are in ``bench/imports.py``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = (
    "aiohttp",
    "requests",
    "urllib3",
    "redis",
    "attrs",
    "attr",
    "cachetools",
    "jinja2",
    "click",
    "asyncio",
)


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def ours(modules: set[str]) -> set[str]:
    return {m for m in modules if m == "zenoo_rpc" or m.startswith("zenoo_rpc.")}


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def beyond_the_exceptions(modules: set[str]) -> set[str]:
    """Our modules loaded that are neither the package, its lazy-name helper, its version nor the exceptions' own."""
    base = {"zenoo_rpc", "zenoo_rpc._lazy", "zenoo_rpc._version", "zenoo_rpc._core", "zenoo_rpc.exceptions"}
    return {m for m in ours(modules) if m not in base and not m.startswith("zenoo_rpc._core.error")}


def test_import_zenoo_rpc_loads_the_exceptions_only() -> None:
    modules = loaded_after("import zenoo_rpc")
    assert "zenoo_rpc._core.errors" in modules
    assert not beyond_the_exceptions(modules)
    assert not heavy(modules)


def test_exceptions_are_usable_without_loading_anything_else() -> None:
    code = "import zenoo_rpc, zenoo_rpc.exceptions\ntry:\n    raise zenoo_rpc.ConnectError('x')\nexcept zenoo_rpc.TransportError:\n    pass"
    modules = loaded_after(code)
    assert not beyond_the_exceptions(modules) and not heavy(modules)


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("Q", "zenoo_rpc._core.domain"),
        ("Command", "zenoo_rpc._core.query"),
        ("RetryPolicy", "zenoo_rpc._core.resilience"),
        ("CircuitBreaker", "zenoo_rpc._core.resilience"),
    ],
)
def test_query_helpers_load_the_core_but_no_http_stack(name: str, module: str) -> None:
    modules = loaded_after(f"from zenoo_rpc import {name}")
    assert module in modules
    assert not {"aiohttp", "requests", "asyncio", "redis"} & modules
    assert "zenoo_rpc._async_client" not in modules and "zenoo_rpc._sync_client" not in modules


@pytest.mark.parametrize(
    ("face", "present", "absent"),
    [("SyncZenooClient", "requests", "aiohttp"), ("ZenooClient", "aiohttp", "requests")],
)
def test_each_face_loads_its_own_http_stack(face: str, present: str, absent: str) -> None:
    modules = loaded_after(f"from zenoo_rpc import {face}")
    assert present in modules and absent not in modules
    assert "redis" not in modules, "Redis is imported when a Redis cache is set up, not before"
    assert "xmlrpc.client" not in modules, "XML-RPC's codec is imported when that protocol is used"
    assert "pkgutil" not in modules
    if face == "SyncZenooClient":
        assert "asyncio" not in modules, "the sync face never needs asyncio"
    assert not any(m.startswith("zenoo_rpc.testing") for m in modules)


def test_the_pytest_plugin_imports_no_emulator() -> None:
    modules = loaded_after("import zenoo_rpc.testing.pytest_plugin")
    assert beyond_the_exceptions(modules) == {"zenoo_rpc.testing", "zenoo_rpc.testing.pytest_plugin"}
    assert not heavy(modules)


def test_zenoo_rpc_testing_loads_the_emulator_on_first_use() -> None:
    assert "zenoo_rpc.testing._server" not in loaded_after("import zenoo_rpc.testing")
    assert "zenoo_rpc.testing._server" in loaded_after("from zenoo_rpc.testing import OdooEmulator")
    modules = loaded_after("from zenoo_rpc.testing import VERSIONS")
    assert "zenoo_rpc.testing._server" not in modules and "aiohttp" not in modules


def test_a_pytest_run_loads_the_plugin_and_the_emulator_only_for_its_fixture(tmp_path: Path) -> None:
    """Two real pytest runs in a project of their own: a trivial test (the plugin is loaded through its entry
    point, the emulator is not), and a test that uses ``odoo_server`` (the emulator starts and answers)."""
    (tmp_path / "test_trivial.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_trivial():
                assert "zenoo_rpc.testing.pytest_plugin" in sys.modules
                assert "zenoo_rpc.testing._server" not in sys.modules
                assert "aiohttp" not in sys.modules
            """
        )
    )
    (tmp_path / "test_fixture.py").write_text(
        textwrap.dedent(
            """
            import json
            import urllib.request

            def test_fixture(odoo_server):
                body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                                   "params": {"service": "common", "method": "version", "args": []}})
                request = urllib.request.Request(odoo_server.url + "/jsonrpc", body.encode(),
                                                 {"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert json.load(answer)["result"]["server_serie"] == "18.0"
            """
        )
    )
    for test, extra in (("test_trivial.py", []), ("test_fixture.py", ["--odoo-version", "18.0"])):
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test, *extra],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "1 passed" in run.stdout
