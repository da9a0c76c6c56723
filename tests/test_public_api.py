"""The public surface: every name in ``__all__`` exists, public modules declare ``__all__``, the package is
typed, and importing the sync face does not import the async stack (nor the reverse)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [
    "zenoo_rpc",
    "zenoo_rpc.exceptions",
    "zenoo_rpc.testing",
    "zenoo_rpc.transport",
    "zenoo_rpc.models.common",
    "zenoo_rpc.runtime",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for attr in module.__all__:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_every_module_declares_all() -> None:
    for path in (ROOT / "zenoo_rpc").rglob("*.py"):
        if path.name in ("__main__.py", "pytest_plugin.py"):
            continue
        text = path.read_text()
        assert "__all__" in text, path.relative_to(ROOT)


def test_package_is_typed() -> None:
    assert (ROOT / "zenoo_rpc" / "py.typed").exists() and (ROOT / "generated_models" / "py.typed").exists()


@pytest.mark.parametrize(("face", "absent"), [("SyncZenooClient", "aiohttp"), ("ZenooClient", "requests")])
def test_each_face_imports_only_its_stack(face: str, absent: str) -> None:
    code = f"import sys, zenoo_rpc; zenoo_rpc.{face}; print({absent!r} in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"
