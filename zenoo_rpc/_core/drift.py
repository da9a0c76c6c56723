"""Schema drift: generated classes that declare fields a server does not have (another Odoo version, other
modules, a module installed or removed since the classes were generated).

The truth about a server is its ``fields_get``, kept per client and model in ``Connection.schemas`` (the
same cache dynamic records use). Once a model's server fields are known, a typed query reads only the
fields both the class and the server have, refuses before sending a write, filter or order on a field the
server lacks, and a record answers a read of such a field with :class:`FieldNotOnServerError`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import FieldNotOnServerError, OdooError, SchemaDriftWarning, ZenooError
from .warn import warn

if TYPE_CHECKING:
    from .connection import Connection

__all__ = [
    "check_paths",
    "check_values",
    "domain_paths",
    "invalid_field",
    "lacking",
    "not_on_server",
    "readable_fields",
    "refusal_for",
    "server_label",
]

_log = logging.getLogger("zenoo_rpc")
_log.addHandler(logging.NullHandler())  # a library's logger: silent unless the application configures logging


def server_label(conn: Connection) -> str:
    """``http://host:8069 (Odoo 17.0)``; the version only when the client has asked for it."""
    version = (conn.server_version or {}).get("server_version")
    return f"{conn.base_url} (Odoo {version})" if version else conn.base_url


def lacking(conn: Connection, model: str, cls: Any) -> frozenset[str]:
    """The fields ``cls`` declares that the server lacks, empty while the server's fields are unknown.
    The first time a model shows any, the client warns (once per model and class) and remembers that this
    server drifts from its classes."""
    server = conn.schemas.get(model)
    if server is None or cls is None:
        return frozenset()
    key = (model, cls)
    known = conn.drift.missing.get(key)
    if known is not None:
        return known
    found = frozenset(n for n in cls.__zenoo_schema__.fields if n != "id" and n not in server.fields)
    if conn.drift.missing.setdefault(key, found) is found and found:  # setdefault: one warning per key
        conn.drift.seen = True
        message = (
            f"{model}: the server {server_label(conn)} lacks {len(found)} field(s) that "
            f"{cls.__qualname__} declares, which are not read: {', '.join(sorted(found))}"
        )
        _log.warning("%s", message)
        warn(message, SchemaDriftWarning)
    return found


def readable_fields(conn: Connection, model: str, cls: Any, fields: list[str]) -> list[str]:
    """``fields`` without those the server lacks (the same list when it lacks none)."""
    missing = lacking(conn, model, cls)
    if not missing or not missing.intersection(fields):
        return fields
    # an empty field list would make Odoo read every field: ask for the id alone instead
    return [f for f in fields if f not in missing] or ["id"]


def _refusal(conn: Connection, model: str, field: str, action: str) -> FieldNotOnServerError:
    return FieldNotOnServerError(
        model,
        field,
        server_label(conn),
        f"the record class declares it but this server's fields_get does not have it, so {action}",
    )


def not_on_server(conn: Connection, model: str, cls: Any, field: str) -> FieldNotOnServerError | None:
    """The error for reading ``field`` on a record of ``cls`` when the server lacks it, else None."""
    if field in lacking(conn, model, cls):
        return _refusal(conn, model, field, "it was not read (regenerate the classes against this server)")
    return None


def domain_paths(domain: Iterable[Any], order: Iterable[str] = ()) -> list[str]:
    """The field paths (``partner_id.country_id.code``) that a domain's top-level leaves and order keys name."""
    paths = [
        item[0]
        for item in domain
        if isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[0], str)
    ]
    paths.extend(key.split()[0] for key in order if key.strip())
    return paths


def check_paths(conn: Connection, model: str, family: Any, paths: Iterable[str]) -> None:
    """Refuse, before sending, a filter, order or grouping on a field the server is known to lack. Each
    path is walked through the family's classes; a model whose server fields are unknown is left to Odoo."""
    for path in paths:
        current = model
        for part in path.split(":")[0].split("."):
            cls = family.zenoo_related(current)
            if cls is None:
                break
            if part in lacking(conn, current, cls):
                raise _refusal(
                    conn, current, part, "a query cannot filter, order or group on it (nothing was read)"
                )
            info = cls.__zenoo_schema__.get(part)
            if info is None or not info.relation:
                break
            current = info.relation


def check_values(conn: Connection, model: str, cls: Any, vals_list: Iterable[Mapping[str, Any]]) -> None:
    """Refuse, before sending, a create or write of a field the server is known to lack."""
    missing = lacking(conn, model, cls)
    if not missing:
        return
    for vals in vals_list:
        for name in vals:
            if name in missing:
                raise _refusal(conn, model, name, "it cannot be written (nothing was sent)")


# Odoo's invalid-field answers (odoo/models.py, odoo/osv/expression.py, odoo/orm/domains.py):
#   fields list, order, create/write:  Invalid field 'f' on model 'm'  (19: "on 'm'", "in 'm'")
#   domain:                            Invalid field m.f in leaf (...)  (19: "in condition (...)")
_QUOTED = re.compile(r"Invalid field '(?P<field>[^']+)' (?:on model|on|in) '(?P<model>[^']+)'")
_DOTTED = re.compile(r"Invalid field (?P<model>[\w.]+)\.(?P<field>\w+) in (?:leaf|condition)\b")


def invalid_field(error: ZenooError) -> tuple[str, str] | None:
    """``(model, field)`` when ``error`` is Odoo's refusal of a field name, else None."""
    if not isinstance(error, OdooError):
        return None
    for pattern in (_QUOTED, _DOTTED):
        found = pattern.search(error.message)
        if found is not None:
            return found["model"], found["field"]
    return None


def refusal_for(
    conn: Connection, family: Any, error: ZenooError, action: str
) -> FieldNotOnServerError | None:
    """The clear error for Odoo's invalid-field answer once the server's fields are known, else None."""
    found = invalid_field(error)
    if found is None:
        return None
    model, field = found
    cls = family.zenoo_related(model) if family is not None else None
    if field in lacking(conn, model, cls):
        return _refusal(conn, model, field, action)
    return None
