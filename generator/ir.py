"""The intermediate representation: every naming and typing decision is made here, never in a template."""

from __future__ import annotations

import keyword
import re
from typing import Any

import attrs

from .snapshot import Snapshot

__all__ = ["RESERVED", "FieldIR", "MethodIR", "ModelIR", "build"]

#: attributes of every record class; a field with one of these names gets a trailing underscore
RESERVED = frozenset(
    {
        "F",
        "call",
        "delete",
        "from_odoo",
        "ref",
        "refresh",
        "save",
        "to_odoo",
        "zenoo_bind",
        "zenoo_changes",
        "zenoo_client",
        "zenoo_get",
        "zenoo_load",
        "zenoo_mark_clean",
        "zenoo_related",
        "self",
        "cls",
    }
)
#: the ORM's own methods: not generated as model-specific methods
ORM_METHODS = frozenset(
    {
        "create",
        "write",
        "unlink",
        "read",
        "search",
        "search_read",
        "search_count",
        "search_fetch",
        "name_search",
        "fields_get",
        "default_get",
        "read_group",
        "formatted_read_group",
        "web_search_read",
        "web_read",
        "copy",
        "exists",
        "has_access",
        "check_access_rights",
        "check_access",
        "name_create",
        "web_save",
        "onchange",
        "get_views",
        "load_views",
        "export_data",
        "load",
        "get_metadata",
        "toggle_active",
        "action_archive",
        "action_unarchive",
        "browse",
        "with_context",
        "with_company",
        "copy_data",
        "web_read_group",
        "name_get",
    }
)

#: Odoo type -> (Python type, expression class, converter)
_SCALAR = {
    "char": ("str", "StrExpr", "text"),
    "text": ("str", "StrExpr", "text"),
    "html": ("str", "StrExpr", "text"),
    "integer": ("int", "NumExpr", "integer"),
    "float": ("float", "NumExpr", "number"),
    # monetary: Odoo sends JSON numbers; a float keeps their exact value (Decimal would promise precision
    # the wire does not carry). Round with the currency's digits when displaying.
    "monetary": ("float", "NumExpr", "number"),
    "boolean": ("bool", "BoolExpr", "boolean"),
    "date": ("datetime.date", "DateExpr", "date"),
    "datetime": ("datetime.datetime", "DateExpr", "datetime"),
    "binary": ("bytes", "Expr", "binary"),
    "image": ("bytes", "Expr", "binary"),
    "reference": ("str", "StrExpr", "text"),
    "selection": ("str", "StrExpr", "text"),
    "many2one_reference": ("int", "NumExpr", "integer"),
    "json": ("Any", "Expr", "raw"),
    "properties": ("Any", "Expr", "raw"),
    "properties_definition": ("Any", "Expr", "raw"),
}
#: Python type -> what create/write take
_WRITE_TYPES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "datetime.date": "datetime.date | str",
    "datetime.datetime": "datetime.datetime | str",
    "bytes": "bytes | str",
    "Any": "Any",
}


@attrs.frozen
class FieldIR:
    name: str
    attr: str
    type: str
    #: the Python type of a value (a class name for relations; "BaseRecord" when the target has no class)
    value_type: str
    #: many2one and scalars other than booleans may be None; x2many values are lists of ``value_type``
    nullable: bool
    many: bool
    #: what create/write take (selection fields: the Literal of ``selection``); None when not writable
    write_type: str | None
    expr: str
    expr_is_model: bool
    #: the name of the ``convert`` function (many2one/x2many take the target model and the registry)
    converter: str
    label: str
    help: str
    readonly: bool
    required: bool
    store: bool
    related: bool
    relation: str | None
    selection: tuple[str, ...]
    #: (module, class, expressions class) of ``relation`` when the package has a class for it
    target: tuple[str, str, str] | None


@attrs.frozen
class MethodIR:
    name: str
    params: tuple[tuple[str, str], ...]  # (name, default source or "")
    on_records: bool


@attrs.frozen
class ModelIR:
    model: str
    class_name: str
    module: str
    description: str
    order: str
    fields: tuple[FieldIR, ...]
    methods: tuple[MethodIR, ...]
    fields_class: str
    values_class: str

    @property
    def writable(self) -> tuple[FieldIR, ...]:
        return tuple(f for f in self.fields if f.write_type is not None)

    @property
    def related(self) -> tuple[tuple[str, str, str], ...]:
        """(module, class, expressions class) of the other generated models this model's fields point to."""
        return tuple(sorted({f.target for f in self.fields if f.target and f.relation != self.model}))


def class_name(model: str) -> str:
    parts = re.split(r"[._]", model)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def module_name(model: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z_]", "_", model.replace(".", "_")).lower()
    return name if not name[:1].isdigit() else f"m_{name}"


