"""Generated packages at run time: each resolves related models among its own classes, loads a model's module
on first use, imports only the runtime module (and only the HTTP stack of the typed client it is asked for),
and refuses a runtime of another API with a message that says what to do."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conformance import bundled_snapshot

import zenoo_rpc.models.common as common
from zenoo_rpc import runtime
from zenoo_rpc.generator.render import write
from zenoo_rpc.generator.snapshot import load
from zenoo_rpc.testing import OdooEmulator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "zenoo_rpc" / "testing" / "odoo_data"


def _forget(package: str) -> None:
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's own package, generated from the 19.0 snapshot (the same models as the bundled one)."""
    where = tmp_path_factory.mktemp("user_project")
    write(bundled_snapshot("19.0"), where / "my_models")
    return where


@pytest.fixture
def my_models(generated: Path) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated))
    _forget("my_models")
    try:
        yield importlib.import_module("my_models")
    finally:
        sys.path.remove(str(generated))
        _forget("my_models")


def _run(code: str, cwd: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=False, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- per-package registries --------------------------------------------------------------------------------
def test_related_records_stay_in_their_own_package(generated: Path) -> None:
    """A user's package imported first, the bundled one after (a fresh interpreter, as a user's script): each
    class's related records are of its own package (with one global registry the last import won)."""
    code = (
        "import json\n"
        "import my_models\n"
        "import zenoo_rpc.models.common as common\n"
        "row = {'id': 7, 'partner_id': [3, 'Azure'], 'order_line': [1, 2], 'user_id': [2, 'Mitchell']}\n"
        "out = {}\n"
        "for pkg in (my_models, common):\n"
        "    order = pkg.SaleOrder.from_odoo(row)\n"
        "    out[pkg.__name__] = [type(order.partner_id).__module__, type(order.order_line[0]).__module__,\n"
        "        type(order.user_id).__module__, pkg.SaleOrder.zenoo_related('res.partner') is pkg.ResPartner,\n"
        "        type(pkg.SaleOrder.F.partner_id).__module__]\n"
        "out['distinct'] = my_models.ResPartner is not common.ResPartner\n"
        "out['unknown'] = my_models.SaleOrder.zenoo_related('no.such.model')\n"
        "print(json.dumps(out))\n"
    )
    got = _run(code, generated)
    for package in ("my_models", "zenoo_rpc.models.common"):
        modules = [f"{package}.res_partner", f"{package}.sale_order_line", f"{package}.res_users"]
        assert got[package] == [*modules, True, f"{package}.res_partner"], package
    assert got["distinct"] is True and got["unknown"] is None


def test_prefetched_records_are_of_the_querys_package(
    my_models: ModuleType, make_client: Any, odoo19: OdooEmulator
) -> None:
    client = make_client(odoo19.url)
    client.login("demo", "admin", "admin")
    for package in (my_models, common):
        orders = (
            client.model(package.SaleOrder)
            .filter(state="sale")
            .prefetch_related("partner_id", "order_line.product_id")
            .limit(2)
            .all()
        )
        assert orders and all(type(o) is package.SaleOrder for o in orders)
        for order in orders:
            assert type(order.partner_id) is package.ResPartner and order.partner_id.name
            for line in order.order_line:
                assert type(line) is package.SaleOrderLine and type(line.product_id) is package.ProductProduct


def test_plain_client_does_not_guess_a_package(make_client: Any, odoo19: OdooEmulator) -> None:
    client = make_client(odoo19.url)
    with pytest.raises(AttributeError, match=r"client\.model\(<generated class>\).*TypedSyncZenooClient"):
        client.raw.res_partner  # noqa: B018


# -- lazy loading --------------------------------------------------------------------------------------------
def test_one_class_imports_one_module_and_no_http_stack(generated: Path) -> None:
    code = (
        "import json, sys\n"
        "from my_models import ResPartner\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('my_models'))\n"
        "rec = ResPartner.from_odoo({'id': 1, 'name': 'A', 'user_id': [2, 'M']})\n"
        "after_build = sorted(m for m in sys.modules if m.startswith('my_models'))\n"
        "rec.user_id\n"
        "after_convert = sorted(m for m in sys.modules if m.startswith('my_models'))\n"
        "ResPartner.F.country_id.code == 'BE'\n"
        "after_expr = sorted(m for m in sys.modules if m.startswith('my_models'))\n"
        "import my_models\n"
        "stacks = [s for s in ('aiohttp', 'requests') if s in sys.modules]\n"
        "my_models.TypedSyncZenooClient\n"
        "sync = [s for s in ('aiohttp', 'requests') if s in sys.modules]\n"
        "print(json.dumps(dict(loaded=loaded, after_build=after_build, after_convert=after_convert, after_expr=after_expr,"
        " stacks=stacks, sync=sync, dir=len(dir(my_models)), all=len(my_models.__all__))))\n"
    )
    got = _run(code, generated)
    assert got["loaded"] == ["my_models", "my_models.res_partner"]
    # values are converted when first read: the related class's module is imported then
    assert got["after_build"] == ["my_models", "my_models.res_partner"]
    assert got["after_convert"] == ["my_models", "my_models.res_partner", "my_models.res_users"]
    assert got["after_expr"][-1] == "my_models.res_users" and "my_models.res_country" in got["after_expr"]
    assert got["stacks"] == [] and got["sync"] == ["requests"]
    assert got["all"] == 25 * 3 + 2 and got["dir"] >= got["all"]


def test_bundled_models_import_neither_http_stack(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from zenoo_rpc.models.common import ResPartner, SaleOrder\n"
        "print(json.dumps(dict(stacks=[s for s in ('aiohttp', 'requests') if s in sys.modules],"
        " models=sorted(m for m in sys.modules if m.startswith('zenoo_rpc.models.common.')))))\n"
    )
    got = _run(code, tmp_path)
    assert got == {
        "stacks": [],
        "models": ["zenoo_rpc.models.common.res_partner", "zenoo_rpc.models.common.sale_order"],
    }


def test_typed_clients_import_only_their_face(generated: Path) -> None:
    code = (
        "import json, sys\n"
        "from my_models import TypedZenooClient\n"
        "print(json.dumps([s for s in ('aiohttp', 'requests') if s in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=generated, check=True, timeout=120
    )
    assert json.loads(out.stdout) == ["aiohttp"]


def test_typed_client_properties_query_their_packages_class(
    my_models: ModuleType, odoo19: OdooEmulator
) -> None:
    client = my_models.TypedSyncZenooClient(odoo19.url)
    try:
        client.login("demo", "admin", "admin")
        first = client.res_partner.filter(is_company=True).order_by("name").first()
        assert type(first) is my_models.ResPartner
    finally:
        client.close()


def test_package_attributes(my_models: ModuleType) -> None:
    assert set(my_models.__all__) <= set(dir(my_models))
    with pytest.raises(AttributeError, match="module 'my_models' has no attribute 'ResPartnr'"):
        my_models.ResPartnr  # noqa: B018
    namespace: dict[str, Any] = {}
    exec("from my_models import *", namespace)
    assert namespace["SaleOrder"] is my_models.SaleOrder and "TypedZenooClient" in namespace


# -- runtime API version ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("api", "advice"), [(runtime.API_VERSION + 1, "upgrade zenoo-rpc"), (0, "regenerate old_models")]
)
def test_package_for_another_runtime_api_fails_at_import(tmp_path: Path, api: int, advice: str) -> None:
    name = "old_models"
    write(load(DATA / "19.0").select(["res.partner"], None), tmp_path / name, api=api)
    assert f"for zenoo_rpc.runtime API {api}." in (tmp_path / name / "res_partner.py").read_text()
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(ImportError) as info:
            importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        _forget(name)
    message = str(info.value)
    assert f"generated by zenoo-gen for zenoo_rpc.runtime API {api}" in message
    supported = ", ".join(str(v) for v in sorted(runtime.SUPPORTED_API_VERSIONS))
    assert f"runs generated code of runtime API {supported}:" in message and advice in message


