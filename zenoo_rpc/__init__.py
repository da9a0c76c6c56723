"""Zenoo RPC: a typed Odoo client with an async face (``ZenooClient``) and a sync face (``SyncZenooClient``).

The async stack (aiohttp) is imported only when ``ZenooClient`` is used, the sync one (requests) only when
``SyncZenooClient`` is.
"""

from __future__ import annotations

from pkgutil import extend_path
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
    OutcomeUnknownError,
    TransportError,
    UserError,
    ValidationError,
    ZenooError,
)
from ._core.query import Command
from ._core.resilience import CircuitBreaker, RetryPolicy

# zenoo_rpc.generator and zenoo_rpc.models.common live in other folders of a source checkout (package-dir);
# when this package is imported from the checkout itself, find them in the editable install's link tree too.
# In an installed wheel this changes nothing.
__path__ = extend_path(__path__, __name__)

if TYPE_CHECKING:
    from ._async_client import ZenooClient
    from ._sync_client import SyncZenooClient

__version__ = "0.1.0"

__all__ = [
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "CircuitBreaker",
    "CircuitOpenError",
    "ClientError",
    "Command",
    "DoesNotExist",
    "FieldNotLoadedError",
    "MissingRecordError",
    "MultipleObjectsReturned",
    "OdooError",
    "OutcomeUnknownError",
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
    raise AttributeError(f"module 'zenoo_rpc' has no attribute {name!r}")
