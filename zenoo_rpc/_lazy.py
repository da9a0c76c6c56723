"""Public names of the package's public modules: imported on first use (PEP 562), printed as public.

A public module lists ``{name: private module}`` and sets ``__getattr__ = lazy_attributes(...)``; the first
``zenoo_rpc.X`` imports X's module and keeps X as a plain attribute from then on. A public class is given its
public module (``publish``), as httpx does, so that tracebacks, reprs, pickles and documentation name
``zenoo_rpc.X`` rather than the private module that defines it.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_attributes", "publish", "with_mapped_subpackages"]


def with_mapped_subpackages(path: list[str], name: str, probe: str) -> list[str]:
    """``__path__`` of package ``name``, extended when it was imported from a source checkout.

    The wheel maps other folders of the repository into the package (``generator/`` is
    ``zenoo_rpc.generator``, ``generated_models/`` is ``zenoo_rpc.models.common``). A process started in the
    checkout imports the package from the checkout itself, where those subpackages are not; the editable
    install's link tree on ``sys.path`` has them. ``probe`` is one such subpackage: when it is beside this
    package (an installed wheel, the link tree) nothing changes. This is what ``pkgutil.extend_path`` does,
    without importing pkgutil (about 15 ms) in every process.
    """
    if not path or os.path.isdir(os.path.join(path[0], probe)):
        return path
    here = {os.path.realpath(p) for p in path}
    extended = list(path)
    for entry in sys.path:
        candidate = os.path.join(entry or os.curdir, *name.split("."))
        if os.path.isdir(os.path.join(candidate, probe)) and os.path.realpath(candidate) not in here:
            extended.append(candidate)
    return extended


def publish(cls: type, module: str) -> None:
    """Give a public class its public module. Its own annotations are resolved first, where they were
    written, so that ``typing.get_type_hints`` (attrs, sphinx) still works once ``__module__`` names a module
    that does not hold the names they use."""
    own = cls.__dict__.get("__annotations__")  # noqa: RUF063 (inspect is a 10 ms import)
    if own and any(isinstance(v, str) for v in own.values()):
        import typing

        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # a name that only a type checker sees: the strings stay as they are
            pass
        else:
            cls.__annotations__ = {name: hints.get(name, value) for name, value in own.items()}
    cls.__module__ = module


def lazy_attributes(
    module: str, table: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """The ``__getattr__`` of public module ``module``: ``table`` maps a name to the module (relative to
    ``module``) that defines it; ``namespace`` is the public module's ``globals()``."""

    def __getattr__(name: str) -> Any:
        source = table.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source, module), name)
        if isinstance(value, type):
            publish(value, module)
        namespace[name] = value  # from now on a plain attribute
        return value

    return __getattr__
