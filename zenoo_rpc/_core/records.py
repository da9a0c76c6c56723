"""Records: the base of generated model classes and the dynamic record used without generated code.

A record holds only the fields that were read; reading one that was not raises :class:`FieldNotLoadedError`
instead of returning ``None`` (:class:`FieldNotOnServerError` when its client knows the server lacks it). A many2one value is a partial record of the target model (``id`` and
``display_name``); x2many values are lists of partial records. Prefetching replaces them with full records.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .domain import to_wire_value
from .drift import not_on_server
from .errors import FieldNotLoadedError, UnknownFieldError
from .schema import FieldInfo, ModelSchema

__all__ = [
    "BaseRecord",
    "ClassFamily",
    "DynamicRecord",
    "parse_date",
    "parse_datetime",
    "record_class_for",
]


def parse_date(value: Any) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value[:10])


def parse_datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)


class ClassFamily(Protocol):
    """The classes of one generated package by model name (a ``ModelRegistry``)."""

    def get(self, model: str) -> type[BaseRecord] | None: ...


class BaseRecord:
    """Behaviour shared by every record class. Subclasses declare ``__slots__`` (attrs does it for them)."""

    __slots__ = ("__zenoo_bound__", "__zenoo_dirty__")
    __zenoo_model__: ClassVar[str] = ""
    __zenoo_schema__: ClassVar[ModelSchema]
    #: Odoo field name -> Python attribute name (they differ for keywords: ``from`` -> ``from_``)
    __zenoo_attrs__: ClassVar[dict[str, str]] = {}
    #: the classes of the generated package this class belongs to (set by ``ModelRegistry.record``)
    __zenoo_registry__: ClassVar[ClassFamily | None] = None

    id: int

    if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelled attribute is a type error

        def __getattr__(self, name: str) -> Any:
            # Called only when normal lookup failed: a declared field that was not loaded, or no such field.
            raise self._zenoo_missing(name)

    def _zenoo_missing(self, name: str) -> AttributeError:
        if not name.startswith("_") and self._zenoo_has_field(name):
            return self._zenoo_not_on_server(name) or FieldNotLoadedError(self._zenoo_model_name(), name)
        return AttributeError(f"{type(self).__name__} ({self._zenoo_model_name()}) has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if not name.startswith("_"):
            self._zenoo_mark_dirty(name)

    def _zenoo_not_on_server(self, attr: str) -> AttributeError | None:
        """The error for a declared field the server lacks, asked of the client that read the record."""
        try:
            conn = object.__getattribute__(self, "__zenoo_bound__")._conn
        except AttributeError:  # not read through a client
            return None
        cls = type(self)
        name = next((n for n, a in cls.__zenoo_attrs__.items() if a == attr), attr)
        return not_on_server(
            conn, self._zenoo_model_name(), cls.zenoo_related(self._zenoo_model_name()), name
        )

    def _zenoo_mark_dirty(self, name: str) -> None:
        """Remember an assignment, so that ``save()`` writes only what changed."""
        try:
            dirty: set[str] = object.__getattribute__(self, "__zenoo_dirty__")
        except AttributeError:
            dirty = set()
            object.__setattr__(self, "__zenoo_dirty__", dirty)
        dirty.add(name)

    # -- introspection -------------------------------------------------------------------------------
    @classmethod
    def zenoo_related(cls, model: str) -> type[BaseRecord] | None:
        """The generated class of ``model`` from the same generated package as this class, if it has one."""
        registry = cls.__zenoo_registry__
        return registry.get(model) if registry is not None else None

    def _zenoo_model_name(self) -> str:
        return type(self).__zenoo_model__

    def _zenoo_has_field(self, attr: str) -> bool:
        cls = type(self)
        return attr in cls.__zenoo_schema__.fields or attr in cls.__zenoo_attrs__.values()

    def _zenoo_loaded(self) -> Iterator[str]:
        """Odoo names of the fields this record holds."""
        attrs = type(self).__zenoo_attrs__
        for name in type(self).__zenoo_schema__.fields:
            try:
                object.__getattribute__(self, attrs.get(name, name))
            except AttributeError:
                continue
            yield name

    def zenoo_get(self, name: str) -> Any:
        """A field's value by its Odoo name."""
        return getattr(self, type(self).__zenoo_attrs__.get(name, name))

    def zenoo_changes(self) -> dict[str, Any]:
        """The fields assigned since the record was read, as wire values for ``write``."""
        try:
            dirty: set[str] = object.__getattribute__(self, "__zenoo_dirty__")
        except AttributeError:
            return {}
        odoo_name = {attr: name for name, attr in type(self).__zenoo_attrs__.items()}
        return {
            odoo_name.get(attr, attr): to_wire_value(getattr(self, attr))
            for attr in sorted(dirty)
            if attr != "id"
        }

    def zenoo_load(self, name: str, value: Any) -> None:
        """Set a field, by its Odoo name, as read from the server (not a change to save)."""
        object.__setattr__(self, type(self).__zenoo_attrs__.get(name, name), value)

    def zenoo_mark_clean(self) -> None:
        """Forget the changes made since the record was read (they are no longer sent by ``save()``)."""
        object.__setattr__(self, "__zenoo_dirty__", set())

    def zenoo_bind(self, client: Any) -> None:
        """Attach the record to the client it was read through (``save``, ``delete`` and ``refresh`` use it)."""
        object.__setattr__(self, "__zenoo_bound__", client)

    def zenoo_client(self) -> Any:
        """The client the record was read through; RuntimeError when it was built by hand."""
        try:
            return object.__getattribute__(self, "__zenoo_bound__")
        except AttributeError:
            raise RuntimeError(f"{self!r} is not bound to a client (it was not read through one)") from None

    # -- actions (async or sync, as the client that read the record) -----------------------------------
    def save(self) -> Any:
        """Write the fields assigned since the record was read (nothing is sent if none were)."""
        return self.zenoo_client()._save_record(self)

    def delete(self) -> Any:
        """Delete this record on the server (``unlink``) through its client."""
        return self.zenoo_client()._unlink_record(self)

    def refresh(self) -> Any:
        """Read the loaded fields again (``only()`` fields stay the only ones)."""
        return self.zenoo_client()._refresh_record(self)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a public model method on this record, e.g. ``order.call("action_confirm")``."""
        return self.zenoo_client().execute_kw(self._zenoo_model_name(), method, [[self.id], *args], kwargs)

    # -- conversions ---------------------------------------------------------------------------------
    @classmethod
    def ref(cls, record_id: int, display_name: str | None = None) -> Any:
        """A partial record that knows only its id (and display name): the value of a many2one."""
        rec = cls.__new__(cls)
        object.__setattr__(rec, "id", record_id)
        if display_name is not None and "display_name" in cls.__zenoo_schema__.fields:
            object.__setattr__(rec, "display_name", display_name)
        return rec

    @classmethod
    def from_odoo(cls, row: Mapping[str, Any]) -> Any:
        """Build a record from a row as Odoo's ``read`` sends it (generated classes implement it)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        try:
            rid = self.id
        except AttributeError:
            rid = None
        return f"<{type(self).__name__} {self._zenoo_model_name()}({rid})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseRecord) or other._zenoo_model_name() != self._zenoo_model_name():
            return NotImplemented
        return bool(getattr(self, "id", None) == getattr(other, "id", None))

    def __hash__(self) -> int:
        return hash((self._zenoo_model_name(), getattr(self, "id", None)))


