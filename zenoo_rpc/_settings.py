"""Constructor settings shared by both clients."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import attrs

__all__ = ["ClientSettings"]


@attrs.define
class ClientSettings:
    timeout: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_connections: int = 100
    max_keepalive_connections: int = 20
    keepalive_expiry: float = 30.0
    headers: dict[str, str] = attrs.field(factory=dict)
    verify_ssl: bool = True
    http2: bool = False
    max_concurrency: int = 10
    trust_env: bool = False

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
    ) -> ClientSettings:
        if http2:
            warnings.warn(
                "http2=True: neither aiohttp nor requests speaks HTTP/2, so Zenoo RPC uses HTTP/1.1 with a "
                "keep-alive pool (Odoo itself answers HTTP/1.0 and closes each connection; behind a "
                "keep-alive proxy the pool saves the same round trip HTTP/2 would)",
                RuntimeWarning,
                stacklevel=4,
            )
        if max_concurrency < 1 or max_connections < 1:
            raise ValueError("max_concurrency and max_connections must be at least 1")
        return cls(
            timeout=timeout,
            connect_timeout=connect_timeout if connect_timeout is not None else min(timeout, 10.0),
            read_timeout=read_timeout if read_timeout is not None else timeout,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=keepalive_expiry,
            headers={"User-Agent": "zenoo-rpc/0.1", **dict(headers or {})},
            verify_ssl=verify_ssl,
            http2=False,
            max_concurrency=max_concurrency,
        )
