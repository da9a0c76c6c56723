"""Django-style lookups and ``Q`` trees compiled to Odoo prefix-notation domains, checked against the schema.

``filter(partner_id__country_id__code="BE", amount_total__gte=100)`` becomes
``['&', ('partner_id.country_id.code', '=', 'BE'), ('amount_total', '>=', 100)]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .errors import InvalidLookupError, InvalidValueError, UnknownFieldError
from .schema import FieldInfo, ModelSchema

__all__ = [
    "LOOKUPS",
    "Domain",
    "Leaf",
    "Q",
    "SchemaResolver",
    "compile_q",
    "escape_like",
    "to_wire_value",
]

SchemaResolver = Callable[[str], ModelSchema | None]

_STRINGY = frozenset({"char", "text", "html", "selection", "many2one", "one2many", "many2many", "reference"})
_ORDERED = frozenset(
    {"integer", "float", "monetary", "date", "datetime", "char", "text", "selection", "many2one"}
)

#: lookup -> (Odoo operator, field types it fits or None for any)
LOOKUPS: dict[str, tuple[str, frozenset[str] | None]] = {
    "exact": ("=", None),
    "ne": ("!=", None),
    "gt": (">", _ORDERED),
    "gte": (">=", _ORDERED),
    "lt": ("<", _ORDERED),
    "lte": ("<=", _ORDERED),
    "in": ("in", None),
    "not_in": ("not in", None),
    "like": ("like", _STRINGY),
    "ilike": ("ilike", _STRINGY),
    "not_like": ("not like", _STRINGY),
    "not_ilike": ("not ilike", _STRINGY),
    "contains": ("like", _STRINGY),
    "icontains": ("ilike", _STRINGY),
    "startswith": ("=like", _STRINGY),
    "istartswith": ("=ilike", _STRINGY),
    "endswith": ("=like", _STRINGY),
    "iendswith": ("=ilike", _STRINGY),
    "isnull": ("=", None),
    "child_of": ("child_of", frozenset({"many2one", "one2many", "many2many", "integer"})),
    "parent_of": ("parent_of", frozenset({"many2one", "one2many", "many2many", "integer"})),
    "any": ("any", frozenset({"many2one", "one2many", "many2many"})),
    "not_any": ("not any", frozenset({"many2one", "one2many", "many2many"})),
}


def escape_like(value: str) -> str:
    """Escape ``%``, ``_`` and ``\\`` so that a LIKE pattern matches them literally."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def to_wire_value(value: Any) -> Any:
    """Python values to what Odoo expects in a domain or in ``create``/``write`` values."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, Decimal):
        return float(value)
    record_id = getattr(value, "id", None)
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        return record_id
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_wire_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: to_wire_value(v) for k, v in value.items()}
    return value


@attrs.frozen
class Leaf:
    path: str
    operator: str
    value: Any


@attrs.frozen
class _And:
    children: tuple[Node, ...]


@attrs.frozen
class _Or:
    children: tuple[Node, ...]


@attrs.frozen
class _Not:
    child: Node


@attrs.frozen
class _Lookups:
    """Keyword lookups, compiled when the model is known (to validate them and to convert the values)."""

    items: tuple[tuple[str, Any], ...]


@attrs.frozen
class _Raw:
    """A domain given as a list, trusted as written."""

    domain: tuple[Any, ...]


Node = Leaf | _And | _Or | _Not | _Lookups | _Raw


class Q:
    """A composable condition: ``Q(is_company=True) | ~Q(name__ilike="acme")``."""

    __slots__ = ("node",)

    def __init__(self, *domain: Any, **lookups: Any) -> None:
        nodes: list[Node] = []
        for item in domain:
            if isinstance(item, Q):
                nodes.append(item.node)
            elif isinstance(item, list):
                nodes.append(_Raw(tuple(item)))
            else:
                raise TypeError(f"Q() takes Q objects, domain lists or keyword lookups, not {item!r}")
        if lookups:
            nodes.append(_Lookups(tuple(lookups.items())))
        self.node: Node = nodes[0] if len(nodes) == 1 else _And(tuple(nodes))

    @classmethod
    def _of(cls, node: Node) -> Q:
        q = cls.__new__(cls)
        q.node = node
        return q

    def __and__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q._of(_And((self.node, other.node)))

    def __or__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q._of(_Or((self.node, other.node)))

    def __invert__(self) -> Q:
        return Q._of(_Not(self.node))

    def __repr__(self) -> str:
        return f"Q({self.node!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Q) and self.node == other.node

    def __hash__(self) -> int:
        return hash(self.node)


Domain = list[Any]


def compile_q(q: Q, model: str, resolver: SchemaResolver) -> Domain:
    """Compile to a prefix-notation domain; lookups are checked against the schemas the resolver knows."""
    return _compile(q.node, model, resolver)


def _combine(op: str, parts: list[Domain]) -> Domain:
    parts = [p for p in parts if p]
    if not parts:
        return []
    out: Domain = [op] * (len(parts) - 1)
    for p in parts:
        out.extend(p)
    return out


def _compile(node: Node, model: str, resolver: SchemaResolver) -> Domain:
    if isinstance(node, Leaf):
        return [(node.path, node.operator, node.value)]
    if isinstance(node, _Raw):
        return [tuple(x) if isinstance(x, list) else x for x in node.domain]
    if isinstance(node, _Lookups):
        return _combine("&", [[_lookup_leaf(k, v, model, resolver)] for k, v in node.items])
    if isinstance(node, _And):
        return _combine("&", [_compile(c, model, resolver) for c in node.children])
    if isinstance(node, _Or):
        parts = [_compile(c, model, resolver) for c in node.children]
        if any(not p for p in parts):  # an empty part is TRUE: the OR is TRUE
            return []
        return _combine("|", parts)
    inner = _compile(node.child, model, resolver)
    return ["!", *inner] if inner else [("id", "=", False)]


def _resolve_path(parts: list[str], model: str, resolver: SchemaResolver) -> FieldInfo | None:
    """Walk a dotted path through the schemas; returns the last field's info when every schema is known."""
    current: str | None = model
    info: FieldInfo | None = None
    for i, name in enumerate(parts):
        schema = resolver(current) if current else None
        if schema is None:
            return None
        info = schema.get(name)
        if info is None:
            raise UnknownFieldError(current or model, name, f"in lookup path {'__'.join(parts)!r}")
        if i < len(parts) - 1:
            if not info.is_relational:
                raise InvalidLookupError(
                    current or model, name, "__".join(parts[i + 1 :]), f"follows a {info.type} field"
                )
            current = info.relation
    return info


