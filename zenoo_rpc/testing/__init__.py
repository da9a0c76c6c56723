"""An Odoo emulator on a real loopback socket, for tests, demos and benchmarks (17.0, 18.0, 19.0).

``python -m zenoo_rpc.testing --odoo-version 19.0 --port 8069`` serves the demo database ``demo`` with users
``admin``/``admin`` and ``demo``/``demo``; the admin's API key is :data:`DEFAULT_API_KEY`.

:class:`NotEmulated` names the error answered when the emulator cannot do what a call asks (an internal
limitation, never Odoo's answer); the SDK raises it as :class:`zenoo_rpc.NotEmulatedError`.

:class:`FaultProxy` is a fault-injecting HTTP proxy (reverse or forward) to put between a client and the
emulator.

:func:`use_cassette` (and the pytest fixture ``zenoo_cassette``) records a test's traffic with a real Odoo
into a cassette once, secrets scrubbed, and replays it afterwards, requests matched on the RPC call they make
(:func:`rpc_call`); vcrpy is imported on first use.

The emulator (and aiohttp, on which it runs) is imported on first use of one of these names, so that the
pytest plugin, which every pytest run loads, costs nothing until a test asks for an emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from ._cassettes import SCRUBBED, ZenooCassette, rpc_call, use_cassette
    from ._exceptions import NotEmulated
    from ._proxy import FaultProxy
    from ._server import DEFAULT_API_KEY, OdooEmulator, run_emulator
    from ._store import VERSIONS

__all__ = [
    "DEFAULT_API_KEY",
    "SCRUBBED",
    "VERSIONS",
    "FaultProxy",
    "NotEmulated",
    "OdooEmulator",
    "ZenooCassette",
    "rpc_call",
    "run_emulator",
    "use_cassette",
]

__getattr__ = lazy_attributes(
    __name__,
    {
        "DEFAULT_API_KEY": "._server",
        "OdooEmulator": "._server",
        "run_emulator": "._server",
        "FaultProxy": "._proxy",
        "NotEmulated": "._exceptions",
        "VERSIONS": "._store",
        "SCRUBBED": "._cassettes",
        "ZenooCassette": "._cassettes",
        "rpc_call": "._cassettes",
        "use_cassette": "._cassettes",
    },
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
