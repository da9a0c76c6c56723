"""Fork safety: after ``os.fork()`` the child starts with fresh pools, sessions and locks.

A forked child has only the thread that forked. Everything else it inherited from its parent is a trap: a
thread pool whose threads are gone (work submitted to it waits forever), locks that another thread held at
fork time (held forever), and the parent's open sockets (a request sent on one of them is answered to
whichever process reads first). Every object of Zenoo RPC that holds such things registers here and gets
``_after_fork_in_child()`` called in the child, once, right after the fork (``os.register_at_fork``); it
drops what it inherited, and makes new pools, sessions and connections on first use.

What the parent owned is never used, closed or freed by the child: closing a socket that a keep-alive pool
or an event loop still watches would unregister it from the parent's epoll instance, which the kernel shares
with the child; freeing runs destructors that do the same. :func:`abandon` keeps such objects alive in the
child for its whole life instead.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["ForkAware", "ForkSafeLock", "ProcessLocal", "abandon", "register"]

T = TypeVar("T")


class ForkAware(Protocol):
    def _after_fork_in_child(self) -> None: ...


_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
#: what the parent owned and the child must leave alone: kept alive so that no destructor runs in the child
_ABANDONED: list[object] = []


def register(obj: ForkAware) -> None:
    """Call ``obj._after_fork_in_child()`` in the child of every fork while ``obj`` is alive."""
    _LIVE.add(obj)


def abandon(obj: object) -> None:
    """Keep what the parent owned alive (never used, closed or collected) for the rest of the child's life."""
    if obj is not None:
        _ABANDONED.append(obj)


def _after_fork_in_child() -> None:
    errors: list[BaseException] = []
    for obj in list(_LIVE):
        try:
            obj._after_fork_in_child()
        except Exception as exc:  # one object's failure must not leave the others in the parent's state
            errors.append(exc)
    if errors:
        raise errors[0]  # reported by the interpreter on stderr; the child goes on


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


class ProcessLocal(Generic[T]):
    """A value made on first use that belongs to one process: the child of a fork starts without it (and
    makes its own on first use). Thread-safe; one value for every thread of the process."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._lock = threading.Lock()
        register(self)

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                value = self._value
                if value is None:
                    value = self._value = self._factory()
        return value

    def pop(self) -> T | None:
        """The value, which this object forgets (the caller closes it), or None if none was made."""
        with self._lock:
            value, self._value = self._value, None
        return value

    def _after_fork_in_child(self) -> None:
        abandon(self._value)
        self._value = None
        self._lock = threading.Lock()  # another thread may have held the parent's at fork time


class ForkSafeLock:
    """A ``threading.Lock`` that the child of a fork gets anew and free, whichever thread of the parent held
    it at fork time (a plain lock held then stays held in the child forever)."""

    __slots__ = ("__weakref__", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        register(self)

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()
