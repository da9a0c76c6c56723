"""Every recorded real-Odoo case replayed against the emulator over a real socket, compared strictly.

Cases the emulator cannot reproduce are listed with their reason in ``conformance_gaps.json``; they are
strict xfails, so one that starts passing fails the run until it is taken off the list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conformance import CORPUS, Replayer, compare, load_cases

from zenoo_rpc.testing import OdooEmulator

GAPS: dict[str, dict[str, str]] = json.loads((Path(__file__).parent / "conformance_gaps.json").read_text())
FILES = ("corpus/read.json", "errors.json", "json2_examples.json", "corpus/write.json")
VERSIONS = ("17.0", "18.0", "19.0")


def test_the_corpus_is_in_the_repository() -> None:
    """Every version's recordings are here (a checkout replays them with nothing beside it)."""
    for version in VERSIONS:
        for name in ("read", "write", "errors"):
            assert (CORPUS / version / f"{name}.json.gz").is_file(), (version, name)
    assert (CORPUS / "19.0" / "json2_examples.json.gz").is_file()


def _params() -> list[Any]:
    params = []
    for version in VERSIONS:
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
    for version in VERSIONS:
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
