"""Per-client state shared by every view of a client (``with_context`` views share it)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import attrs

from .errors import NotLoggedInError
from .observe import NULL_OBSERVER, Observer
from .protocols import Credentials, Protocol, ProtocolName, major_of, make_protocol
from .resilience import CircuitBreaker, RetryPolicy
from .schema import ModelSchema, SchemaDrift

__all__ = ["Connection", "normalize_base_url"]


def normalize_base_url(host: str, port: int | None) -> str:
    """``"localhost"`` -> ``http://localhost:8069``; a URL keeps its scheme, host, port and path."""
    if "://" not in host:
        scheme = "https" if port == 443 else "http"
        return f"{scheme}://{host}:{port or 8069}"
    parts = urlsplit(host)
    if not parts.hostname:
        raise ValueError(f"not a URL: {host!r}")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    use_port = port or parts.port
    if use_port:
        netloc += f":{use_port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


@attrs.define
class Connection:
    base_url: str
    protocol_choice: ProtocolName | str = "auto"
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    breaker: CircuitBreaker = attrs.field(factory=CircuitBreaker)
    protocol: Protocol | None = None
    creds: Credentials | None = None
    server_version: dict[str, Any] | None = None
    #: the server's own fields per model (``fields_get``, read once per client and model)
    schemas: dict[str, ModelSchema] = attrs.field(factory=dict)
    #: what typed queries learned about the server's fields against their generated classes
    drift: SchemaDrift = attrs.field(factory=SchemaDrift)
    #: told about every request ``_send`` makes (the client injects one that keeps stats and calls hooks)
    observer: Observer = attrs.field(default=NULL_OBSERVER, repr=False)
    #: the deprecated-endpoint warning was given (once per client, its views included)
    deprecation_warned: bool = False
    #: models whose ``web_search_read`` with a specification this server refused: read level by level
    specification_refused: set[str] = attrs.field(factory=set)
    #: where the login is shared with other clients (``login(..., session_store=)``), for renewals
    session_store: Any = attrs.field(default=None, repr=False)

    def initial_protocol(self) -> Protocol:
        """The protocol for calls made before login (version, db list): the one forced, else the web
        session's, whose routes (``/web/webclient/version_info``, ``/web/database/list``) every version has
        and none deprecates. JSON-2 uses the same web routes for these."""
        if self.protocol is None:
            choice = self.protocol_choice if self.protocol_choice != "auto" else "session"
            return make_protocol(choice)  # type: ignore[arg-type]
        return self.protocol

    def require_login(self) -> tuple[Protocol, Credentials]:
        if self.protocol is None or self.creds is None or self.creds.uid is None:
            raise NotLoggedInError("call login() or login_with_api_key() first")
        return self.protocol, self.creds

    @property
    def major_version(self) -> int | None:
        if not self.server_version:
            return None
        return major_of(self.server_version)

    def cache_namespace(self) -> str:
        """Cache keys start with this: server, database and user, so entries never cross users."""
        creds = self.creds
        who = f"{creds.db}\x00{creds.uid}\x00{creds.login}" if creds else "anonymous"
        return hashlib.sha256(f"{self.base_url}\x00{who}".encode()).hexdigest()[:24]

    def database_tag(self) -> str:
        db = self.creds.db if self.creds else ""
        return "db:" + hashlib.sha256(f"{self.base_url}\x00{db}".encode()).hexdigest()[:24]
