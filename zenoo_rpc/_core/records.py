"""Records: the base of generated model classes and the dynamic record used without generated code.

A record holds only the fields that were read; reading one that was not raises :class:`FieldNotLoadedError`
instead of returning ``None`` (:class:`FieldNotOnServerError` when its client knows the server lacks it). A many2one value is a partial record of the target model (``id`` and
``display_name``); x2many values are lists of partial records. Prefetching replaces them with full records.

Building records is on the hot path of every read, so a record keeps the row's wire values as they came (a
tuple, beside a field -> position table shared by every record of the read) and converts them when a field is
first read (the converted values are kept): building one is an allocation, and a record holds less than the
row's dict did. Related records (a many2one's partial record) are made on first access too.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

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
]

R = TypeVar("R", bound="BaseRecord")
_EMPTY: dict[str, int] = {}
#: the layout of a partial record made from a many2one value
_REF_KEYS: dict[str, int] = {"id": 0, "display_name": 1}


def parse_date(value: Any) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value[:10])


def parse_datetime(value: Any) -> dt.datetime | None:
    """``2024-05-06 07:08:09`` (Odoo's format, UTC) -> an aware datetime; a malformed value is a ValueError."""
    if not value:
        return None
    if len(value) < 19 or value[4] != "-" or value[7] != "-" or value[10] != " ":
        raise ValueError(f"not an Odoo datetime: {value!r}")
    return dt.datetime(
        int(value[0:4]),
        int(value[5:7]),
        int(value[8:10]),
        int(value[11:13]),
        int(value[14:16]),
        int(value[17:19]),
        tzinfo=dt.timezone.utc,
    )


class ClassFamily(Protocol):
    """The classes of one generated package by model name (a ``ModelRegistry``)."""

    def get(self, model: str) -> type[BaseRecord] | None: ...


def _layouts(rows: list[Any]) -> Iterator[tuple[int, dict[str, int], tuple[Any, ...]]]:
    """(position, layout, values) per row: rows of one read share one field -> position table (the rows
    of a read have the same keys in the same order; a row that differs gets its own table)."""
    names: tuple[str, ...] = ()
    layout: dict[str, int] = _EMPTY
    for i, row in enumerate(rows):
        keys = tuple(row)
        if keys != names:
            names = keys
            layout = {k: n for n, k in enumerate(keys)}
        yield i, layout, tuple(row.values())


class BaseRecord:
    """Behaviour shared by every record class. Generated classes keep converted values in the instance
    dictionary (so that a field read twice is a plain attribute lookup the second time)."""

    __slots__ = ("__zenoo_bound__", "__zenoo_dirty__", "_zenoo_keys", "_zenoo_raw", "_zenoo_via", "id")
    __zenoo_model__: ClassVar[str] = ""
    __zenoo_schema__: ClassVar[ModelSchema]
    #: Odoo field name -> Python attribute name (they differ for keywords: ``from`` -> ``from_``)
    __zenoo_attrs__: ClassVar[dict[str, str]] = {}
    #: Odoo field name -> (attribute, wire-to-Python conversion) (the generated module's table)
    __zenoo_from_odoo__: ClassVar[Mapping[str, tuple[str, Callable[[Any], Any]]]] = {}
    #: the classes of the generated package this class belongs to (set by ``ModelRegistry.record``)
    __zenoo_registry__: ClassVar[ClassFamily | None] = None

    id: int

    if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelled attribute is a type error

        def __getattr__(self, name: str) -> Any:
            # Called only when normal lookup failed: the first read of a field of a record whose row is not
            # converted yet (all of it is converted now, so that every further read is a plain attribute
            # lookup), a declared field that was not loaded, or no such field.
            if name[:1] != "_" and self._zenoo_convert():
                found = object.__getattribute__(self, "__dict__")
                if name in found:
                    return found[name]
            raise self._zenoo_missing(name)

    def _zenoo_convert(self) -> bool:
        """Convert the row's values into the instance dictionary (values assigned or loaded since stay);
        False when there was nothing to convert."""
        try:
            keys = object.__getattribute__(self, "_zenoo_keys")
        except AttributeError:
            return False
        if not keys:
            return False
        cls = type(self)
        plan = _plan(cls)
        raw = object.__getattribute__(self, "_zenoo_raw")
        found: dict[str, Any] = object.__getattribute__(self, "__dict__")
        model = cls.__zenoo_model__
        for key, at in keys.items():
            step = plan.get(key)
            if step is None:
                continue  # not a field of the class (``id`` is a slot)
            attr, conv, relational = step
            if attr not in found:
                value = found[attr] = conv(raw[at])
                if relational:
                    _tag(value, (model, key))
        _SET_KEYS(self, _EMPTY)
        _SET_RAW(self, ())
        return True

    @classmethod
    def _zenoo_wrap(cls: type[R], row: Mapping[str, Any]) -> R:
        """A record of one row (its values converted when first read)."""
        rec: R = cls._zenoo_wrap_rows([row])[0]
        return rec

    @classmethod
    def _zenoo_wrap_rows(cls, rows: list[Any]) -> list[Any]:
        """Records of ``rows`` (replaced in place, so that each row can be freed once its record exists)."""
        if not cls.__zenoo_from_odoo__:  # generated before lazy conversion: converts eagerly
            from_odoo = cls.from_odoo
            for i, row in enumerate(rows):
                rows[i] = from_odoo(row)
            return rows
        new = cls.__new__
        set_keys, set_raw, set_id = _SET_KEYS, _SET_RAW, _SET_ID
        for i, layout, values in _layouts(rows):
            rec = new(cls)
            set_keys(rec, layout)
            set_raw(rec, values)
            at = layout.get("id")
            if at is not None and values[at] is not False:
                set_id(rec, values[at])
            rows[i] = rec
        return rows

    def _zenoo_missing(self, name: str) -> AttributeError:
        if not name.startswith("_") and self._zenoo_has_field(name):
            return self._zenoo_not_on_server(name) or self._zenoo_not_loaded(name)
        return AttributeError(f"{type(self).__name__} ({self._zenoo_model_name()}) has no field {name!r}")

    def _zenoo_not_loaded(self, attr: str) -> FieldNotLoadedError:
        """The error for a field that was not read, saying how to read it: the query's only() (dotted, from
        the query that read the record holding this one), or refresh() when the record has a client."""
        try:
            via: tuple[str, str] | None = object.__getattribute__(self, "_zenoo_via")
        except AttributeError:
            via = None
        name = next((n for n, a in type(self).__zenoo_attrs__.items() if a == attr), attr)
        return FieldNotLoadedError(self._zenoo_model_name(), name, bound=self._zenoo_is_bound(), via=via)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            if name != "id" and name not in _by_attr(type(self)) and not self._zenoo_has_field(name):
                raise AttributeError(
                    f"{type(self).__name__} ({self._zenoo_model_name()}) has no field {name!r}"
                )
            self._zenoo_mark_dirty(name)
        object.__setattr__(self, name, value)

    def _zenoo_is_bound(self) -> bool:
        try:
            object.__getattribute__(self, "__zenoo_bound__")
        except AttributeError:
            return False
        return True

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

    def _zenoo_holds(self, name: str, attr: str) -> bool:
        """Whether the field (Odoo name, attribute) is loaded: read, assigned or converted."""
        if name == "id":
            try:
                object.__getattribute__(self, "id")
                return True
            except AttributeError:
                pass
        try:
            if name in object.__getattribute__(self, "_zenoo_keys"):
                return True
        except AttributeError:
            pass
        try:
            return attr in object.__getattribute__(self, "__dict__")
        except AttributeError:
            return False

    def _zenoo_loaded(self) -> Iterator[str]:
        """Odoo names of the fields this record holds."""
        attrs = type(self).__zenoo_attrs__
        for name in type(self).__zenoo_schema__.fields:
            if self._zenoo_holds(name, attrs.get(name, name)):
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
            raise RuntimeError(
                f"{self!r} is not bound to a client (it was not read through one: a related record is bound "
                "once prefetch_related() read it)"
            ) from None

    # -- actions (async or sync, as the client that read the record) -----------------------------------
    def save(self) -> Any:
        """Write the fields assigned since the record was read (nothing is sent if none were)."""
        return self.zenoo_client()._save_record(self)

    def delete(self) -> Any:
        """Delete this record on the server (``unlink``) through its client."""
        return self.zenoo_client()._unlink_record(self)

    def refresh(self, *fields: str) -> Any:
        """Read the loaded fields again, and ``fields`` (Odoo names) besides: ``record.refresh("email")``."""
        return self.zenoo_client()._refresh_record(self, fields)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a public model method on this record, e.g. ``order.call("action_confirm")``."""
        return self.zenoo_client().execute_kw(self._zenoo_model_name(), method, [[self.id], *args], kwargs)

    # -- conversions ---------------------------------------------------------------------------------
    @classmethod
    def ref(cls, record_id: int, display_name: str | None = None) -> Any:
        """A partial record that knows only its id (and display name): the value of a many2one."""
        rec = cls.__new__(cls)
        _SET_ID(rec, record_id)
        if display_name is not None and "display_name" in cls.__zenoo_schema__.fields:
            _SET_KEYS(rec, _REF_KEYS)
            _SET_RAW(rec, (record_id, display_name))
        return rec

    @classmethod
    def from_odoo(cls, row: Mapping[str, Any]) -> Any:
        """Build a record from a row as Odoo's ``read`` sends it (generated classes implement it)."""
        raise NotImplementedError

    # -- pickling and copying: the values, not the client (a copy or an unpickled record is not bound) -----
    def __getstate__(self) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        slots: dict[str, Any] = {}
        for klass in type(self).__mro__:
            for name in klass.__dict__.get("__slots__", ()):
                if name != "__zenoo_bound__" and name not in slots:
                    try:
                        slots[name] = object.__getattribute__(self, name)
                    except AttributeError:
                        continue
        try:
            found: dict[str, Any] | None = dict(object.__getattribute__(self, "__dict__"))
        except AttributeError:
            found = None
        return found or None, slots

    def __setstate__(self, state: tuple[dict[str, Any] | None, dict[str, Any]]) -> None:
        found, slots = state
        for name, value in slots.items():
            object.__setattr__(self, name, value)
        if found:
            object.__getattribute__(self, "__dict__").update(found)

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


def _tag(value: Any, via: tuple[str, str]) -> None:
    """Remember which field of which model a related record is the value of (for FieldNotLoadedError)."""
    if isinstance(value, BaseRecord):
        _SET_VIA(value, via)
    elif type(value) is list:
        for rec in value:
            if isinstance(rec, BaseRecord):
                _SET_VIA(rec, via)


_SET_KEYS = BaseRecord._zenoo_keys.__set__  # type: ignore[attr-defined]
_SET_RAW = BaseRecord._zenoo_raw.__set__  # type: ignore[attr-defined]
_SET_VIA = BaseRecord._zenoo_via.__set__  # type: ignore[attr-defined]
_SET_ID = BaseRecord.__dict__["id"].__set__


def _by_attr(cls: type[BaseRecord]) -> dict[str, tuple[str, Callable[[Any], Any]]]:
    """attribute -> (Odoo name, conversion) of a generated class, made once per class."""
    found: dict[str, tuple[str, Callable[[Any], Any]]] | None = cls.__dict__.get("__zenoo_by_attr__")
    if found is None:
        found = {attr: (name, conv) for name, (attr, conv) in cls.__zenoo_from_odoo__.items()}
        found.pop("id", None)  # a slot
        type.__setattr__(cls, "__zenoo_by_attr__", found)
    return found


def _plan(cls: type[BaseRecord]) -> dict[str, tuple[str, Callable[[Any], Any], bool]]:
    """Odoo name -> (attribute, conversion, relational) of a generated class, made once per class."""
    found: dict[str, tuple[str, Callable[[Any], Any], bool]] | None = cls.__dict__.get("__zenoo_plan__")
    if found is None:
        fields = cls.__zenoo_schema__.fields
        found = {
            name: (attr, conv, name in fields and fields[name].is_relational)
            for name, (attr, conv) in cls.__zenoo_from_odoo__.items()
            if name != "id"  # a slot
        }
        type.__setattr__(cls, "__zenoo_plan__", found)
    return found


class DynamicRecord(BaseRecord):
    """A record of a model with no generated class: values converted by the schema read at run time."""

    __slots__ = ("_related", "_schema", "_values")

    def __init__(self, schema: ModelSchema, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_schema", schema)
        object.__setattr__(self, "_values", values)
        if "id" in values:
            _SET_ID(self, values["id"])

    def _zenoo_model_name(self) -> str:
        return str(object.__getattribute__(self, "_schema").model)

    def _zenoo_has_field(self, name: str) -> bool:
        schema: ModelSchema = object.__getattribute__(self, "_schema")
        return name in schema.fields or name == "id"

    def _zenoo_missing(self, name: str) -> AttributeError:
        if not name.startswith("_") and not object.__getattribute__(self, "_schema").fields:
            # a related record whose model's fields this client has not read: the field may well exist
            return self._zenoo_not_loaded(name)
        return super()._zenoo_missing(name)

    def _zenoo_cache(self) -> dict[str, Any]:
        try:
            values: dict[str, Any] = object.__getattribute__(self, "_values")
        except AttributeError:
            values = {}
            object.__setattr__(self, "_values", values)
        return values

    def _zenoo_loaded(self) -> Iterator[str]:
        try:
            keys: Mapping[str, int] = object.__getattribute__(self, "_zenoo_keys")
        except AttributeError:
            keys = _EMPTY
        yield from keys
        yield from (k for k in self._zenoo_cache() if k not in keys)

    def __getattr__(self, name: str) -> Any:
        if name[:1] == "_":
            raise AttributeError(name)
        values = self._zenoo_cache()
        if name in values:
            return values[name]
        if self._zenoo_convert() and name in values:
            return values[name]
        raise self._zenoo_missing(name)

    def _zenoo_convert(self) -> bool:
        try:
            keys = object.__getattribute__(self, "_zenoo_keys")
        except AttributeError:
            return False
        if not keys:
            return False
        values = self._zenoo_cache()
        raw = object.__getattribute__(self, "_zenoo_raw")
        schema: ModelSchema = object.__getattribute__(self, "_schema")
        fields, related = schema.fields, object.__getattribute__(self, "_related")
        for key, at in keys.items():
            if key in values:
                continue
            info = fields.get(key)
            value = raw[at]
            if info is not None:
                value = _convert(info, value, related)
                if info.is_relational:
                    _tag(value, (schema.model, key))
            values[key] = value
        _SET_KEYS(self, _EMPTY)
        _SET_RAW(self, ())
        return True

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if not self._zenoo_has_field(name):
            raise UnknownFieldError(self._zenoo_model_name(), name)
        self._zenoo_cache()[name] = value
        if name == "id":
            _SET_ID(self, value)
        self._zenoo_mark_dirty(name)

    def zenoo_load(self, name: str, value: Any) -> None:
        self._zenoo_cache()[name] = value

    def zenoo_get(self, name: str) -> Any:
        return self.__getattr__(name)

    def as_dict(self) -> dict[str, Any]:
        return {name: self.__getattr__(name) for name in self._zenoo_loaded()}

    @classmethod
    def ref_of(cls, schema: ModelSchema, record_id: int, display_name: str | None = None) -> DynamicRecord:
        values: dict[str, Any] = {"id": record_id}
        if display_name is not None:
            values["display_name"] = display_name
        return cls(schema, values)

    @classmethod
    def from_rows(cls, schema: ModelSchema, rows: list[Any], resolver: Any) -> list[Any]:
        """Records of ``rows`` (replaced in place); one schema per related model for the whole read (the
        resolver's, else a stub that knows only the model's name)."""
        related: dict[str, ModelSchema] = {}
        new = cls.__new__
        set_keys, set_raw, set_id = _SET_KEYS, _SET_RAW, _SET_ID
        set_schema, set_related = _SET_SCHEMA, _SET_RELATED
        for i, layout, values in _layouts(rows):
            rec = new(cls)
            set_schema(rec, schema)
            set_related(rec, related)
            set_keys(rec, layout)
            set_raw(rec, values)
            at = layout.get("id")
            if at is not None:
                set_id(rec, values[at])
            rows[i] = rec
        for info in schema.fields.values():
            if info.relation and info.is_relational:
                found = resolver(info.relation) if resolver else None
                related[info.relation] = found if found is not None else ModelSchema(info.relation, {})
        return rows


_SET_SCHEMA = DynamicRecord._schema.__set__  # type: ignore[attr-defined]
_SET_RELATED = DynamicRecord._related.__set__  # type: ignore[attr-defined]


def _convert(info: FieldInfo, raw: Any, related: Mapping[str, ModelSchema]) -> Any:
    """Wire value to Python for a dynamic record (generated classes write this out per field)."""
    t = info.type
    if t == "boolean":
        return bool(raw)
    if raw is False or raw is None:
        return [] if info.is_x2many else None
    if t == "many2one":
        target = related.get(info.relation or "") or ModelSchema(info.relation or "", {})
        if isinstance(raw, list):
            return DynamicRecord.ref_of(target, raw[0], raw[1] if len(raw) > 1 else None)
        return DynamicRecord.ref_of(target, raw, None)
    if info.is_x2many:
        target = related.get(info.relation or "") or ModelSchema(info.relation or "", {})
        return [DynamicRecord.ref_of(target, i, None) for i in raw]
    if t == "date":
        return parse_date(raw)
    if t == "datetime":
        return parse_datetime(raw)
    if t == "binary" and isinstance(raw, str) and not raw.endswith(("bytes", "Kb", "Mb", "Gb")):
        return base64.b64decode(raw)
    return raw
