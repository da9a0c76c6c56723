"""The Django app: ``INSTALLED_APPS = [..., "zenoo_rpc.contrib.django"]`` registers the system checks and the
``zenoo_check`` and ``zenoo_gen`` management commands."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["ZenooRpcConfig"]


class ZenooRpcConfig(AppConfig):
    name = "zenoo_rpc.contrib.django"
    label = "zenoo_rpc"
    verbose_name = "Zenoo RPC (Odoo)"
    default = True

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
