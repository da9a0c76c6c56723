"""The sync transport: one ``requests.Session`` with a keep-alive pool per client."""

from __future__ import annotations

import http.cookiejar
import threading

import requests
import requests.adapters

from ._core.errors import ConnectError, ProtocolError, RequestTimeout, TLSError
from ._core.wire import RawResponse, RequestSpec
from ._settings import ClientSettings

__all__ = ["RequestsTransport"]


class RequestsTransport:
    def __init__(self, base_url: str, settings: ClientSettings) -> None:
        self.base_url = base_url
        self.settings = settings
        session = requests.Session()
        # cookies are the core's business (the web-session protocol keeps its own): never store any here
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1,
            pool_maxsize=max(1, settings.max_keepalive_connections),
            pool_block=False,
            max_retries=0,
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update(settings.headers)
        session.verify = settings.verify_ssl
        session.trust_env = settings.trust_env
        self._session = session
        self._timeout = (settings.connect_timeout, settings.read_timeout)
        self._lock = threading.Lock()
        self.requests_sent = 0

    def send(self, request: RequestSpec) -> RawResponse:
        try:
            resp = self._session.request(
                request.method,
                self.base_url + request.path,
                data=request.body,
                headers=request.headers,
                timeout=self._timeout,
                allow_redirects=False,
            )
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
        return RawResponse(resp.status_code, dict(resp.headers), resp.content, cookies)

    def close(self) -> None:
        self._session.close()


def _short(text: str) -> str:
    return text if len(text) < 300 else text[:300] + "..."