def attr_name(field: str) -> str:
    """Python keywords and the record's own attributes get a trailing underscore: ``from`` -> ``from_``."""
    if keyword.iskeyword(field) or keyword.issoftkeyword(field) or field in RESERVED:
        return field + "_"
    return field


def _derived(names: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """model -> (fields class, values class): ``<Class>Fields``/``<Class>Values`` unless a model's class has
    that name (``ir.model`` vs ``ir.model.fields``), then ``<Class>FieldExprs``/``<Class>CreateValues``."""
    taken = {cls for cls, _ in names.values()}
    out = {}
    for model, (cls, _) in names.items():
        fields = f"{cls}Fields" if f"{cls}Fields" not in taken else f"{cls}FieldExprs"
        values = f"{cls}Values" if f"{cls}Values" not in taken else f"{cls}CreateValues"
        out[model] = (fields, values)
    return out


def _names(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """model -> (class name, module name); clashes are resolved in sorted model order with a number."""
    out: dict[str, tuple[str, str]] = {}
    used_classes: dict[str, int] = {}
    used_modules: set[str] = set()
    for model in sorted(snapshot.fields):
        cls, mod = class_name(model), module_name(model)
        n = used_classes.get(cls, 0)
        used_classes[cls] = n + 1
        if n:
            cls = f"{cls}{n + 1}"
        while mod in used_modules:
            mod += "_"
        used_modules.add(mod)
        out[model] = (cls, mod)
    return out


def _field(
    name: str, desc: dict[str, Any], names: dict[str, tuple[str, str]], derived: dict[str, tuple[str, str]]
) -> FieldIR:
    ftype = str(desc.get("type", "char"))
    relation = desc.get("relation") or None
    selection = (
        tuple(str(k) for k, _ in desc.get("selection") or [])
        if isinstance(desc.get("selection"), list)
        else ()
    )
    readonly = bool(desc.get("readonly"))
    found = names.get(relation or "")
    target = (found[1], found[0], derived[relation or ""][0]) if found else None
    many = False
    if ftype in ("many2one", "one2many", "many2many"):
        many = ftype != "many2one"
        value_type = target[1] if target else "BaseRecord"
        write: str | None = "list[Any]" if many else "int"
        expr, is_model = (target[2], True) if target else ("RelExpr", False)
        converter = "x2many" if many else "many2one"
        nullable = not many
    elif ftype == "selection" and selection:
        value_type, write, nullable = "str", "Literal", True
        expr, is_model, converter = "StrExpr", False, "text"
    else:
        value_type, expr, converter = _SCALAR.get(ftype, ("Any", "Expr", "raw"))
        is_model = False
        nullable = ftype != "boolean"
        write = _WRITE_TYPES[value_type]
    store = bool(desc.get("store", True))
    if readonly or (not store and not many):
        write = None
    return FieldIR(
        name=name,
        attr=attr_name(name),
        type=ftype,
        value_type=value_type,
        nullable=nullable,
        many=many,
        write_type=write,
        expr=expr,
        expr_is_model=is_model,
        converter=converter,
        label=str(desc.get("string") or name),
        help=" ".join(str(desc.get("help") or "").split()),
        readonly=readonly,
        required=bool(desc.get("required")),
        store=store,
        related=bool(desc.get("related")),
        relation=relation,
        selection=selection,
        target=target,
    )


def _method(name: str, spec: dict[str, Any]) -> MethodIR | None:
    if name.startswith("_") or name in ORM_METHODS or not name.isidentifier() or keyword.iskeyword(name):
        return None
    params = []
    for p in spec.get("parameters", []):
        pname = str(p.get("name", ""))
        if (
            pname in ("self", "cls")
            or p.get("kind") in ("VAR_POSITIONAL", "VAR_KEYWORD")
            or not pname.isidentifier()
        ):
            continue
        default = p.get("default")
        params.append(
            (
                attr_name(pname),
                "" if default is None else (default if isinstance(default, str) else repr(default)),
            )
        )
    api = spec.get("api") or []
    return MethodIR(name, tuple(params), "model" not in api)


def build(snapshot: Snapshot) -> list[ModelIR]:
    names = _names(snapshot)
    derived = _derived(names)
    out = []
    for model in sorted(snapshot.fields):
        cls, mod = names[model]
        fields = tuple(
            _field(n, d, names, derived) for n, d in sorted(snapshot.fields[model].items()) if n != "id"
        )
        methods = tuple(
            m
            for m in (_method(n, s) for n, s in sorted(snapshot.methods.get(model, {}).items()))
            if m is not None
        )
        row = snapshot.models.get(model, {})
        out.append(
            ModelIR(
                model=model,
                class_name=cls,
                module=mod,
                description=str(row.get("name") or model),
                order=str(row.get("order") or "id"),
                fields=fields,
                methods=methods,
                fields_class=derived[model][0],
                values_class=derived[model][1],
            )
        )
    return out
