"""A Django cache (any ``CACHES`` alias: Redis, Memcached, local memory, ...) as a tier of the cache manager.

It takes the cache object (``django.core.cache.caches[alias]``) and calls Django's cache API only: this
module never imports Django. What it stores is JSON text (an envelope around the core's JSON value), never a
Python object; what the cache's own serializer does with text is the cache's business (see
``zenoo_rpc.contrib.django.JSONSerializer``, which the system checks ask for on a Redis cache).

Django's cache API has no sets, so tags are generations: every tag (and ``*``, the whole tier) has a random
number stored in the cache, an entry records the numbers of its tags when it is stored, and dropping a tag
gives it a new number. An entry whose numbers are not the current ones is a miss. A read that raced a write
(stored with the numbers read before the write bumped them) is a miss too, so nothing stale is served.
"""

from __future__ import annotations

import json
import math
import secrets
from typing import Any

from ._cache import _Failures

__all__ = ["AsyncDjangoCacheBackend", "DjangoCacheBackend"]

_WHOLE = "*"


def _generation() -> int:
    return secrets.randbits(62)


class _Layout:
    """Keys, lifetimes and the envelope, shared by the sync and async adapters."""

    tier_name = "django"

    def __init__(self, cache: Any, *, prefix: str = "zenoo", default_ttl: float | None = 300.0) -> None:
        self.cache = cache
        self.prefix = prefix
        self.default_ttl = default_ttl
        # any error of the cache's library (redis, pymemcache, a database): the tier is skipped, never fatal
        self._failures = _Failures("django", (Exception,))

    def k(self, key: str) -> str:
        return f"{self.prefix}:v:{key}"

    def g(self, tag: str) -> str:
        return f"{self.prefix}:g:{tag}"

    def timeout(self, ttl: float | None) -> float | None:
        """Django's timeout: None keeps an entry until evicted; whole seconds, rounded up (Redis truncates)."""
        ttl = self.default_ttl if ttl is None else ttl
        return float(math.ceil(ttl)) if ttl else None

    @staticmethod
    def wrap(value: bytes, generations: dict[str, int]) -> str:
        return json.dumps({"g": generations, "v": value.decode("utf-8")}, separators=(",", ":"))

    @staticmethod
    def unwrap(raw: Any) -> tuple[dict[str, Any], bytes] | None:
        """(generations, value) of an envelope; None for anything else (never trusted: it is a miss)."""
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        if not isinstance(raw, str):
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("g"), dict)
            or not isinstance(data.get("v"), str)
        ):
            return None
        return data["g"], data["v"].encode("utf-8")

    def current(self, generations: dict[str, Any], found: dict[str, Any]) -> bool:
        return all(found.get(self.g(tag)) == number for tag, number in generations.items())

    def tag_keys(self, tags: tuple[str, ...]) -> list[str]:
        return [self.g(tag) for tag in (_WHOLE, *tags)]

    def numbers(self, tags: tuple[str, ...], found: dict[str, Any]) -> dict[str, int] | None:
        """The generations to record, None while one is missing."""
        out: dict[str, int] = {}
        for tag in (_WHOLE, *tags):
            number = found.get(self.g(tag))
            if not isinstance(number, int):
                return None
            out[tag] = number
        return out


class DjangoCacheBackend(_Layout):
    """The sync face's tier over a Django cache."""

    def get(self, key: str) -> bytes | None:
        with self._failures:
            entry = self.unwrap(self.cache.get(self.k(key)))
            if entry is None:
                return None
            generations, value = entry
            if not self.current(generations, self.cache.get_many([self.g(t) for t in generations])):
                self.cache.delete(self.k(key))
                return None
            return value

    def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        with self._failures:
            keys = self.tag_keys(tags)
            found = self.cache.get_many(keys)
            numbers = self.numbers(tags, found)
            if numbers is None:
                for name in keys:
                    if name not in found:
                        self.cache.add(name, _generation(), timeout=None)
                numbers = self.numbers(tags, self.cache.get_many(keys))
                if numbers is None:  # evicted at once: do not store what could not be invalidated
                    return
            self.cache.set(self.k(key), self.wrap(value, numbers), timeout=self.timeout(ttl))

    def delete(self, key: str) -> None:
        with self._failures:
            self.cache.delete(self.k(key))

    def drop_tags(self, tags: tuple[str, ...]) -> None:
        with self._failures:
            self.cache.set_many({self.g(tag): _generation() for tag in tags}, timeout=None)

    def clear(self) -> None:
        """Drops this tier's entries only (a new generation for all of them), not the rest of the cache."""
        with self._failures:
            self.cache.set(self.g(_WHOLE), _generation(), timeout=None)

    def size(self) -> int:
        """Django's cache API cannot count entries: a Django tier counts 0 in ``get_stats()["size"]``."""
        return 0


class AsyncDjangoCacheBackend(_Layout):
    """The async face's tier: Django's ``a*`` cache methods."""

    async def get(self, key: str) -> bytes | None:
        with self._failures:
            entry = self.unwrap(await self.cache.aget(self.k(key)))
            if entry is None:
                return None
            generations, value = entry
            if not self.current(generations, await self.cache.aget_many([self.g(t) for t in generations])):
                await self.cache.adelete(self.k(key))
                return None
            return value

    async def set(self, key: str, value: bytes, ttl: float | None, tags: tuple[str, ...] = ()) -> None:
        with self._failures:
            keys = self.tag_keys(tags)
            found = await self.cache.aget_many(keys)
            numbers = self.numbers(tags, found)
            if numbers is None:
                for name in keys:
                    if name not in found:
                        await self.cache.aadd(name, _generation(), timeout=None)
                numbers = self.numbers(tags, await self.cache.aget_many(keys))
                if numbers is None:
                    return
            await self.cache.aset(self.k(key), self.wrap(value, numbers), timeout=self.timeout(ttl))

    async def delete(self, key: str) -> None:
        with self._failures:
            await self.cache.adelete(self.k(key))

    async def drop_tags(self, tags: tuple[str, ...]) -> None:
        with self._failures:
            await self.cache.aset_many({self.g(tag): _generation() for tag in tags}, timeout=None)

    async def clear(self) -> None:
        with self._failures:
            await self.cache.aset(self.g(_WHOLE), _generation(), timeout=None)

    async def size(self) -> int:
        return 0
