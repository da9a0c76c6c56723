"""System checks (``manage.py check``; ``--deploy`` adds the security ones). IDs ``zenoo_rpc.E0xx``/``W0xx``:

- E001 ZENOO_RPC missing, not a dict, or without a ``default`` alias; E002 a malformed value; E003 a missing
  key; E005 an unknown key; E006 CACHE/SESSION_CACHE naming no alias of CACHES; E007 that cache is a Redis
  cache that pickles (whoever writes to the Redis could run code in the workers).
- ``--deploy``: W001 TLS verification off; W002 a password instead of an API key; W003 a plain-HTTP URL to
  a host that is not this machine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from ._conf import Problem, parse

__all__ = ["check_deploy", "check_settings"]

_DJANGO_REDIS = "django.core.cache.backends.redis.RedisCache"
_DJANGO_PICKLER = "django.core.cache.backends.redis.RedisSerializer"
_DJANGO_REDIS_PICKLER = "django_redis.serializers.pickle.PickleSerializer"


def _error(p: Problem) -> checks.Error:
    return checks.Error(p.message, hint=p.hint, id=p.id)


def _pickles(cache: Mapping[str, Any]) -> str | None:
    """Why this CACHES entry would unpickle what it reads from Redis, or None."""
    backend = str(cache.get("BACKEND", ""))
    options = cache.get("OPTIONS") or {}
    if backend == _DJANGO_REDIS:
        serializer = options.get("serializer")
        if serializer is None:
            return "Django's RedisCache pickles values unless OPTIONS['serializer'] says otherwise"
        path = (
            serializer
            if isinstance(serializer, str)
            else f"{serializer.__module__}.{serializer.__qualname__}"
        )
        if path == _DJANGO_PICKLER:
            return "its serializer is Django's RedisSerializer, which pickles"
        if isinstance(serializer, type):
            from django.core.cache.backends.redis import RedisSerializer

            if issubclass(serializer, RedisSerializer):
                return "its serializer is a RedisSerializer, which pickles"
        return None
    if backend.startswith("django_redis."):
        serializer = options.get("SERIALIZER", _DJANGO_REDIS_PICKLER)
        if serializer == _DJANGO_REDIS_PICKLER:
            return "django-redis pickles values unless OPTIONS['SERIALIZER'] says otherwise"
    return None


@checks.register("zenoo_rpc")
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    caches = getattr(settings, "CACHES", {})
    configs, problems = parse(getattr(settings, "ZENOO_RPC", None), caches)
    messages: list[checks.CheckMessage] = [_error(p) for p in problems]
    for config in configs.values():
        for key, alias in (("CACHE", config.cache), ("SESSION_CACHE", config.session_cache)):
            if alias is None or (key == "SESSION_CACHE" and alias == config.cache):
                continue
            why = _pickles(caches.get(alias, {}))
            if why is not None:
                messages.append(
                    checks.Error(
                        f"ZENOO_RPC[{config.alias!r}][{key!r}] uses the cache {alias!r}: {why}",
                        hint="OPTIONS = {'serializer': 'zenoo_rpc.contrib.django.serializers.JSONSerializer'} (Django's"
                        " RedisCache) or {'SERIALIZER': 'django_redis.serializers.json.JSONSerializer'} (django-redis);"
                        " a cache alias of its own keeps the rest of the site's cache as it is",
                        id="zenoo_rpc.E007",
                    )
                )
    return messages


def _local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@checks.register("zenoo_rpc", checks.Tags.security, deploy=True)
def check_deploy(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    configs, _ = parse(getattr(settings, "ZENOO_RPC", None), getattr(settings, "CACHES", {}))
    messages: list[checks.CheckMessage] = []
    for config in configs.values():
        where = f"ZENOO_RPC[{config.alias!r}]"
        if config.options.get("verify_ssl") is False:
            messages.append(
                checks.Warning(
                    f"{where}['OPTIONS'] turns TLS verification off (verify_ssl=False)",
                    hint="trust your own CA instead: OPTIONS = {'ca_bundle': '/etc/ssl/private-ca.pem'}",
                    id="zenoo_rpc.W001",
                )
            )
        if not config.api_key:
            messages.append(
                checks.Warning(
                    f"{where} logs in with a PASSWORD",
                    hint="give the site an API key of its own (Odoo: Preferences > Account Security > New API Key)"
                    " as 'API_KEY': it can be revoked alone and never opens the web interface",
                    id="zenoo_rpc.W002",
                )
            )
        parts = urlsplit(config.url)
        if parts.scheme == "http" and not _local(parts.hostname or ""):
            messages.append(
                checks.Warning(
                    f"{where}['URL'] is plain HTTP to {parts.hostname}: the credentials travel unencrypted",
                    hint="use https://",
                    id="zenoo_rpc.W003",
                )
            )
    return messages
