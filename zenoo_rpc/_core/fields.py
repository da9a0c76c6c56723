"""Typed query expressions built from generated field descriptors: ``ResPartner.F.name.ilike("acme")``,
``ResPartner.F.country_id.code == "BE"``. Each comparison returns a :class:`Q`."""

from __future__ import annotations

from typing import Any

from .domain import Leaf, Q, compile_q, escape_like, to_wire_value

__all__ = ["BoolExpr", "DateExpr", "Expr", "FieldsBase", "NumExpr", "RelExpr", "StrExpr"]


def _q(path: str, op: str, value: Any) -> Q:
    return Q._of(Leaf(path, op, value))


class Expr:
    """A field (or a dotted path) in a typed filter: ``==``, ``!=``, :meth:`in_`, :meth:`not_in` and
    :meth:`is_null` each give a :class:`Q`. ``ResPartner.F.name == "Azure"`` is ``Q(name="Azure")``."""

    __slots__ = ("_p",)

    def __init__(self, path: str) -> None:
        self._p = path

    def __eq__(self, other: object) -> Q:  # type: ignore[override]
        return _q(self._p, "=", to_wire_value(other))

    def __ne__(self, other: object) -> Q:  # type: ignore[override]
        return _q(self._p, "!=", to_wire_value(other))

    __hash__ = None  # type: ignore[assignment]

    def in_(self, values: Any) -> Q:
        """The field is one of ``values`` (Odoo's ``in``)."""
        return _q(self._p, "in", [to_wire_value(v) for v in values])

    def not_in(self, values: Any) -> Q:
        """The field is none of ``values`` (Odoo's ``not in``)."""
        return _q(self._p, "not in", [to_wire_value(v) for v in values])

    def is_null(self, null: bool = True) -> Q:
        """The field is empty (``= False`` in Odoo's terms); ``is_null(False)``: it is set."""
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
    """An integer, float or monetary field: also ``<``, ``<=``, ``>`` and ``>=``."""

    __slots__ = ()


class DateExpr(_Ordered):
    """A date or datetime field: also ``<``, ``<=``, ``>`` and ``>=`` against ``date``/``datetime`` values
    (sent in Odoo's wire format, datetimes in UTC)."""

    __slots__ = ()


class BoolExpr(Expr):
    """A boolean field: ``== True`` / ``== False``."""

    __slots__ = ()


class StrExpr(_Ordered):
    """A char, text, html or selection field: ordering comparisons and pattern lookups. ``contains``,
    ``startswith`` and ``endswith`` (and their ``i`` forms) escape ``%`` and ``_`` in the text; ``like`` and
    ``ilike`` take an Odoo pattern as it is."""

    __slots__ = ()

    def like(self, pattern: str) -> Q:
        """Odoo's ``like``: case-sensitive, wrapped in ``%`` by the server."""
        return _q(self._p, "like", pattern)

    def ilike(self, pattern: str) -> Q:
        """Odoo's ``ilike``: case-insensitive, the pattern wrapped in ``%`` by the server."""
        return _q(self._p, "ilike", pattern)

    def not_ilike(self, pattern: str) -> Q:
        """Odoo's ``not ilike``: the negation of :meth:`ilike`."""
        return _q(self._p, "not ilike", pattern)

    def contains(self, text: str) -> Q:
        """The value contains ``text`` (case-sensitive)."""
        return _q(self._p, "like", escape_like(text))

    def icontains(self, text: str) -> Q:
        """The value contains ``text``, ignoring case."""
        return _q(self._p, "ilike", escape_like(text))

    def startswith(self, text: str) -> Q:
        """The value starts with ``text`` (case-sensitive)."""
        return _q(self._p, "=like", escape_like(text) + "%")

    def istartswith(self, text: str) -> Q:
        """The value starts with ``text``, ignoring case."""
        return _q(self._p, "=ilike", escape_like(text) + "%")

    def endswith(self, text: str) -> Q:
        """The value ends with ``text`` (case-sensitive)."""
        return _q(self._p, "=like", "%" + escape_like(text))

    def iendswith(self, text: str) -> Q:
        """The value ends with ``text``, ignoring case."""
        return _q(self._p, "=ilike", "%" + escape_like(text))


class RelExpr(Expr):
    """A relational field of a model with no generated class (no typed sub-fields)."""

    __slots__ = ()

    def any(self, condition: Q) -> Q:
        """Some related record matches ``condition`` (Odoo's ``any``, 17.0+)."""
        return _q(self._p, "any", compile_q(condition, "", lambda _m: None))

    def not_any(self, condition: Q) -> Q:
        """No related record matches ``condition`` (Odoo's ``not any``, 17.0+)."""
        return _q(self._p, "not any", compile_q(condition, "", lambda _m: None))

    def child_of(self, ids: Any) -> Q:
        """The related record is one of ``ids`` or below them in its hierarchy (``child_of``)."""
        return _q(self._p, "child_of", to_wire_value(ids))

    def parent_of(self, ids: Any) -> Q:
        """The related record is one of ``ids`` or above them in its hierarchy (``parent_of``)."""
        return _q(self._p, "parent_of", to_wire_value(ids))

    def ilike(self, name: str) -> Q:
        """The related record's display name matches ``name``, ignoring case."""
        return _q(self._p, "ilike", name)


class FieldsBase(RelExpr):
    """Generated ``<Model>Fields`` classes derive from this: at the root it names no field; reached through
    a relation it is that relation's expression and gives access to the target's fields."""

    __slots__ = ()

    def __init__(self, path: str = "") -> None:
        super().__init__(path)

    def _path(self, name: str) -> str:
        return f"{self._p}.{name}" if self._p else name
