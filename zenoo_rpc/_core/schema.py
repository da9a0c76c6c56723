"""What the client knows of a model's fields: enough to validate lookups and values before sending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["RELATIONAL", "FieldInfo", "ModelSchema", "SchemaDrift"]

RELATIONAL = frozenset({"many2one", "one2many", "many2many", "many2one_reference"})
_NUMERIC = frozenset({"integer", "float", "monetary"})


@attrs.frozen
class FieldInfo:
    """One field of a model as ``fields_get`` describes it: its type, relation, selection keys and flags
    (``store`` false: a non-stored computed field, read only when named)."""

    name: str
    type: str
    relation: str | None = None
    selection: tuple[str, ...] | None = None
    required: bool = False
    readonly: bool = False
    store: bool = True
    string: str = ""
    #: a related field (``product_tmpl_id.name``): cheap to read even when not stored
    related: bool = False

    @property
    def is_relational(self) -> bool:
        """A many2one, one2many or many2many field."""
        return self.type in RELATIONAL

    @property
    def is_x2many(self) -> bool:
        """A one2many or many2many field (its value is a list of ids)."""
        return self.type in ("one2many", "many2many")

    @property
    def kind(self) -> str:
        """``an integer field``, ``a char field``: the field's type for messages."""
        return f"{'an' if self.type[:1] in 'aeiou' else 'a'} {self.type} field"

    @property
    def is_numeric(self) -> bool:
        """An integer, float or monetary field."""
        return self.type in _NUMERIC

    @classmethod
    def from_fields_get(cls, name: str, attrs_: Mapping[str, Any]) -> FieldInfo:
        """The field from its entry in a ``fields_get`` answer (unknown attributes are ignored)."""
        selection = attrs_.get("selection")
        return cls(
            name=name,
            type=str(attrs_.get("type", "char")),
            relation=attrs_.get("relation") or None,
            selection=tuple(str(k) for k, _ in selection) if isinstance(selection, list) else None,
            required=bool(attrs_.get("required", False)),
            readonly=bool(attrs_.get("readonly", False)),
            store=bool(attrs_.get("store", True)),
            string=str(attrs_.get("string", "")),
            related=bool(attrs_.get("related")),
        )


#: Attributes asked of ``fields_get`` when the client introspects a model at run time.
FIELDS_GET_ATTRIBUTES = [
    "type",
    "relation",
    "selection",
    "required",
    "readonly",
    "store",
    "string",
    "related",
]


@attrs.frozen
class ModelSchema:
    """The fields of one model (``fields_get``), as a generated class carries it or a server answered it."""

    model: str
    fields: Mapping[str, FieldInfo]
    order: str = "id"

    def get(self, name: str) -> FieldInfo | None:
        """The field called ``name`` (``id`` included), or None if the model has no such field."""
        if name == "id":
            return _ID
        return self.fields.get(name)

    @classmethod
    def from_fields_get(cls, model: str, fields_get: Mapping[str, Mapping[str, Any]]) -> ModelSchema:
        """The schema from a ``fields_get`` answer of ``model``."""
        return cls(model, {n: FieldInfo.from_fields_get(n, a) for n, a in fields_get.items()})


_ID = FieldInfo("id", "integer", readonly=True, string="ID")


@attrs.define
class SchemaDrift:
    """What one client learned about its server against the generated classes it used."""

    #: a typed model of this client lacked fields on the server: read ``fields_get`` before the first read
    #: of each further typed model rather than sending a read the server will refuse
    seen: bool = False
    #: (model, class) -> the fields the class declares and the server lacks (noted, and warned, once)
    missing: dict[tuple[str, type], frozenset[str]] = attrs.field(factory=dict)