def test_a_package_of_an_older_supported_api_still_imports(tmp_path: Path) -> None:
    """0.1.0's zenoo-gen wrote API 1 packages (values converted in from_odoo): this runtime still runs them."""
    assert 1 in runtime.SUPPORTED_API_VERSIONS and runtime.API_VERSION > 1
    name = "api1_models"
    write(load(DATA / "19.0").select(["res.partner"], None), tmp_path / name, api=1)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
        assert module.ResPartner.from_odoo({"id": 7, "name": "Azure"}).name == "Azure"
    finally:
        sys.path.remove(str(tmp_path))
        _forget(name)


def test_generated_code_imports_only_the_runtime(generated: Path) -> None:
    """Every import of zenoo_rpc in the generated files is of zenoo_rpc.runtime (or the runtime module)."""
    seen = set()
    for path in (generated / "my_models").glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("from zenoo_rpc", "import zenoo_rpc")):
                seen.add(stripped.split(" import ")[0])
    assert seen == {"from zenoo_rpc.runtime", "from zenoo_rpc"}
    init = (generated / "my_models" / "__init__.py").read_text()
    assert "from zenoo_rpc import runtime as _runtime" in init


def test_runtime_module_surface() -> None:
    assert runtime.API_VERSION in runtime.SUPPORTED_API_VERSIONS
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None, name
    assert set(runtime.__all__) <= set(dir(runtime))
    with pytest.raises(AttributeError):
        runtime.Nope  # noqa: B018
