"""Wire-to-Python conversions used by generated ``from_odoo`` tables (one small function per field type).

The relational ones take the registry of the generated package they are for, so that a many2one of a class
becomes a record of the same package's class of the target model (a dynamic record when it has none).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .domain import to_wire_value
from .records import DynamicRecord, parse_date, parse_datetime
from .schema import ModelSchema

if TYPE_CHECKING:
    from .registry import ModelRegistry

__all__ = [
    "binary",
    "boolean",
    "date",
    "datetime",
    "integer",
    "many2one",
    "number",
    "raw",
    "text",
    "to_wire",
    "x2many",
]


def text(value: Any) -> str | None:
    return value if value is not False else None


def integer(value: Any) -> int | None:
    return None if value is False or value is None else value


def number(value: Any) -> float | None:
    return float(value) if value is not False and value is not None else None


def boolean(value: Any) -> bool:
    return bool(value)


#: Odoo's ``YYYY-MM-DD`` -> a date; ``YYYY-MM-DD HH:MM:SS`` (UTC) -> an aware datetime (one parser for
#: generated and dynamic records)
date = parse_date
datetime = parse_datetime


def binary(value: Any) -> bytes | None:
    """Base64 content as bytes; with ``bin_size`` Odoo sends a size text ("1.43 Kb"), kept as UTF-8 bytes."""
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return str(value).encode()


def raw(value: Any) -> Any:
    return value


def _factory(model: str, registry: ModelRegistry | None) -> Callable[[int, str | None], Any]:
    cls = registry.get(model) if registry is not None else None
    if cls is not None:
        return cls.ref
    schema = ModelSchema(model, {})
    return lambda rid, name: DynamicRecord.ref_of(schema, rid, name)


def many2one(model: str, registry: ModelRegistry | None = None) -> Callable[[Any], Any]:
    """``[id, display_name]`` -> a partial record of ``registry``'s class of ``model`` (``id`` and
    ``display_name`` loaded); the class is looked up, and its module imported, on the first value."""
    make: list[Callable[[int, str | None], Any]] = []

    def convert(value: Any) -> Any:
        if not value:
            return None
        if not make:
            make.append(_factory(model, registry))
        if isinstance(value, list):
            return make[0](value[0], value[1] if len(value) > 1 else None)
        return make[0](value, None)

    return convert


def x2many(model: str, registry: ModelRegistry | None = None) -> Callable[[Any], Any]:
    """A list of ids -> a list of partial records (``id`` loaded); prefetching fills them in."""
    make: list[Callable[[int, str | None], Any]] = []

    def convert(value: Any) -> Any:
        if not value:
            return []
        if not make:
            make.append(_factory(model, registry))
        factory = make[0]
        return [factory(i, None) for i in value]

    return convert


def to_wire(value: Any) -> Any:
    """Python value of a record attribute -> what ``write`` takes (x2many records -> a ``set`` command)."""
    if isinstance(value, list) and value and all(hasattr(v, "id") for v in value):
        return [[6, 0, [v.id for v in value]]]
    return to_wire_value(value)
