"""The sync transport: requests' ``HTTPAdapter`` (a urllib3 keep-alive pool) per client.

Requests are prepared and handed to the adapter directly: a ``Session`` would merge cookies, hooks and
environment settings on every call (about 0.2 ms each), none of which the core needs. Cookies are the core's
business (the web-session protocol keeps its own); proxies from the environment are read once.
"""

from __future__ import annotations

import threading
import time

import requests
import requests.adapters
import requests.utils

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
        self._proxies = requests.utils.get_environ_proxies(base_url) if settings.trust_env else {}
        self._timeout = (settings.connect_timeout, settings.read_timeout)
        self._lock = threading.Lock()
        self._last_used = time.monotonic()
        self.requests_sent = 0
        self._opened_before = 0  # by pools dropped after keepalive_expiry

    def send(self, request: RequestSpec) -> RawResponse:
        now = time.monotonic()
        if now - self._last_used > self.settings.keepalive_expiry:
            self._opened_before = self.pool_stats()["connections_opened"]
            self._adapter.poolmanager.clear()  # idle longer than keepalive_expiry: start with fresh connections
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
                prepared, timeout=self._timeout, verify=self.settings.verify_ssl, proxies=self._proxies
            )
            body = resp.content
        except requests.exceptions.SSLError as exc:
            raise TLSError(f"TLS error talking to {self.base_url}: {exc}") from None
        except requests.exceptions.ConnectTimeout:
            raise RequestTimeout(f"connecting to {self.base_url} timed out") from None
        except requests.exceptions.ReadTimeout:
            raise RequestTimeout(f"{self.base_url}{request.path} did not answer in time", sent=True) from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            sent = not any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service"))
            raise ConnectError(f"connection to {self.base_url} failed: {_short(text)}", sent=sent) from None
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


def _short(text: str) -> str:
    return text if len(text) < 300 else text[:300] + "..."
