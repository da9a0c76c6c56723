"""Immutable query specifications and their validation against the model schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .domain import Domain, Q, SchemaResolver, compile_q, to_wire_value
from .errors import ClientError, InvalidValueError, UnknownFieldError
from .schema import ModelSchema

__all__ = ["Command", "QuerySpec", "default_fields", "parse_order", "validate_values"]


@attrs.frozen
class QuerySpec:
    model: str
    record_cls: Any = None  # a generated BaseRecord subclass, or None for dynamic records
    where: Q | None = None
    fields: tuple[str, ...] | None = None
    order: tuple[str, ...] = ()
    limit: int | None = None
    offset: int = 0
    context: Mapping[str, Any] = attrs.field(factory=dict)
    prefetch: tuple[str, ...] = ()
    cache_ttl: float | None = None
    groupby: tuple[str, ...] = ()

    @property
    def typed(self) -> bool:
        """A query over a generated class (its relations use generated classes too)."""
        return self.record_cls is not None

    def domain(self, resolver: SchemaResolver) -> Domain:
        return compile_q(self.where, self.model, resolver) if self.where is not None else []

    def order_string(self) -> str | None:
        return ", ".join(self.order) if self.order else None


def parse_order(model: str, schema: ModelSchema | None, keys: tuple[str, ...]) -> tuple[str, ...]:
    """``("-name", "id")`` -> ``("name desc", "id")``, every key checked against the schema."""
    out = []
    for key in keys:
        if not isinstance(key, str) or not key.strip():
            raise ClientError(f"{model}: order_by() takes field names, not {key!r}")
        key = key.strip()
        desc = key.startswith("-")
        name = key.lstrip("-+")
        if " " in name:  # "name desc" written Odoo's way
            name, _, direction = name.partition(" ")
            desc = direction.strip().lower().startswith("desc")
        if not name.replace("_", "").replace(".", "").isalnum():
            raise ClientError(f"{model}: order_by() takes field names, {key!r} is not one")
        if schema is not None and schema.get(name.split(".")[0]) is None:
            raise UnknownFieldError(model, name, "in order_by()")
        out.append(f"{name} desc" if desc else name)
    return tuple(out)


def default_fields(schema: ModelSchema) -> list[str]:
    """What a query reads when ``only()`` is not used: stored and related fields, no binaries, plus
    display_name. Non-stored computed fields (often costly on the server) are read only when asked for."""
    names = [
        n
        for n, f in schema.fields.items()
        if (f.store or f.related) and f.type not in ("binary",) and n != "display_name"
    ]
    if "display_name" in schema.fields:
        names.append("display_name")
    return sorted(set(names))


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "char": (str,),
    "text": (str,),
    "html": (str,),
    "integer": (int,),
    "float": (int, float),
    "monetary": (int, float),
    "boolean": (bool,),
    "many2one": (int,),
    "selection": (str, int),
}


def validate_values(model: str, schema: ModelSchema | None, vals: Mapping[str, Any]) -> dict[str, Any]:
    """Check values for create/write before sending and convert them to wire values."""
    if not isinstance(vals, Mapping):
        raise ClientError(f"{model}: values must be a dict of field names, not {type(vals).__name__}")
    out: dict[str, Any] = {}
    for name, value in vals.items():
        wire = to_wire_value(value)
        if schema is not None:
            info = schema.get(name)
            if info is None:
                raise UnknownFieldError(model, name)
            if wire is not False and info.type in _PY_TYPES:
                ok = _PY_TYPES[info.type]
                if not isinstance(wire, ok) or (info.type != "boolean" and isinstance(wire, bool)):
                    raise InvalidValueError(
                        model,
                        name,
                        f"{info.kind} takes {'/'.join(t.__name__ for t in ok)}, "
                        f"not {type(value).__name__} {value!r}",
                    )
            if info.selection is not None and wire is not False and str(wire) not in info.selection:
                raise InvalidValueError(model, name, f"{wire!r} is not one of {list(info.selection)}")
            if info.is_x2many and wire is not False and not isinstance(wire, list):
                raise InvalidValueError(model, name, "an x2many field takes a list of commands (see Command)")
        out[name] = wire
    return out


class Command:
    """x2many commands, as lists ready for the wire:
    ``order.write({"tag_ids": [Command.link(3), Command.unlink(4)]})``."""

    @staticmethod
    def create(values: Mapping[str, Any]) -> list[Any]:
        """Create a new related record with these values."""
        return [0, 0, dict(values)]

    @staticmethod
    def update(record_id: int, values: Mapping[str, Any]) -> list[Any]:
        """Write these values on the related record ``record_id``."""
        return [1, record_id, dict(values)]

    @staticmethod
    def delete(record_id: int) -> list[Any]:
        """Delete the related record ``record_id`` from the database."""
        return [2, record_id, 0]

    @staticmethod
    def unlink(record_id: int) -> list[Any]:
        """Take ``record_id`` out of the relation (the record itself stays)."""
        return [3, record_id, 0]

    @staticmethod
    def link(record_id: int) -> list[Any]:
        """Add the existing record ``record_id`` to the relation."""
        return [4, record_id, 0]

    @staticmethod
    def clear() -> list[Any]:
        """Take every record out of the relation."""
        return [5, 0, 0]

    @staticmethod
    def set(ids: list[int]) -> list[Any]:
        """Make the relation exactly these records."""
        return [6, 0, list(ids)]
