"""A serializer for Django's own Redis cache that never pickles: JSON values, integers as Redis integers.

Django's ``RedisCache`` pickles every value but integers, and unpickles whatever it reads: whoever can write
to that Redis can run code in every worker. Give the cache that Zenoo RPC uses this serializer::

    CACHES = {"odoo": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                       "OPTIONS": {"serializer": "zenoo_rpc.contrib.django.serializers.JSONSerializer"}}}

(with django-redis: ``"SERIALIZER": "django_redis.serializers.json.JSONSerializer"``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["JSONSerializer"]


class JSONSerializer:
    """``dumps``/``loads`` as Django's ``RedisSerializer`` has them; values must be JSON (str, numbers, lists,
    dicts, bools, None)."""

    def dumps(self, obj: Any) -> bytes | int:
        """JSON bytes of ``obj`` (plain integers stay integers, so Redis can count them)."""
        if type(obj) is int:  # as Django's: incr()/decr() work on Redis integers
            return obj
        return json.dumps(obj, separators=(",", ":")).encode()

    def loads(self, data: bytes) -> Any:
        """The value back from what :meth:`dumps` wrote; never unpickles."""
        try:
            return int(data)
        except ValueError:
            return json.loads(data)
