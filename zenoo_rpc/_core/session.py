"""A login that several clients share: what is shared (:class:`SessionInfo`, never a secret), the store it is
shared through (:class:`SessionStore`), and the flows that log in through a store and renew once on expiry.

A login costs Odoo 0.45-0.9 s (the password is hashed with 600,000 rounds). Clients that have the same
server, database, user and secret (the processes of a web server, the event loops of one process) log in
once between them: the first one logs in and saves its session in the store; the others adopt it. When the
session expires, the first client to notice renews it; the others adopt the renewed one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

import attrs

from .connection import Connection
from .errors import ClientError
from .protocols import Credentials, ProtocolName, make_protocol
from .resilience import Deadline
from .wire import CurrentDeadline, Flow, Sleep

__all__ = ["SessionInfo", "SessionStore", "adopt", "capture", "fits", "login_through", "renew_through"]

_PROTOCOLS = ("jsonrpc", "xmlrpc", "session", "json2")


@attrs.frozen
class SessionInfo:
    """What another client needs to call as this login without logging in: never the password or key.

    ``session_id`` is the web session's cookie (``protocol="session"``): it is a bearer credential, so a store
    must be as private as the secret itself. ``server_version`` spares the adopting client a version call.
    """

    url: str
    db: str
    login: str
    uid: int
    protocol: ProtocolName
    api_key: bool = False
    session_id: str | None = attrs.field(default=None, repr=False)
    server_version: dict[str, Any] | None = attrs.field(default=None, repr=False, eq=False)

    def to_json(self) -> str:
        return json.dumps(attrs.asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> SessionInfo:
        """Raises ValueError for anything but a session saved by :meth:`to_json`."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a session is a JSON object")
        try:
            info = cls(**data)
        except TypeError as exc:
            raise ValueError(f"not a session: {exc}") from None
        strings = (info.url, info.db, info.login)
        if not all(isinstance(s, str) and s for s in strings) or info.protocol not in _PROTOCOLS:
            raise ValueError("not a session: url, db, login and protocol are required")
        if isinstance(info.uid, bool) or not isinstance(info.uid, int) or not isinstance(info.api_key, bool):
            raise ValueError("not a session: uid is an integer, api_key a boolean")
        if info.session_id is not None and not isinstance(info.session_id, str):
            raise ValueError("not a session: session_id is a string")
        if info.server_version is not None and not isinstance(info.server_version, dict):
            raise ValueError("not a session: server_version is an object")
        return info


class SessionStore(Protocol):
    """Where clients share one login. Methods may be coroutines on the async face; none may raise (a store
    that fails answers None/False, and the client then logs in as if it had no store).

    A store holds the session of ONE server, database, user and secret: it must never hand a session to a
    client with another secret (key the entry by a keyed hash of the secret, as the Django store does).
    ``acquire``/``release`` make one client log in while the others wait (and then adopt its session).
    """

    def load(self) -> Any: ...  # SessionInfo | None

    def save(self, info: SessionInfo) -> Any: ...

    def acquire(self) -> Any: ...  # bool: True when this client is the one to log in now

    def release(self) -> Any: ...


def capture(conn: Connection) -> SessionInfo | None:
    """The session of a logged-in connection (None before login)."""
    creds = conn.creds
    if conn.protocol is None or creds is None or creds.uid is None:
        return None
    return SessionInfo(
        conn.base_url,
        creds.db,
        creds.login,
        creds.uid,
        conn.protocol.name,
        creds.is_api_key,
        creds.session_id,
        dict(conn.server_version) if conn.server_version else None,
    )


def fits(conn: Connection, info: Any, db: str, login: str, api_key: bool) -> bool:
    """Whether a loaded session may be adopted by this connection for this login."""
    if not isinstance(info, SessionInfo):
        return False
    if (info.url, info.db, info.login, info.api_key) != (conn.base_url, db, login, api_key):
        return False
    if conn.protocol_choice != "auto" and info.protocol != conn.protocol_choice:
        return False
    return info.protocol != "session" or bool(info.session_id)


def adopt(conn: Connection, info: SessionInfo, secret: str) -> int:
    """Call as ``info`` from now on (no I/O). A renewal updates the credentials in place, so that calls in
    flight send their retry with the new session."""
    if not secret:
        raise ClientError(
            f"login of {info.login!r}: the {'API key' if info.api_key else 'password'} is empty"
        )
    if conn.creds is not None and conn.protocol is not None and conn.protocol.name == info.protocol:
        conn.creds.uid, conn.creds.session_id = info.uid, info.session_id
    else:
        conn.protocol = make_protocol(info.protocol)
        conn.creds = Credentials(info.db, info.login, secret, info.uid, info.session_id, info.api_key)
    if conn.server_version is None and info.server_version:
        conn.server_version = dict(info.server_version)
    return info.uid


def _wait_for_session(
    conn: Connection, store: SessionStore, usable: Callable[[Any], bool]
) -> Flow[tuple[Any, bool]]:
    """Another client is logging in: wait (within the call's deadline) until its session is in the store,
    or until this client may log in itself (the other one gave up). Returns (session or None, lock held)."""
    deadline: Deadline | None = yield CurrentDeadline()
    pause = 0.02
    while deadline is None or deadline.left() > pause:
        yield Sleep(pause)
        pause = min(pause * 2, 0.25)
        info = yield (store, "load", ())
        if usable(info):
            return info, False
        if (yield (store, "acquire", ())) is True:
            return None, True
    return None, False  # out of time: log in anyway rather than fail the call


def _through(
    conn: Connection, store: SessionStore, usable: Callable[[Any], bool], log_in: Callable[[], Flow[Any]]
) -> Flow[SessionInfo | None]:
    """The session to adopt (another client's), or None after logging in with ``log_in`` and saving."""
    info = yield (store, "load", ())
    if usable(info):
        return info  # type: ignore[no-any-return]
    held = (yield (store, "acquire", ())) is True
    if not held:
        info, held = yield from _wait_for_session(conn, store, usable)
        if info is not None:
            return info  # type: ignore[no-any-return]
    try:
        yield from log_in()
        mine = capture(conn)
        if mine is not None:
            yield (store, "save", (mine,))
    finally:
        if held:
            yield (store, "release", ())
    return None


def login_through(
    conn: Connection,
    store: SessionStore,
    db: str,
    login: str,
    secret: str,
    api_key: bool,
    log_in: Callable[[], Flow[int]],
) -> Flow[SessionInfo | None]:
    """Adopt the store's session for this login, or log in (one client at a time) and save the session.
    Returns the adopted session (the caller adopts it), None when this client logged in."""

    def usable(info: Any) -> bool:
        return fits(conn, info, db, login, api_key)

    return (yield from _through(conn, store, usable, log_in))


def renew_through(
    conn: Connection, store: SessionStore, stale: SessionInfo, log_in: Callable[[], Flow[Any]]
) -> Flow[SessionInfo | None]:
    """The session expired: adopt one that another client renewed since, or renew it and save it."""

    def usable(info: Any) -> bool:
        return fits(conn, info, stale.db, stale.login, stale.api_key) and info.session_id != stale.session_id

    return (yield from _through(conn, store, usable, log_in))
