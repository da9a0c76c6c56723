"""The package as users install it.

- The editable install (``make install``) is one that type checkers follow: mypy, run on a file outside the
  checkout, finds ``zenoo_rpc`` and ``zenoo_rpc.models.common``.
- The wheel, installed with its runtime dependencies only into a fresh venv: it has no top-level
  ``generator`` or ``generated_models``; that venv's ``zenoo-gen`` (no ruff there) generates
  ``generated_models`` from the bundled emulator; ``mypy --strict`` passes on the output with that venv's
  Python; the output imports there beside the bundled ``zenoo_rpc.models.common``, each package's related
  records of its own classes, and queries the emulator.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance import BUNDLED_MODELS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["zenoo_rpc", "generator", "templates", "generated_models", "pyproject.toml", "README.md"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_mypy_follows_the_editable_install(tmp_path: Path) -> None:
    """Run from outside the checkout, with no MYPYPATH: everything resolves through the installed package, and
    the one deliberate error is the only one (so mypy did read the types)."""
    (tmp_path / "use.py").write_text(
        "from zenoo_rpc import SyncZenooClient\n"
        "from zenoo_rpc.models.common import ResPartner, TypedSyncZenooClient\n"
        "from zenoo_rpc.runtime import API_VERSION\n\n\n"
        "def names(client: SyncZenooClient, typed: TypedSyncZenooClient) -> list[str | None]:\n"
        "    first = client.model(ResPartner).first()\n"
        "    wrong: int = typed.res_partner  # the one error\n"
        "    return [first.name if first else None, str(API_VERSION), str(wrong)]\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "use.py"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "use.py:8:" in errors[0] and "SyncQuery[ResPartner]" in errors[0], (
        result.stdout
    )


# -- the wheel in a fresh venv ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources it is made of (nothing else of the checkout gets in)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(path, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist", src], cwd=work)
    (built,) = (work / "dist").glob("zenoo_rpc-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its runtime dependencies only; returns its Python."""
    where = tmp_path_factory.mktemp("venv") / "env"
    _run([sys.executable, "-m", "venv", where], cwd=where.parent, timeout=300)
    python = where / "bin" / "python"
    _run([python, "-m", "pip", "install", "-q", wheel], cwd=where.parent, timeout=900)
    return python


@pytest.fixture
def emulator(venv: Path, tmp_path: Path) -> Iterator[str]:
    """The bundled emulator, run by the fresh venv's Python on a free port; its URL."""
    proc = subprocess.Popen(
        [str(venv), "-m", "zenoo_rpc.testing", "--port", "0"],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert found, line + proc.stdout.read()[-2000:] if proc.poll() is not None else line
        yield found.group(0)
    finally:
        proc.terminate()
        proc.wait(30)


def test_wheel_has_only_the_zenoo_rpc_namespace(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"zenoo_rpc", wheel.name.split("-py3")[0] + ".dist-info"}, tops
    for expected in (
        "zenoo_rpc/runtime.py",
        "zenoo_rpc/generator/cli.py",
        "zenoo_rpc/generator/templates/model.py.jinja",
        "zenoo_rpc/models/common/__init__.py",
        "zenoo_rpc/models/common/py.typed",
        "zenoo_rpc/py.typed",
    ):
        assert expected in names, expected
    assert "zenoo_rpc/models/common.py" not in names


def test_a_users_install_generates_type_checks_and_imports(venv: Path, emulator: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    bare = _run(
        [
            venv,
            "-c",
            "import importlib.util as u, json; "
            "print(json.dumps([u.find_spec(n) is None for n in ('generator', 'generated_models', 'ruff')]))",
        ],
        cwd=project,
    )
    assert json.loads(bare.stdout) == [True, True, True]  # nothing of ours at the top level, and no ruff

    gen = _run(
        [
            venv.with_name("zenoo-gen"),
            *("--url", emulator, "--db", "demo", "--user", "admin", "--password", "admin"),
            *("--models", ",".join(BUNDLED_MODELS)),  # the emulator has more models: type check only these
            *("--out", "generated_models"),
        ],
        cwd=project,
    )
    assert "wrote 29 files for 25 models to generated_models" in gen.stderr
    assert "Traceback" not in gen.stderr

    (project / "app.py").write_text(
        "from generated_models import ResPartner, SaleOrder, TypedSyncZenooClient\n"
        "from zenoo_rpc.models.common import ResPartner as BundledPartner\n\n\n"
        "def customer(client: TypedSyncZenooClient) -> ResPartner | None:\n"
        "    order = client.sale_order.filter(SaleOrder.F.state == 'sale').first()\n"
        "    return order.partner_id if order else None\n\n\n"
        "def bundled(p: BundledPartner) -> str | None:\n"
        "    return p.name\n"
    )
    mypy = subprocess.run(
        [
            sys.executable,
            *("-m", "mypy", "--strict", "--no-incremental", "--python-executable", str(venv)),
            *("-p", "generated_models", "-m", "app"),
        ],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]

    check = (
        "import json, os, sys\n"
        "from zenoo_rpc.models.common import ResPartner, SaleOrder\n"
        "import generated_models as mine\n"
        "import zenoo_rpc.models.common as common\n"
        "row = {'id': 1, 'partner_id': [3, 'Azure'], 'order_line': [1]}\n"
        "kinds = [type(p.SaleOrder.from_odoo(row).partner_id) is p.ResPartner for p in (mine, common)]\n"
        "client = mine.TypedSyncZenooClient(sys.argv[1])\n"
        "client.login('demo', 'admin', 'admin')\n"
        "order = client.sale_order.filter(state='sale').prefetch_related('partner_id').first()\n"
        "client.close()\n"
        "print(json.dumps(dict(kinds=kinds, distinct=mine.ResPartner is not ResPartner,\n"
        "    order=type(order).__module__, partner=type(order.partner_id).__module__,\n"
        "    mine=mine.__file__.startswith(os.getcwd()))))\n"
    )
    result = _run([venv, "-c", check, emulator], cwd=project)
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got == {
        "kinds": [True, True],
        "distinct": True,
        "order": "generated_models.sale_order",
        "partner": "generated_models.res_partner",
        "mine": True,
    }
