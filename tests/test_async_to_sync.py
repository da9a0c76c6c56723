"""tools/async_to_sync.py: the sync face is generated from the async one, and a drifted copy is caught."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import async_to_sync  # noqa: E402


def test_conversion_rules() -> None:
    source = """import asyncio  # sync: import time
from ._query_async import AsyncQuery


class ZenooClient:
    async def run(self) -> None:
        # async-only
        await asyncio.sleep(0)
        # end-async-only
        # sync-only
        # time.sleep(0)
        # end-sync-only
        async with self.lock:
            async for item in AsyncQuery():
                await item.save()

    async def __aenter__(self) -> ZenooClient:
        return self
"""
    out = async_to_sync.convert(source, "x.py")
    assert out.startswith("# Generated from x.py by tools/async_to_sync.py")
    assert "import time\n" in out and "asyncio" not in out
    assert "from ._query_sync import SyncQuery" in out and "class SyncZenooClient:" in out
    assert "        time.sleep(0)\n" in out
    assert "        with self.lock:\n            for item in SyncQuery():\n                item.save()" in out
    body = out.split("\n", 1)[1]
    assert "def __enter__(self) -> SyncZenooClient:" in body and "await" not in body and "async" not in body


def test_committed_sync_faces_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "async_to_sync.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
