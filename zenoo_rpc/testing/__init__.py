"""An Odoo emulator on a real loopback socket, for tests, demos and benchmarks (17.0, 18.0, 19.0).

``python -m zenoo_rpc.testing --odoo-version 19.0 --port 8069`` serves the demo database ``demo`` with users
``admin``/``admin`` and ``demo``/``demo``; the admin's API key is :data:`DEFAULT_API_KEY`.
"""

from ._server import DEFAULT_API_KEY, OdooEmulator, run_emulator
from ._store import VERSIONS

__all__ = ["DEFAULT_API_KEY", "VERSIONS", "OdooEmulator", "run_emulator"]
