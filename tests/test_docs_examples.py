"""Every Python example in the README and in docs/ runs, as written, against the emulator (Sybil parses the
Markdown; the blocks of one document share a namespace, in order).

The examples talk to ``http://localhost:8069`` with database ``demo`` and ``admin``/``admin``: what
``python -m zenoo_rpc.testing`` serves, so a reader can run them. Here each document gets an emulator of its
own on a free port, and that address (and the Redis URL of the examples, ``redis://localhost:6379/0``) is
replaced by the test's before a block runs; nothing else of the block changes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Example, Sybil
from sybil.evaluators.python import pad
from sybil.parsers.markdown import CodeBlockParser

from zenoo_rpc.testing import OdooEmulator

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


class _Emulated:
    """Runs a block with the emulator's and the test Redis' addresses in place of the documented ones."""

    def __init__(self, url: str, redis_url: str, redis_prefix: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.swaps = [
            ("http://localhost:8069", url),
            ('"localhost", port=8069', f'"{host}", port={port}'),
            ("redis://localhost:6379/0", redis_url),
            ('prefix="myapp"', f'prefix="{redis_prefix}"'),  # the test's keys, deleted afterwards
        ]

    def __call__(self, example: Example) -> None:
        source = str(example.parsed)
        for documented, actual in self.swaps:
            source = source.replace(documented, actual)
        code = compile(pad(source, example.line + example.parsed.line_offset), example.path, "exec")
        exec(code, example.namespace)
        example.namespace.pop("__builtins__", None)


def _has_examples(path: Path) -> bool:
    return bool(re.search(r"^```python\b", path.read_text(), re.M))


@pytest.fixture
def emulator() -> Iterator[OdooEmulator]:
    with OdooEmulator("19.0") as odoo:
        yield odoo


@pytest.mark.parametrize(
    "path", [p for p in DOCUMENTS if _has_examples(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_example_runs(
    path: Path, emulator: OdooEmulator, redis_url: str, redis_prefix: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)  # what an example writes (a generated package) goes to a folder of the test's
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "generated_models" or m.startswith("generated_models.")]:
        monkeypatch.delitem(sys.modules, name)
    evaluator = _Emulated(emulator.url, redis_url, redis_prefix)
    document = Sybil(parsers=[CodeBlockParser(language="python", evaluator=evaluator)]).parse(path)
    ran = 0
    for example in document:
        example.evaluate()
        ran += 1
    assert ran, f"{path.name}: no example was run"
    closing = document.namespace.get("client")
    if closing is not None and hasattr(closing, "close") and not hasattr(closing, "__aenter__"):
        closing.close()
    for name in [m for m in sys.modules if m == "generated_models" or m.startswith("generated_models.")]:
        del sys.modules[name]  # the package an example generated lives in the test's folder


_INCLUDE = re.compile(r'^--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"$')


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_other_python_blocks_include_files_that_tests_run(path: Path) -> None:
    """A ```py block (rather than ```python) only includes a section of a file that tests run (the Django
    example project): its code runs there, not here. Nothing else may hide from the examples test."""
    for block in re.findall(r"^```py\n(.*?)^```$", path.read_text(), re.M | re.S):
        for line in block.strip().splitlines():
            match = _INCLUDE.match(line.strip())
            assert match, f"{path.name}: a ```py block holds code, not an include: {line!r}"
            included = ROOT / match["path"]
            assert included.is_file() and included.parts[len(ROOT.parts)] in ("examples", "tests"), line
            if match["section"]:
                assert f"--8<-- [start:{match['section']}]" in included.read_text(), line
