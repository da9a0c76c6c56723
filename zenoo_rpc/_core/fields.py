"""Typed query expressions built from generated field descriptors: ``ResPartner.F.name.ilike("acme")``,
``ResPartner.F.country_id.code == "BE"``. Each comparison returns a :class:`Q`."""

from __future__ import annotations

from typing import Any

from .domain import Leaf, Q, compile_q, escape_like, to_wire_value

__all__ = ["BoolExpr", "DateExpr", "Expr", "FieldsBase", "NumExpr", "RelExpr", "StrExpr"]


def _q(path: str, op: str, value: Any) -> Q:
    return Q._of(Leaf(path, op, value))


class Expr:
    __slots__ = ("_p",)

    def __init__(self, path: str) -> None:
        self._p = path

    def __eq__(self, other: object) -> Q:  # type: ignore[override]
        return _q(self._p, "=", to_wire_value(other))

    def __ne__(self, other: object) -> Q:  # type: ignore[override]
        return _q(self._p, "!=", to_wire_value(other))

    __hash__ = None  # type: ignore[assignment]

    def in_(self, values: Any) -> Q:
        return _q(self._p, "in", [to_wire_value(v) for v in values])

    def not_in(self, values: Any) -> Q:
        return _q(self._p, "not in", [to_wire_value(v) for v in values])

    def is_null(self, null: bool = True) -> Q:
        return _q(self._p, "=" if null else "!=", False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._p}>"


class _Ordered(Expr):
    __slots__ = ()

    def __lt__(self, other: Any) -> Q:
        return _q(self._p, "<", to_wire_value(other))

    def __le__(self, other: Any) -> Q:
        return _q(self._p, "<=", to_wire_value(other))

    def __gt__(self, other: Any) -> Q:
        return _q(self._p, ">", to_wire_value(other))

    def __ge__(self, other: Any) -> Q:
        return _q(self._p, ">=", to_wire_value(other))


class NumExpr(_Ordered):
    __slots__ = ()


class DateExpr(_Ordered):
    __slots__ = ()


class BoolExpr(Expr):
    __slots__ = ()


class StrExpr(_Ordered):
    __slots__ = ()

    def like(self, pattern: str) -> Q:
        """Odoo's ``like``: case-sensitive, wrapped in ``%`` by the server."""
        return _q(self._p, "like", pattern)

    def ilike(self, pattern: str) -> Q:
        return _q(self._p, "ilike", pattern)

    def not_ilike(self, pattern: str) -> Q:
        return _q(self._p, "not ilike", pattern)

    def contains(self, text: str) -> Q:
        return _q(self._p, "like", escape_like(text))

    def icontains(self, text: str) -> Q:
        return _q(self._p, "ilike", escape_like(text))

    def startswith(self, text: str) -> Q:
        return _q(self._p, "=like", escape_like(text) + "%")

    def istartswith(self, text: str) -> Q:
        return _q(self._p, "=ilike", escape_like(text) + "%")

    def endswith(self, text: str) -> Q:
        return _q(self._p, "=like", "%" + escape_like(text))

    def iendswith(self, text: str) -> Q:
        return _q(self._p, "=ilike", "%" + escape_like(text))


class RelExpr(Expr):
    """A relational field of a model with no generated class (no typed sub-fields)."""

    __slots__ = ()

    def any(self, condition: Q) -> Q:
        return _q(self._p, "any", compile_q(condition, "", lambda _m: None))

    def not_any(self, condition: Q) -> Q:
        return _q(self._p, "not any", compile_q(condition, "", lambda _m: None))

    def child_of(self, ids: Any) -> Q:
        return _q(self._p, "child_of", to_wire_value(ids))

    def parent_of(self, ids: Any) -> Q:
        return _q(self._p, "parent_of", to_wire_value(ids))

    def ilike(self, name: str) -> Q:
        return _q(self._p, "ilike", name)


class FieldsBase(RelExpr):
    """Generated ``<Model>Fields`` classes derive from this: at the root it names no field; reached through
    a relation it is that relation's expression and gives access to the target's fields."""

    __slots__ = ()

    def __init__(self, path: str = "") -> None:
        super().__init__(path)

    def _path(self, name: str) -> str:
        return f"{self._p}.{name}" if self._p else name
