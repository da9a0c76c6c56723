"""pytest fixtures: ``odoo_server`` (an emulator per test session, Odoo 19.0 unless ``--odoo-version``).

pytest loads this plugin in every run of an environment that has Zenoo RPC (entry point ``pytest11``): it
imports the emulator only when a test uses one of its fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._server import OdooEmulator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zenoo")
    group.addoption("--odoo-version", default="19.0", help="Odoo version the odoo_server fixture emulates")


@pytest.fixture(scope="session")
def odoo_server(request: pytest.FixtureRequest) -> Iterator[OdooEmulator]:
    """An Odoo emulator on loopback for the whole test session (data is shared: reset_data() if you write)."""
    from ._server import OdooEmulator

    server = OdooEmulator(str(request.config.getoption("--odoo-version")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def odoo(odoo_server: OdooEmulator) -> Iterator[OdooEmulator]:
    """The session's emulator with its data restored and its counters reset after the test."""
    odoo_server.reset_counts()
    yield odoo_server
    odoo_server.reset_data()
    odoo_server.reset_counts()
