"""Every recorded real-Odoo case replayed against the emulator over a real socket, compared strictly.

Cases the emulator cannot reproduce are listed with their reason in ``conformance_gaps.json``; they are
strict xfails, so one that starts passing fails the run until it is taken off the list.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance import Replayer, compare, load_cases, shared_available

from zenoo_rpc.testing import OdooEmulator

GAPS: dict[str, dict[str, str]] = json.loads((Path(__file__).parent / "conformance_gaps.json").read_text())
FILES = ("corpus/read.json", "errors.json", "json2_examples.json", "corpus/write.json")

if not shared_available():
    if os.environ.get("CI"):
        raise RuntimeError("the recorded Odoo material (../shared/odoo) is missing")
    pytest.skip(
        "the recorded Odoo material (../shared/odoo) is not beside this checkout", allow_module_level=True
    )


def _params() -> list[Any]:
    params = []
    for version in ("17.0", "18.0", "19.0"):
        for name in FILES:
            for index, case in enumerate(load_cases(version, name)):
                key = f"{version} {name} {case['label']}"
                marks = []
                if key in GAPS:
                    marks.append(pytest.mark.xfail(reason=GAPS[key]["why"], strict=True))
                params.append(pytest.param(version, name, index, id=f"{version}:{name}:{index}", marks=marks))
    return params


@pytest.fixture(scope="module")
def replayers() -> Iterator[dict[tuple[str, str], Replayer]]:
    """One emulator per version and file: write.json is replayed in order from the demo data."""
    servers: dict[tuple[str, str], OdooEmulator] = {}
    out = {}
    for version in ("17.0", "18.0", "19.0"):
        for name in FILES:
            servers[(version, name)] = OdooEmulator(version).start()
            out[(version, name)] = Replayer(servers[(version, name)])
    yield out
    for s in servers.values():
        s.stop()


@pytest.mark.parametrize(("version", "name", "index"), _params())
def test_case(replayers: dict[tuple[str, str], Replayer], version: str, name: str, index: int) -> None:
    case = load_cases(version, name)[index]
    problems = compare(case, replayers[(version, name)].send(case))
    assert not problems, f"{case['label']}: " + "; ".join(problems[:5])
