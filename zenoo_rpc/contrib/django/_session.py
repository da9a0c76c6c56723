"""The login's session shared through a Django cache (one login for every worker), and in the process.

The entry's key is an HMAC (Django's ``salted_hmac``, keyed by ``SECRET_KEY``) of the server, database,
user, protocol and secret: a worker configured with another password or key never adopts the session, the
secret is never stored, and the key tells nothing without ``SECRET_KEY``. The value is
:class:`~zenoo_rpc._core.session.SessionInfo` as JSON text: the uid, the web session's cookie (a bearer
credential: keep the cache as private as the secret) and the server version.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from ..._core.session import SessionInfo
from ..._fork import ForkSafeLock

__all__ = ["AsyncSessionStore", "LocalSession", "SessionStore", "store_key"]

_log = logging.getLogger("zenoo_rpc.contrib.django")

#: Odoo keeps an unused web session for a week (``SESSION_LIFETIME``); an older entry is useless
SESSION_TTL = 7 * 24 * 3600


def store_key(url: str, db: str, user: str, protocol: str, api_key: bool, secret: str) -> str:
    from django.utils.crypto import salted_hmac

    material = "\x00".join((url, db, user, protocol, "api_key" if api_key else "password", secret))
    digest = salted_hmac("zenoo_rpc.contrib.django.session", material, algorithm="sha256").hexdigest()
    return f"zenoo_rpc:session:{digest[:40]}"


class LocalSession:
    """The process's copy of an alias's session: the sync client and every event loop's client share it,
    with or without a Django cache."""

    def __init__(self) -> None:
        self.info: SessionInfo | None = None
        self.lock = ForkSafeLock()  # held by the one client of the process that is logging in


class _Store:
    def __init__(self, local: LocalSession, cache: Any, key: str, lock_timeout: float) -> None:
        self.local = local
        self.cache = cache
        self.key = key
        self.lock_key = key + ":lock"
        self.lock_timeout = max(1, int(lock_timeout) + 1)
        self._token = secrets.token_hex(8)

    def _parse(self, raw: Any) -> SessionInfo | None:
        if raw is None:
            return None
        try:
            info = SessionInfo.from_json(raw)
        except (ValueError, TypeError) as exc:
            _log.warning("ignoring a shared Odoo session that is not one (%s)", exc)
            return None
        self.local.info = info
        return info

    def _failed(self, what: str, exc: Exception) -> None:
        _log.warning(
            "the shared Odoo session could not be %s (%s: %s): logging in without it",
            what,
            type(exc).__name__,
            exc,
        )


class SessionStore(_Store):
    """The sync face's store (see :class:`zenoo_rpc._core.session.SessionStore`): never raises."""

    def load(self) -> SessionInfo | None:
        if self.cache is not None:
            try:
                found = self._parse(self.cache.get(self.key))
            except Exception as exc:
                self._failed("read", exc)
            else:
                if found is not None:
                    return found
        return self.local.info

    def save(self, info: SessionInfo) -> None:
        self.local.info = info
        if self.cache is not None:
            try:
                self.cache.set(self.key, info.to_json(), timeout=SESSION_TTL)
            except Exception as exc:
                self._failed("saved", exc)

    def acquire(self) -> bool:
        if self.cache is None:
            return self.local.lock.acquire(blocking=False)
        try:
            return bool(self.cache.add(self.lock_key, self._token, timeout=self.lock_timeout))
        except Exception as exc:
            self._failed("locked", exc)
            return True

    def release(self) -> None:
        if self.cache is None:
            self.local.lock.release()
            return
        try:
            self.cache.delete(self.lock_key)
        except Exception as exc:
            self._failed("unlocked", exc)


class AsyncSessionStore(_Store):
    """The async face's store: Django's ``a*`` cache methods."""

    async def load(self) -> SessionInfo | None:
        if self.cache is not None:
            try:
                found = self._parse(await self.cache.aget(self.key))
            except Exception as exc:
                self._failed("read", exc)
            else:
                if found is not None:
                    return found
        return self.local.info

    async def save(self, info: SessionInfo) -> None:
        self.local.info = info
        if self.cache is not None:
            try:
                await self.cache.aset(self.key, info.to_json(), timeout=SESSION_TTL)
            except Exception as exc:
                self._failed("saved", exc)

    async def acquire(self) -> bool:
        if self.cache is None:
            return self.local.lock.acquire(blocking=False)
        try:
            return bool(await self.cache.aadd(self.lock_key, self._token, timeout=self.lock_timeout))
        except Exception as exc:
            self._failed("locked", exc)
            return True

    async def release(self) -> None:
        if self.cache is None:
            self.local.lock.release()
            return
        try:
            await self.cache.adelete(self.lock_key)
        except Exception as exc:
            self._failed("unlocked", exc)
