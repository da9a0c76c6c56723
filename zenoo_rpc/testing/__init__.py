"""An Odoo emulator on a real loopback socket, for tests, demos and benchmarks (17.0, 18.0, 19.0).

``python -m zenoo_rpc.testing --odoo-version 19.0 --port 8069`` serves the demo database ``demo`` with users
``admin``/``admin`` and ``demo``/``demo``; the admin's API key is :data:`DEFAULT_API_KEY`.

:class:`FaultProxy` is a fault-injecting HTTP proxy (reverse or forward) to put between a client and the
emulator; it is imported on first use.
"""

from typing import TYPE_CHECKING, Any

from ._server import DEFAULT_API_KEY, OdooEmulator, run_emulator
from ._store import VERSIONS

if TYPE_CHECKING:
    from ._proxy import FaultProxy

__all__ = ["DEFAULT_API_KEY", "VERSIONS", "FaultProxy", "OdooEmulator", "run_emulator"]


def __getattr__(name: str) -> Any:
    if name == "FaultProxy":
        from ._proxy import FaultProxy

        return FaultProxy
    raise AttributeError(f"module 'zenoo_rpc.testing' has no attribute {name!r}")
