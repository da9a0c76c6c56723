"""Odoo from Django views: ``odoo()`` / ``await aodoo()`` for the aliases of ``settings.ZENOO_RPC``.

::

    INSTALLED_APPS = [..., "zenoo_rpc.contrib.django"]
    ZENOO_RPC = {"default": {"URL": os.environ["ODOO_URL"], "DB": os.environ["ODOO_DB"],
                             "USER": os.environ["ODOO_USER"], "API_KEY": os.environ["ODOO_API_KEY"]}}

    from zenoo_rpc.contrib.django import odoo
    def partners(request):
        names = odoo().model(ResPartner).only("name").values_list("name", flat=True)

Importing ``zenoo_rpc`` never imports this package (nor Django); it needs ``pip install zenoo-rpc[django]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..._lazy import lazy_attributes

if TYPE_CHECKING:
    from ._clients import aodoo, handler, odoo
    from .serializers import JSONSerializer

__all__ = ["JSONSerializer", "aodoo", "handler", "odoo"]

# imported on first use: the pytest plugin and the app's submodules load this package without Django
__getattr__ = lazy_attributes(
    __name__,
    {"aodoo": "._clients", "handler": "._clients", "odoo": "._clients", "JSONSerializer": ".serializers"},
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
