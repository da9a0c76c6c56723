"""The process's clients per alias of ``settings.ZENOO_RPC``, as Django's ``connections``/``caches`` hold theirs.

- ``odoo(alias)``: one ``SyncZenooClient`` per alias and process, shared by every thread, logged in on first
  use (under a lock: one login however many threads start at once).
- ``await aodoo(alias)``: one ``ZenooClient`` per alias and event loop (asyncio objects belong to one loop;
  a WSGI server runs each async view in a loop of its own). It adopts the process's session: no login.
- Every client logs in through a session store: the process's copy of the session, and the Django cache
  ``SESSION_CACHE`` when there is one, so that the workers of a server share one login and renew it once.
- A fork (gunicorn ``--preload``) keeps the logged-in sync client: the clients make new connections in the
  child (``zenoo_rpc._fork``); the loops' clients are the parent's and are left alone.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ... import _fork
from ._conf import AliasConfig, parse
from ._session import AsyncSessionStore, LocalSession, SessionStore, store_key

if TYPE_CHECKING:
    import asyncio

    from ... import SyncZenooClient, ZenooClient

__all__ = ["ClientHandler", "aodoo", "handler", "odoo"]


class _Alias:
    def __init__(self, config: AliasConfig) -> None:
        self.config = config
        self.lock = _fork.ForkSafeLock()
        self.client: SyncZenooClient | None = None
        #: per event loop: its client, the lock of its login, the task that closes it when the loop ends
        self.loops: dict[asyncio.AbstractEventLoop, tuple[ZenooClient, asyncio.Lock, asyncio.Task[None]]] = {}
        self.session = LocalSession()

    def key(self) -> str:
        c = self.config
        from ..._core.connection import normalize_base_url

        return store_key(normalize_base_url(c.url, None), c.db, c.user, c.protocol, c.api_key, c.secret)

    def cache(self, alias: str | None) -> Any:
        if alias is None:
            return None
        from django.core.cache import caches

        return caches[alias]

    def store(self, asynchronous: bool) -> Any:
        kind = AsyncSessionStore if asynchronous else SessionStore
        return kind(self.session, self.cache(self.config.session_cache), self.key(), self.config.timeout)

    def tier(self, asynchronous: bool) -> Any:
        from ..._cache_django import AsyncDjangoCacheBackend, DjangoCacheBackend

        kind = AsyncDjangoCacheBackend if asynchronous else DjangoCacheBackend
        return kind(self.cache(self.config.cache), prefix="zenoo_rpc")


class ClientHandler:
    """The aliases' clients. ``handler.reset()`` (also on ``setting_changed`` for ZENOO_RPC and CACHES)
    closes the sync clients and forgets every client."""

    def __init__(self) -> None:
        self._aliases: dict[str, _Alias] | None = None
        self._lock = _fork.ForkSafeLock()
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        for entry in (self._aliases or {}).values():
            for client, _, _ in entry.loops.values():  # the parent's loops: never used, closed or freed here
                _fork.abandon(client)
            entry.loops = {}

    def configs(self) -> dict[str, AliasConfig]:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        configs, problems = parse(getattr(settings, "ZENOO_RPC", None), getattr(settings, "CACHES", {}))
        if problems:
            raise ImproperlyConfigured("; ".join(p.message for p in problems) + " (run manage.py check)")
        return configs

    def _all(self) -> dict[str, _Alias]:
        aliases = self._aliases
        if aliases is None:
            with self._lock:
                if self._aliases is None:
                    self._aliases = {name: _Alias(c) for name, c in self.configs().items()}
                aliases = self._aliases
        return aliases

    def _entry(self, alias: str) -> _Alias:
        aliases = self._all()
        try:
            return aliases[alias]
        except KeyError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"settings.ZENOO_RPC has no alias {alias!r} (it has {', '.join(map(repr, aliases))})"
            ) from None

    def aliases(self) -> list[str]:
        return list(self._all())

    def config(self, alias: str = "default") -> AliasConfig:
        return self._entry(alias).config

    def new_client(self, alias: str = "default", *, asynchronous: bool = False) -> Any:
        """A client made from the alias's settings, not logged in (``zenoo_check`` logs it in itself)."""
        entry = self._entry(alias)
        c = entry.config
        if asynchronous:
            from ... import ZenooClient as cls
        else:
            from ... import SyncZenooClient as cls  # type: ignore[assignment]
        client: Any = cls(c.url, **c.client_kwargs())
        return client

    def _log_in(self, entry: _Alias, client: Any, store: Any) -> Any:
        c = entry.config
        if c.api_key:
            return client.login_with_api_key(c.db, c.user, c.secret, session_store=store)
        return client.login(c.db, c.user, c.secret, session_store=store)

    def sync(self, alias: str = "default") -> SyncZenooClient:
        entry = self._entry(alias)
        client = entry.client
        if client is not None and client.uid is not None:
            return client
        with entry.lock:
            if entry.client is None:
                made = self.new_client(alias)
                if entry.config.cache is not None:
                    made.setup_cache_manager(entry.tier(asynchronous=False))
                entry.client = made
            client = entry.client
            assert client is not None
            if client.uid is None:
                self._log_in(entry, client, entry.store(asynchronous=False))
        return client

    async def asynchronous(self, alias: str = "default") -> ZenooClient:
        import asyncio

        entry = self._entry(alias)
        loop = asyncio.get_running_loop()
        found = entry.loops.get(loop)
        if found is None:  # only this loop's thread adds this loop's client
            made = self.new_client(alias, asynchronous=True)
            if entry.config.cache is not None:
                await made.setup_cache_manager(entry.tier(asynchronous=True))
            closer = loop.create_task(_close_with_loop(made))
            with entry.lock:  # other loops' threads change the dict too
                for other in [x for x in entry.loops if x.is_closed()]:
                    del entry.loops[other]  # closed with its loop (see _close_with_loop)
                found = entry.loops[loop] = (made, asyncio.Lock(), closer)
        client, lock, _ = found
        if client.uid is None:
            async with lock:
                if client.uid is None:
                    await self._log_in(entry, client, entry.store(asynchronous=True))
        return client

    def reset(self) -> None:
        with self._lock:
            aliases, self._aliases = self._aliases, None
        for entry in (aliases or {}).values():
            if entry.client is not None:
                entry.client.close()
            entry.loops = {}  # each closes with its loop


async def _close_with_loop(client: ZenooClient) -> None:
    """Waits for the end of its event loop (``asyncio.run``, asgiref's ``async_to_sync`` and ASGI servers
    cancel what is still running then) and closes the loop's client there."""
    import asyncio

    try:
        await asyncio.get_running_loop().create_future()
    finally:
        await client.close()


handler = ClientHandler()
_reset_lock = threading.Lock()


def odoo(alias: str = "default") -> SyncZenooClient:
    """The process's shared ``SyncZenooClient`` for ``alias`` of ``settings.ZENOO_RPC``, logged in (once, on
    first use). Thread-safe; per request, ``odoo().with_context(lang=...)`` is a view that shares it."""
    return handler.sync(alias)


async def aodoo(alias: str = "default") -> ZenooClient:
    """The ``ZenooClient`` of this event loop for ``alias``, logged in (it adopts the process's session)."""
    return await handler.asynchronous(alias)


def _settings_changed(*, setting: str, **_: Any) -> None:
    if setting in ("ZENOO_RPC", "CACHES", "SECRET_KEY"):
        with _reset_lock:
            handler.reset()


def connect_signals() -> None:
    from django.core.signals import setting_changed

    setting_changed.connect(_settings_changed, dispatch_uid="zenoo_rpc.contrib.django")


connect_signals()
