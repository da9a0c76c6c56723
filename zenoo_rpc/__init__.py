"""Zenoo RPC: a typed Odoo client with an async face (``ZenooClient``) and a sync face (``SyncZenooClient``).

``import zenoo_rpc`` loads the exceptions only. Everything else is imported on first use (PEP 562): the
async stack (aiohttp) with ``ZenooClient``, the sync one (requests) with ``SyncZenooClient``, the query
helpers with ``Q`` and ``Command``.

Every public class prints, pickles and documents as ``zenoo_rpc.<Name>`` (its ``__module__``, as httpx does),
whichever private module defines it: ``zenoo_rpc.AuthenticationError``, not
``zenoo_rpc._core.errors.AuthenticationError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._core.errors import (
    AccessError,
    APIKeyRejectedError,
    AuthenticationError,
    BatchError,
    CircuitOpenError,
    ClientError,
    ConnectError,
    DatabaseError,
    DeprecatedProtocolWarning,
    DoesNotExist,
    FieldNotLoadedError,
    FieldNotOnServerError,
    HTTPStatusError,
    InvalidArgumentsError,
    InvalidFieldError,
    InvalidLookupError,
    InvalidValueError,
    MissingRecordError,
    MultipleObjectsReturned,
    NotEmulatedError,
    NotLoggedInError,
    OdooError,
    OutcomeUnknownError,
    ProtocolError,
    RequestTimeout,
    SchemaDriftWarning,
    ServerError,
    SessionExpiredError,
    TLSError,
    TransportError,
    UnknownFieldError,
    UnknownMethodError,
    UnknownModelError,
    UserError,
    ValidationError,
    ZenooError,
)
from ._lazy import lazy_attributes, publish, with_mapped_subpackages
from ._version import __version__

# zenoo_rpc.generator and zenoo_rpc.models.common live in other folders of a source checkout (package-dir);
# when this package is imported from the checkout itself, find them in the editable install's link tree too.
# In an installed wheel this changes nothing.
__path__ = with_mapped_subpackages(__path__, __name__, "generator")

if TYPE_CHECKING:
    from ._async_client import ZenooClient
    from ._core.domain import Q
    from ._core.query import Command
    from ._core.resilience import CircuitBreaker, RetryPolicy
    from ._instrument import CallEvent
    from ._sync_client import SyncZenooClient

__all__ = [
    "APIKeyRejectedError",
    "AccessError",
    "AuthenticationError",
    "BatchError",
    "CallEvent",
    "CircuitBreaker",
    "CircuitOpenError",
    "ClientError",
    "Command",
    "ConnectError",
    "DatabaseError",
    "DeprecatedProtocolWarning",
    "DoesNotExist",
    "FieldNotLoadedError",
    "FieldNotOnServerError",
    "HTTPStatusError",
    "InvalidArgumentsError",
    "InvalidFieldError",
    "InvalidLookupError",
    "InvalidValueError",
    "MissingRecordError",
    "MultipleObjectsReturned",
    "NotEmulatedError",
    "NotLoggedInError",
    "OdooError",
    "OutcomeUnknownError",
    "ProtocolError",
    "Q",
    "RequestTimeout",
    "RetryPolicy",
    "SchemaDriftWarning",
    "ServerError",
    "SessionExpiredError",
    "SyncZenooClient",
    "TLSError",
    "TransportError",
    "UnknownFieldError",
    "UnknownMethodError",
    "UnknownModelError",
    "UserError",
    "ValidationError",
    "ZenooClient",
    "ZenooError",
    "__version__",
]

for _name in __all__:
    _value = globals().get(_name)
    if isinstance(_value, type):
        publish(_value, __name__)
del _name, _value

# public name -> the private module that defines it, imported on first use
__getattr__ = lazy_attributes(
    __name__,
    {
        "ZenooClient": "._async_client",
        "SyncZenooClient": "._sync_client",
        "Q": "._core.domain",
        "Command": "._core.query",
        "CircuitBreaker": "._core.resilience",
        "RetryPolicy": "._core.resilience",
        "CallEvent": "._instrument",
    },
    globals(),
)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