def _lookup_leaf(key: str, value: Any, model: str, resolver: SchemaResolver) -> tuple[str, str, Any]:
    parts = key.split("__")
    lookup = "exact"
    if len(parts) > 1 and parts[-1] in LOOKUPS:
        lookup = parts.pop()
    if not parts or not all(parts):
        raise InvalidLookupError(model, key, lookup, "names no field")
    info = _resolve_path(parts, model, resolver)
    path = ".".join(parts)
    operator, fits = LOOKUPS[lookup]
    if (
        info is not None
        and fits is not None
        and info.type not in fits
        and not (parts[-1] == "id" and lookup in ("child_of", "parent_of"))
    ):
        raise InvalidLookupError(model, path, lookup, f"does not fit {info.kind}")
    if lookup == "isnull":
        if not isinstance(value, bool):
            raise InvalidLookupError(model, path, lookup, "takes True or False")
        return (path, "=" if value else "!=", False)
    if lookup in ("in", "not_in"):
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InvalidLookupError(model, path, lookup, f"takes a list, not {type(value).__name__}")
        value = [to_wire_value(v) for v in value]
        _check_selection(info, model, path, value)
        return (path, operator, value)
    if lookup in ("contains", "icontains", "startswith", "istartswith", "endswith", "iendswith"):
        if not isinstance(value, str):
            raise InvalidLookupError(model, path, lookup, f"takes a string, not {type(value).__name__}")
        pattern = escape_like(value)
        if lookup.endswith("startswith"):
            pattern += "%"
        elif lookup.endswith("endswith"):
            pattern = "%" + pattern
        return (path, operator, pattern)
    if lookup in ("any", "not_any"):
        relation = info.relation if info is not None else None
        if isinstance(value, Q):
            sub = compile_q(value, relation, resolver) if relation else compile_q(value, "", _no_schema)
        elif isinstance(value, Mapping):
            sub = compile_q(Q(**value), relation or "", resolver if relation else _no_schema)
        elif isinstance(value, list):
            sub = value
        else:
            raise InvalidLookupError(model, path, lookup, "takes a Q, a dict of lookups or a domain list")
        return (path, operator, sub)
    wire = to_wire_value(value)
    if lookup in ("exact", "ne"):
        _check_selection(info, model, path, [wire])
    return (path, operator, wire)


def _no_schema(_model: str) -> ModelSchema | None:
    return None


def _check_selection(info: FieldInfo | None, model: str, path: str, values: list[Any]) -> None:
    if info is None or info.selection is None:
        return
    for v in values:
        if v is not False and v not in info.selection:
            raise InvalidValueError(model, path, f"{v!r} is not one of {list(info.selection)}")
