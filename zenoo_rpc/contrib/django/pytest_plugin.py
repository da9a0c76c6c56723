"""pytest fixtures for Django projects (loaded in every pytest run through the ``pytest11`` entry point: it
imports neither Django nor the emulator until a test uses a fixture).

- ``zenoo_emulator``: the ``default`` alias of ``settings.ZENOO_RPC`` calls the emulator during the test
  (see :func:`zenoo_rpc.contrib.django.testing.emulated_odoo`); its data and counters are reset after it.
- ``zenoo_emulator_server``: that emulator, one per test session (``--odoo-version`` chooses its version).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from zenoo_rpc.testing import OdooEmulator

__all__ = ["zenoo_emulator", "zenoo_emulator_server"]


@pytest.fixture(scope="session")
def zenoo_emulator_server(request: pytest.FixtureRequest) -> Iterator[OdooEmulator]:
    from zenoo_rpc.testing import OdooEmulator

    try:
        version = str(request.config.getoption("--odoo-version"))
    except ValueError:
        version = "19.0"
    server = OdooEmulator(version).start()
    yield server
    server.stop()


@pytest.fixture
def zenoo_emulator(zenoo_emulator_server: OdooEmulator) -> Iterator[OdooEmulator]:
    from .testing import emulated_odoo

    zenoo_emulator_server.reset_counts()
    try:
        with emulated_odoo("default", emulator=zenoo_emulator_server):
            yield zenoo_emulator_server
    finally:
        zenoo_emulator_server.reset_data()
        zenoo_emulator_server.reset_counts()
        zenoo_emulator_server.expire_sessions()
