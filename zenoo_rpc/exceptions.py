"""Every exception Zenoo RPC raises; the tree is drawn in :mod:`zenoo_rpc._core.errors`."""

from ._core.errors import *  # noqa: F403
from ._core.errors import __all__ as __all__