class DynamicRecord(BaseRecord):
    """A record of a model with no generated class: values converted by the schema read at run time."""

    __slots__ = ("_model", "_schema", "_values")

    def __init__(self, schema: ModelSchema, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_schema", schema)
        object.__setattr__(self, "_model", schema.model)
        object.__setattr__(self, "_values", values)

    def _zenoo_model_name(self) -> str:
        return str(object.__getattribute__(self, "_model"))

    def _zenoo_has_field(self, name: str) -> bool:
        schema: ModelSchema = object.__getattribute__(self, "_schema")
        return name in schema.fields or name == "id"

    def _zenoo_loaded(self) -> Iterator[str]:
        yield from object.__getattribute__(self, "_values")

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise self._zenoo_missing(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if not self._zenoo_has_field(name):
            raise UnknownFieldError(self._zenoo_model_name(), name)
        object.__getattribute__(self, "_values")[name] = value
        self._zenoo_mark_dirty(name)

    def zenoo_load(self, name: str, value: Any) -> None:
        object.__getattribute__(self, "_values")[name] = value

    def zenoo_get(self, name: str) -> Any:
        return self.__getattr__(name)

    def as_dict(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_values"))

    @classmethod
    def ref_of(cls, schema: ModelSchema, record_id: int, display_name: str | None = None) -> DynamicRecord:
        values: dict[str, Any] = {"id": record_id}
        if display_name is not None:
            values["display_name"] = display_name
        return cls(schema, values)

    @classmethod
    def from_row(cls, schema: ModelSchema, row: Mapping[str, Any], resolver: Any) -> DynamicRecord:
        values: dict[str, Any] = {}
        for name, raw in row.items():
            info = schema.fields.get(name)
            values[name] = convert_value(info, raw, resolver) if info is not None else raw
        return cls(schema, values)


def convert_value(info: FieldInfo, raw: Any, resolver: Any) -> Any:
    """Wire value to Python for a dynamic record (generated classes write this out per field)."""
    t = info.type
    if t == "boolean":
        return bool(raw)
    if raw is False or raw is None:
        return [] if info.is_x2many else None
    if t == "many2one":
        target = record_class_for(info.relation or "", resolver)
        if isinstance(raw, list):
            return target(raw[0], raw[1] if len(raw) > 1 else None)
        return target(raw, None)
    if info.is_x2many:
        target = record_class_for(info.relation or "", resolver)
        return [target(i, None) for i in raw]
    if t == "date":
        return parse_date(raw)
    if t == "datetime":
        return parse_datetime(raw)
    if t == "binary" and isinstance(raw, str) and not raw.endswith(("bytes", "Kb", "Mb", "Gb")):
        return base64.b64decode(raw)
    return raw


def record_class_for(model: str, resolver: Any) -> Any:
    """A factory ``(id, display_name) -> partial dynamic record`` for a related model."""
    schema = resolver(model) if resolver else None
    if schema is None:
        schema = ModelSchema(model, {})

    def make(record_id: int, display_name: str | None) -> DynamicRecord:
        return DynamicRecord.ref_of(schema, record_id, display_name)

    return make
