"""``settings.ZENOO_RPC``: read once, checked key by key (the system checks report what this finds)."""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

__all__ = ["AliasConfig", "Problem", "client_options", "parse"]

#: the keys of an alias, like DATABASES' ENGINE/NAME/USER...
KEYS = (
    "URL",
    "DB",
    "USER",
    "PASSWORD",
    "API_KEY",
    "PROTOCOL",
    "TIMEOUT",
    "OPTIONS",
    "CACHE",
    "SESSION_CACHE",
)
PROTOCOLS = ("auto", "jsonrpc", "xmlrpc", "session", "json2")


@attrs.frozen
class Problem:
    """One thing wrong with the settings: ``alias`` and ``key`` say where (None: the setting as a whole)."""

    message: str
    hint: str | None = None
    alias: str | None = None
    key: str | None = None
    id: str = "zenoo_rpc.E002"


@attrs.frozen
class AliasConfig:
    alias: str
    url: str
    db: str
    user: str
    secret: str = attrs.field(repr=False)
    api_key: bool
    protocol: str = "auto"
    timeout: float = 30.0
    options: Mapping[str, Any] = attrs.field(factory=dict)
    cache: str | None = None
    session_cache: str | None = None

    def client_kwargs(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "timeout": self.timeout, **self.options}


def client_options() -> frozenset[str]:
    """The client constructor's keyword options that OPTIONS may set (PROTOCOL and TIMEOUT have keys)."""
    from ..._client_base import ClientBase

    names = inspect.signature(ClientBase.__init__).parameters
    return frozenset(n for n in names if n not in ("self", "host", "port", "protocol", "timeout"))


def _text(
    alias: str, raw: Mapping[str, Any], key: str, problems: list[Problem], required: bool
) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            problems.append(
                Problem(f"ZENOO_RPC[{alias!r}] has no {key!r}", _HINTS.get(key), alias, key, "zenoo_rpc.E003")
            )
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}][{key!r}] must be a non-empty string, not {value!r}", None, alias, key
            )
            if key not in ("PASSWORD", "API_KEY")
            else Problem(f"ZENOO_RPC[{alias!r}][{key!r}] must be a non-empty string", _HINTS[key], alias, key)
        )
        return None
    return value


_HINTS = {
    "URL": "the server's address, e.g. 'https://odoo.example.com' (os.environ['ODOO_URL'])",
    "DB": "the Odoo database name (os.environ['ODOO_DB'])",
    "USER": "the login of the user the site calls Odoo as",
    "PASSWORD": "read secrets from the environment: os.environ['ODOO_API_KEY']",
    "API_KEY": "read secrets from the environment: os.environ['ODOO_API_KEY']",
}


