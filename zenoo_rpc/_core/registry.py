"""Per-package class registries: the classes of one generated package resolve related models among
themselves (never in another package), and each model's module is imported on first use.

A generated package builds one :class:`ModelRegistry` in its ``__init__`` from a table of its models; its model
modules decorate their record classes with :meth:`ModelRegistry.record`; the package's module ``__getattr__``
calls :meth:`ModelRegistry.export`, so that importing one class imports one module.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .records import BaseRecord

__all__ = ["ModelRegistry"]

R = TypeVar("R", bound="BaseRecord")


def _module(name: str) -> Any:
    # the import statement's machinery (not importlib.import_module): cached modules cost one dict lookup,
    # and python -X importtime reports the modules loaded here like any other import
    module = sys.modules.get(name)
    if module is None:
        __import__(name)
        module = sys.modules[name]
    return module


class ModelRegistry:
    """The generated classes of one package by Odoo model name, loaded on demand."""

    __slots__ = ("_classes", "_exports", "_models", "package")

    def __init__(
        self,
        package: str,
        models: Mapping[str, tuple[str, str, str, str]],
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """``models``: model -> (module, record class, expressions class, values class), module names relative
        to ``package``; ``extra``: other exported names -> module (the typed clients)."""
        self.package = package
        self._models = {model: (entry[0], entry[1]) for model, entry in models.items()}
        exports: dict[str, str] = {}
        for module, *names in models.values():
            for name in names:
                exports[name] = module
        exports.update(extra or {})
        self._exports = exports
        self._classes: dict[str, type[BaseRecord]] = {}

    @property
    def models(self) -> list[str]:
        """The Odoo models this package has classes for."""
        return sorted(self._models)

    def record(self, cls: type[R]) -> type[R]:
        """Class decorator of generated record classes: binds the class to this registry. The class keeps no
        slot per field (a record holds the row it was read from, see ``BaseRecord``): its annotations are for
        type checkers."""
        cls.__zenoo_registry__ = self
        self._classes[cls.__zenoo_model__] = cls
        return cls

    def get(self, model: str) -> type[BaseRecord] | None:
        """The class of ``model`` in this package (its module imported now if it was not), or None when the
        package has no class for it."""
        cls = self._classes.get(model)
        if cls is not None:
            return cls
        entry = self._models.get(model)
        if entry is None:
            return None
        found: type[BaseRecord] = getattr(_module(f"{self.package}.{entry[0]}"), entry[1])
        self._classes[model] = found
        return found

    def export(self, name: str, namespace: MutableMapping[str, Any]) -> Any:
        """The package attribute ``name``, imported from its module and kept in ``namespace`` (the package's
        globals) so that the next access is a plain lookup. Called by the package's ``__getattr__``."""
        module = self._exports.get(name)
        if module is None:
            raise AttributeError(f"module {self.package!r} has no attribute {name!r}")
        value = getattr(_module(f"{self.package}.{module}"), name)
        namespace[name] = value
        return value

    def __repr__(self) -> str:
        return f"<ModelRegistry {self.package} ({len(self._models)} models)>"
