"""Point an alias of ``settings.ZENOO_RPC`` at an Odoo emulator (``zenoo_rpc.testing``) for one test.

pytest (with pytest-django): the ``zenoo_emulator`` fixture points ``default`` at an emulator shared by the
test session, and restores its data afterwards::

    def test_orders(client, zenoo_emulator):
        assert client.get("/orders/").status_code == 200
        assert zenoo_emulator.count("sale.order", "search_read") == 1

``unittest``/Django ``TestCase``: :class:`EmulatedOdooMixin`. Anywhere: ``with emulated_odoo("other"): ...``.
The alias keeps its TIMEOUT and OPTIONS; CACHE and SESSION_CACHE are off unless given (a test's cached
reads must not outlive its data).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from zenoo_rpc.testing import OdooEmulator

__all__ = ["EmulatedOdooMixin", "emulated_odoo"]

_TLS_OPTIONS = ("verify_ssl", "ca_bundle", "client_cert")


@contextlib.contextmanager
def emulated_odoo(
    alias: str = "default",
    *,
    emulator: OdooEmulator | None = None,
    version: str = "19.0",
    user: str = "admin",
    password: str | None = "admin",
    api_key: str | None = None,
    protocol: str = "auto",
    **keys: Any,
) -> Iterator[OdooEmulator]:
    """``alias`` calls ``emulator`` (one of its own when None, stopped afterwards) as ``user`` until the block
    ends; ``api_key=zenoo_rpc.testing.DEFAULT_API_KEY`` logs the admin in with the key. ``keys`` set other
    keys of the alias (``CACHE="odoo"``)."""
    from django.conf import settings
    from django.test import override_settings

    from zenoo_rpc.testing import OdooEmulator

    own = emulator is None
    server = OdooEmulator(version).start() if emulator is None else emulator
    try:
        current = dict(getattr(settings, "ZENOO_RPC", None) or {})
        base = dict(current.get(alias) or {})
        options = {k: v for k, v in dict(base.get("OPTIONS") or {}).items() if k not in _TLS_OPTIONS}
        entry: dict[str, Any] = {
            "URL": server.url,
            "DB": server.database,
            "USER": user,
            "PROTOCOL": protocol,
            "TIMEOUT": base.get("TIMEOUT", 30),
            "OPTIONS": options,
            **({"API_KEY": api_key} if api_key else {"PASSWORD": password}),
            **keys,
        }
        with override_settings(
            ZENOO_RPC={**current, alias: entry}
        ):  # clients are made anew, and closed after
            yield server
    finally:
        if own:
            server.stop()


class EmulatedOdooMixin:
    """For ``unittest.TestCase`` subclasses (Django's ``SimpleTestCase``, ``TestCase``...): every alias of
    ``zenoo_aliases`` calls an emulator of ``zenoo_version`` (one per class) during each test, which sees it
    as ``self.odoo_emulator``; its data is restored after each test."""

    zenoo_aliases: ClassVar[tuple[str, ...]] = ("default",)
    zenoo_version: ClassVar[str] = "19.0"
    odoo_emulator: ClassVar[OdooEmulator]

    @classmethod
    def setUpClass(cls) -> None:
        from zenoo_rpc.testing import OdooEmulator

        cls.odoo_emulator = OdooEmulator(cls.zenoo_version).start()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()  # type: ignore[misc]
        cls.odoo_emulator.stop()

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        for alias in self.zenoo_aliases:
            block = emulated_odoo(alias, emulator=self.odoo_emulator)
            block.__enter__()
            self.addCleanup(block.__exit__, None, None, None)  # type: ignore[attr-defined]
        self.addCleanup(self.odoo_emulator.reset_data)  # type: ignore[attr-defined]
        self.odoo_emulator.reset_counts()