def _alias(alias: str, raw: Any, caches: Mapping[str, Any], problems: list[Problem]) -> AliasConfig | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(f"ZENOO_RPC[{alias!r}] must be a dict of settings, not {raw!r}", alias=alias))
        return None
    before = len(problems)
    for key in raw:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key).upper(), KEYS, n=1, cutoff=0.7)
            problems.append(
                Problem(
                    f"ZENOO_RPC[{alias!r}] has an unknown key {key!r}",
                    f"did you mean {close[0]!r}?" if close else f"the keys are {', '.join(KEYS)}",
                    alias,
                    str(key),
                    "zenoo_rpc.E005",
                )
            )
    url = _text(alias, raw, "URL", problems, True)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                Problem(
                    f"ZENOO_RPC[{alias!r}]['URL'] is not an http(s) URL: {url!r}", _HINTS["URL"], alias, "URL"
                )
            )
    db = _text(alias, raw, "DB", problems, True)
    user = _text(alias, raw, "USER", problems, True)
    has_password, has_key = raw.get("PASSWORD") is not None, raw.get("API_KEY") is not None
    if has_password and has_key:
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}] has both 'PASSWORD' and 'API_KEY'",
                "keep the API key only",
                alias,
                "PASSWORD",
            )
        )
    elif not has_password and not has_key:
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}] has no 'API_KEY' (or 'PASSWORD')",
                _HINTS["API_KEY"],
                alias,
                "API_KEY",
                "zenoo_rpc.E003",
            )
        )
    secret = _text(alias, raw, "API_KEY" if has_key else "PASSWORD", problems, False)
    protocol = raw.get("PROTOCOL", "auto")
    if protocol not in PROTOCOLS:
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}]['PROTOCOL'] is {protocol!r}",
                f"use one of {', '.join(PROTOCOLS)}",
                alias,
                "PROTOCOL",
            )
        )
    elif protocol == "session" and has_key:
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}]: PROTOCOL 'session' logs in with a password, not an API key",
                "use PROTOCOL 'auto' (JSON-2 on Odoo 19+) with an API key",
                alias,
                "PROTOCOL",
            )
        )
    timeout = raw.get("TIMEOUT", 30.0)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not timeout > 0
        or math.isnan(timeout)
    ):
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}]['TIMEOUT'] must be a positive number of seconds, not {timeout!r}",
                None,
                alias,
                "TIMEOUT",
            )
        )
    options = raw.get("OPTIONS", {})
    if not isinstance(options, Mapping):
        problems.append(
            Problem(
                f"ZENOO_RPC[{alias!r}]['OPTIONS'] must be a dict, not {options!r}", None, alias, "OPTIONS"
            )
        )
        options = {}
    allowed = client_options()
    for name in options:
        if name not in allowed:
            close = difflib.get_close_matches(str(name), sorted(allowed), n=1, cutoff=0.7)
            hint = "PROTOCOL and TIMEOUT have keys of their own" if name in ("protocol", "timeout") else None
            hint = hint or (f"did you mean {close[0]!r}?" if close else None)
            problems.append(
                Problem(
                    f"ZENOO_RPC[{alias!r}]['OPTIONS'] has {name!r}, which the client does not take",
                    hint or f"the client takes {', '.join(sorted(allowed))}",
                    alias,
                    "OPTIONS",
                )
            )
    cache = raw.get("CACHE")
    session_cache = raw.get("SESSION_CACHE", cache)
    for key, value in (("CACHE", cache), ("SESSION_CACHE", session_cache)):
        if value is None:
            continue
        if not isinstance(value, str) or value not in caches:
            problems.append(
                Problem(
                    f"ZENOO_RPC[{alias!r}][{key!r}] names {value!r}, which is not an alias of CACHES",
                    f"CACHES has {', '.join(map(repr, caches)) or 'no alias'}",
                    alias,
                    key,
                    "zenoo_rpc.E006",
                )
            )
    if len(problems) > before:
        return None
    assert url and db and user and secret
    return AliasConfig(
        alias,
        url,
        db,
        user,
        secret,
        has_key,
        str(protocol),
        float(timeout),
        dict(options),
        cache,
        session_cache,
    )


def parse(value: Any, caches: Mapping[str, Any]) -> tuple[dict[str, AliasConfig], list[Problem]]:
    """The aliases of ``settings.ZENOO_RPC`` that are right, and what is wrong with the others."""
    problems: list[Problem] = []
    if value is None:
        hint = "ZENOO_RPC = {'default': {'URL': ..., 'DB': ..., 'USER': ..., 'API_KEY': ...}}"
        return {}, [Problem("settings.ZENOO_RPC is not set", hint, id="zenoo_rpc.E001")]
    if not isinstance(value, Mapping) or not value:
        return {}, [
            Problem(f"settings.ZENOO_RPC must be a dict of aliases, not {value!r}", id="zenoo_rpc.E001")
        ]
    if "default" not in value:
        problems.append(
            Problem("settings.ZENOO_RPC has no 'default' alias", "odoo() uses 'default'", id="zenoo_rpc.E001")
        )
    configs: dict[str, AliasConfig] = {}
    for alias, raw in value.items():
        config = _alias(str(alias), raw, caches, problems)
        if config is not None:
            configs[str(alias)] = config
    return configs, problems
