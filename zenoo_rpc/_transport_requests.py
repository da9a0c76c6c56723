"""The sync transport: requests' ``HTTPAdapter`` (a urllib3 keep-alive pool) per client.

Requests are prepared and handed to the adapter directly: a ``Session`` would merge cookies, hooks and
environment settings on every call (about 0.2 ms each), none of which the core needs. Cookies are the core's
business (the web-session protocol keeps its own); proxies from the environment (``HTTP_PROXY``,
``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``) are read once, when the client is made.
"""

from __future__ import annotations

import copy
import math
import threading
import time

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from . import _fork
from ._core.errors import ConnectError, ProtocolError, RequestTimeout, TLSError
from ._core.wire import RawResponse, RequestSpec
from ._settings import ClientSettings

__all__ = ["RequestsTransport"]


class RequestsTransport:
    def __init__(self, base_url: str, settings: ClientSettings) -> None:
        self.base_url = base_url
        self.settings = settings
        self._adapter = requests.adapters.HTTPAdapter(
            pool_connections=1,
            pool_maxsize=max(1, settings.max_keepalive_connections),
            pool_block=False,
            max_retries=0,
        )
        self._headers = {"Accept-Encoding": "gzip, deflate", "Accept": "*/*", **settings.headers}
        self._proxies = _proxies(base_url, settings)
        self._verify: bool | str = settings.ca_bundle or settings.verify_ssl
        self._cert = settings.client_cert
        self._lock = threading.Lock()
        self._last_used = time.monotonic()
        self.requests_sent = 0
        self._opened_before = 0  # by pools dropped after keepalive_expiry
        _fork.register(self)

    def _after_fork_in_child(self) -> None:
        """In a forked child: new connections and a new lock; the parent's pool is left alone. A copy of a
        requests adapter has the same settings and an empty pool of its own (``HTTPAdapter.__setstate__``)."""
        _fork.abandon(self._adapter)
        self._adapter = copy.copy(self._adapter)
        self._lock = threading.Lock()

    def _timeout(self, request: RequestSpec) -> tuple[float, float] | tuple[float, None]:
        """This attempt's (connect, read) socket timeouts, capped by what is left of the call's deadline
        (``math.inf``: no limit)."""
        s, left = self.settings, request.timeout
        if left is None:
            left = math.inf
        connect, read = min(s.connect_timeout, left), min(s.read_timeout, left)
        connect = connect if math.isfinite(connect) else _NO_LIMIT
        return (connect, read) if math.isfinite(read) else (connect, None)

    def send(self, request: RequestSpec) -> RawResponse:
        now = time.monotonic()
        if now - self._last_used > self.settings.keepalive_expiry:
            self._opened_before = self.pool_stats()["connections_opened"]
            # idle longer than keepalive_expiry: start with fresh connections
            self._adapter.poolmanager.clear()
            for manager in self._adapter.proxy_manager.values():
                manager.clear()
        self._last_used = now
        prepared = requests.PreparedRequest()
        prepared.prepare(
            method=request.method,
            url=self.base_url + request.path,
            headers={**self._headers, **request.headers},
            data=request.body,
        )
        try:
            resp = self._adapter.send(
                prepared,
                timeout=self._timeout(request),
                verify=self._verify,
                cert=self._cert,
                proxies=self._proxies,
            )
            body = resp.content
        except requests.exceptions.SSLError as exc:
            raise TLSError(f"TLS error talking to {self.base_url}: {_short(str(exc))}") from None
        except requests.exceptions.ConnectTimeout:
            raise RequestTimeout(f"connecting to {self.base_url} timed out") from None
        except requests.exceptions.ReadTimeout:
            raise RequestTimeout(f"{self.base_url}{request.path} did not answer in time", sent=True) from None
        except requests.exceptions.ConnectionError as exc:
            sent = _was_sent(exc)
            how = "dropped" if sent else "failed"
            raise ConnectError(
                f"connection to {self.base_url} {how}: {_short(str(exc))}", sent=sent
            ) from None
        except requests.exceptions.RequestException as exc:
            raise ProtocolError(f"{self.base_url}{request.path}: {_short(str(exc))}") from None
        with self._lock:
            self.requests_sent += 1
        cookies = tuple(resp.raw.headers.getlist("Set-Cookie")) if resp.raw is not None else ()
        return RawResponse(resp.status_code, dict(resp.headers), body, cookies)

    def pool_stats(self) -> dict[str, int]:
        """What urllib3's pool can tell: connections opened since the start (each one Odoo closed after
        answering, or that sat idle past ``keepalive_expiry``, is replaced by a new one)."""
        manager = self._adapter.poolmanager
        opened = sum(getattr(manager.pools.get(key), "num_connections", 0) for key in manager.pools.keys())  # noqa: SIM118  (no __iter__)
        return {"connections_opened": self._opened_before + opened}

    def close(self) -> None:
        self._adapter.close()


def _proxies(base_url: str, settings: ClientSettings) -> dict[str, str]:
    """Explicit ``proxies=`` first, then (``trust_env``) the environment's, NO_PROXY applied."""
    proxies = requests.utils.get_environ_proxies(base_url) if settings.trust_env else {}
    if "all" in settings.proxies:
        proxies = {"http": settings.proxies["all"], "https": settings.proxies["all"]}
    proxies.update({k: v for k, v in settings.proxies.items() if k != "all"})
    return proxies


def _was_sent(exc: requests.exceptions.ConnectionError) -> bool:
    """False when the request certainly did not leave: no connection (refused, DNS), or the proxy could not be
    reached or refused the tunnel. Anything else (reset or closed after connecting) may have been sent."""
    if isinstance(exc, requests.exceptions.ProxyError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    if isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ProxyError)):
        return False
    if isinstance(reason, urllib3.exceptions.ProtocolError) and len(reason.args) > 1:
        inner = reason.args[1]
        if isinstance(inner, OSError) and str(inner).startswith("Tunnel connection failed"):
            return False
    return True


_NO_LIMIT = 1e9  # requests takes no "no connect timeout" beside a read timeout


def _short(text: str) -> str:
    return text if len(text) < 300 else text[:300] + "..."
