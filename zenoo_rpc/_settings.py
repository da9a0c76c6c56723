"""Constructor settings shared by both clients."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import attrs

from ._core.warn import warn

__all__ = ["ClientSettings"]


@attrs.define
class ClientSettings:
    #: the deadline of one call, every request, retry and backoff included (seconds)
    timeout: float = 30.0
    #: per attempt, capped by what is left of the call's deadline
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_connections: int = 100
    max_keepalive_connections: int = 20
    keepalive_expiry: float = 30.0
    headers: dict[str, str] = attrs.field(factory=dict)
    verify_ssl: bool = True
    http2: bool = False
    max_concurrency: int = 10
    #: honour HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY (and .netrc on the async face), like requests
    #: and aiohttp users expect
    trust_env: bool = True
    #: explicit proxies by URL scheme ("http", "https", or "all"), used before the environment's
    proxies: dict[str, str] = attrs.field(factory=dict)
    #: a PEM file (or a directory of hashed certificates) of the CAs to trust instead of the default ones
    ca_bundle: str | None = None
    #: a client certificate: a PEM file holding the certificate and its key, or (certificate, key) files
    client_cert: str | tuple[str, str] | None = None

    @classmethod
    def build(
        cls,
        *,
        timeout: float = 30.0,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 30.0,
        headers: Mapping[str, str] | None = None,
        verify_ssl: bool = True,
        http2: bool = False,
        max_concurrency: int = 10,
        trust_env: bool = True,
        proxies: Mapping[str, str] | str | None = None,
        ca_bundle: str | os.PathLike[str] | None = None,
        client_cert: str
        | os.PathLike[str]
        | tuple[str | os.PathLike[str], str | os.PathLike[str]]
        | None = None,
    ) -> ClientSettings:
        if http2:
            warn(
                "http2=True: neither aiohttp nor requests speaks HTTP/2, so Zenoo RPC uses HTTP/1.1 with a "
                "keep-alive pool (Odoo itself answers HTTP/1.0 and closes each connection; behind a "
                "keep-alive proxy the pool saves the same round trip HTTP/2 would)",
                RuntimeWarning,
            )
        if max_concurrency < 1 or max_connections < 1:
            raise ValueError("max_concurrency and max_connections must be at least 1")
        for name, value in (
            ("timeout", timeout),
            ("connect_timeout", connect_timeout),
            ("read_timeout", read_timeout),
        ):
            if value is not None and not (
                isinstance(value, (int, float)) and value > 0 and not math.isnan(value)
            ):
                raise ValueError(
                    f"{name} must be a positive number of seconds (math.inf for none), not {value!r}"
                )
        return cls(
            timeout=float(timeout),
            connect_timeout=connect_timeout if connect_timeout is not None else min(timeout, 10.0),
            read_timeout=read_timeout if read_timeout is not None else timeout,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=keepalive_expiry,
            headers={"User-Agent": "zenoo-rpc/0.1", **dict(headers or {})},
            verify_ssl=verify_ssl,
            http2=False,
            max_concurrency=max_concurrency,
            trust_env=bool(trust_env),
            proxies=_proxies(proxies),
            ca_bundle=_ca_bundle(ca_bundle, verify_ssl),
            client_cert=_client_cert(client_cert),
        )

    def proxy_for(self, scheme: str) -> str | None:
        """The explicit proxy for a URL scheme, if any (``proxies=`` only; the environment is the transports')."""
        return self.proxies.get(scheme) or self.proxies.get("all")


def _proxies(proxies: Mapping[str, str] | str | None) -> dict[str, str]:
    if proxies is None:
        return {}
    if isinstance(proxies, str):
        proxies = {"all": proxies}
    out: dict[str, str] = {}
    for scheme, url in proxies.items():
        if scheme not in ("http", "https", "all"):
            raise ValueError(
                f"proxies: keys are 'http', 'https' or 'all' (the target's scheme), not {scheme!r}"
            )
        if "://" not in url:
            raise ValueError(f"proxies[{scheme!r}]: a proxy URL such as 'http://proxy:3128', not {url!r}")
        out[scheme] = url
    return out


def _ca_bundle(path: str | os.PathLike[str] | None, verify_ssl: bool) -> str | None:
    if path is None:
        return None
    if not verify_ssl:
        raise ValueError("ca_bundle= is given but verify_ssl=False: certificates would not be checked at all")
    text = os.fspath(path)
    if not os.path.exists(text):
        raise ValueError(f"ca_bundle: no such file or directory: {text!r}")
    return text


def _client_cert(
    cert: str | os.PathLike[str] | tuple[str | os.PathLike[str], str | os.PathLike[str]] | None,
) -> str | tuple[str, str] | None:
    if cert is None:
        return None
    files = tuple(os.fspath(c) for c in cert) if isinstance(cert, tuple) else (os.fspath(cert),)
    if len(files) not in (1, 2):
        raise ValueError("client_cert: a PEM file with certificate and key, or (certificate file, key file)")
    for f in files:
        if not os.path.isfile(f):
            raise ValueError(f"client_cert: no such file: {f!r}")
    return files[0] if len(files) == 1 else (files[0], files[1])
