"""Zenoo RPC: a typed Odoo client with an async face (``ZenooClient``) and a sync face (``SyncZenooClient``).

The async stack (aiohttp) is imported only when ``ZenooClient`` is used, the sync one (requests) only when
``SyncZenooClient`` is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._core.domain import Q
from ._core.errors import (
    AccessError,
    AuthenticationError,
    BatchError,
    CircuitOpenError,
    ClientError,
    DoesNotExist,
    FieldNotLoadedError,
    MissingRecordError,
    MultipleObjectsReturned,
    OdooError,
    TransportError,
    UserError,
    ValidationError,
    ZenooError,
)
from ._core.query import Command
from ._core.resilience import CircuitBreaker, RetryPolicy

if TYPE_CHECKING:
    from ._async_client import ZenooClient
    from ._instrument import CallEvent
    from ._sync_client import SyncZenooClient

__version__ = "0.1.0"

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "CallEvent",
    "CircuitBreaker",
    "CircuitOpenError",
    "ClientError",
    "Command",
    "DoesNotExist",
    "FieldNotLoadedError",
    "MissingRecordError",
    "MultipleObjectsReturned",
    "OdooError",
    "Q",
    "RetryPolicy",
    "SyncZenooClient",
    "TransportError",
    "UserError",
    "ValidationError",
    "ZenooClient",
    "ZenooError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name == "ZenooClient":
        from ._async_client import ZenooClient

        return ZenooClient
    if name == "SyncZenooClient":
        from ._sync_client import SyncZenooClient

        return SyncZenooClient
    if name == "CallEvent":
        from ._instrument import CallEvent

        return CallEvent
    raise AttributeError(f"module 'zenoo_rpc' has no attribute {name!r}")
