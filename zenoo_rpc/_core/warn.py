"""Warnings that point at the user's line: the first frame of the stack outside Zenoo RPC (and outside
asyncio's machinery, which runs the async face's coroutines), however deep in a flow the warning is raised."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
_ASYNCIO = os.path.dirname(os.path.realpath(warnings.__file__)) + os.sep + "asyncio" + os.sep


def _ours(filename: str, roots: tuple[str, ...]) -> bool:
    path = os.path.realpath(filename)
    return path.startswith(roots) or path.startswith(_ASYNCIO)


def _roots() -> tuple[str, ...]:
    """The package's folders: in a source checkout its subpackages live in other folders (package-dir)."""
    package = sys.modules.get("zenoo_rpc")
    paths = [*getattr(package, "__path__", []), _PACKAGE]
    return tuple({os.path.realpath(p) + os.sep for p in paths})


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn(message, category)`` attributed to the caller's line in the user's code."""
    roots = _roots()
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and _ours(frame.f_code.co_filename, roots):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
