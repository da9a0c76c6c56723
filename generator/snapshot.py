"""Schema snapshots: what the generator reads, from a live Odoo or from saved files, and their hash."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs

from zenoo_rpc._jsondata import json_files, json_path, read_json

__all__ = ["FIELD_ATTRIBUTES", "Snapshot", "SnapshotError", "introspect", "load"]

#: The fields_get attributes the generator uses (asking for all of them can fault on some 19.0 fields).
FIELD_ATTRIBUTES = [
    "help",
    "readonly",
    "related",
    "relation",
    "relation_field",
    "required",
    "selection",
    "store",
    "string",
    "type",
]


class SnapshotError(Exception):
    """A saved schema that cannot be read (the message names the file and what is wrong with it)."""


@attrs.define
class Snapshot:
    version: dict[str, Any]
    models: dict[str, dict[str, Any]]  # model -> ir.model row (name, order, modules, transient)
    fields: dict[str, dict[str, dict[str, Any]]]  # model -> fields_get with FIELD_ATTRIBUTES
    methods: dict[str, dict[str, Any]] = attrs.field(factory=dict)  # model -> /doc-bearer methods

    def normalized(self) -> Snapshot:
        """Only what the generator reads, so that a live run and a saved schema hash the same."""
        fields = {}
        for model, fg in self.fields.items():
            clean = {}
            for name, desc in fg.items():
                if name.startswith("__"):
                    continue
                clean[name] = {
                    k: desc[k] for k in FIELD_ATTRIBUTES if k in desc and desc[k] not in (None, "")
                }
            if set(clean) - {"display_name", "id"}:
                fields[model] = clean
        models = {
            m: {k: row.get(k) for k in ("name", "order", "modules", "transient")}
            for m, row in self.models.items()
            if m in fields
        }
        version = {k: self.version.get(k) for k in ("server_serie", "server_version", "server_version_info")}
        methods = {m: v for m, v in self.methods.items() if m in fields}
        return Snapshot(version, dict(sorted(models.items())), dict(sorted(fields.items())), methods)

    def to_json(self) -> str:
        payload = {
            "version": self.version,
            "models": self.models,
            "fields": self.fields,
            "methods": self.methods,
        }
        return json.dumps(payload, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def sha256(self) -> str:
        return hashlib.sha256(self.normalized().to_json().encode()).hexdigest()

    def select(self, patterns: Iterable[str] | None, modules: Iterable[str] | None) -> Snapshot:
        pats = [p.strip() for p in patterns or [] if p.strip()]
        mods = {m.strip() for m in modules or [] if m.strip()}

        def keep(model: str) -> bool:
            if pats and not any(fnmatch.fnmatchcase(model, p) for p in pats):
                return False
            if mods:
                owned = {x.strip() for x in str(self.models.get(model, {}).get("modules") or "").split(",")}
                return bool(owned & mods)
            return True

        chosen = [m for m in self.fields if keep(m)]
        return Snapshot(
            self.version,
            {m: self.models.get(m, {}) for m in chosen},
            {m: self.fields[m] for m in chosen},
            {m: self.methods[m] for m in chosen if m in self.methods},
        )


def load(path: Path) -> Snapshot:
    """A snapshot from ``--dump-schema`` output, or from a folder laid out like ``shared/odoo/<version>``;
    :class:`SnapshotError` when it is neither."""
    try:
        return _load(path)
    except SnapshotError:
        raise
    except OSError as exc:
        raise SnapshotError(f"cannot read the schema {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path} is not a zenoo-gen schema snapshot (not JSON: {exc})") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise SnapshotError(
            f"{path} is not a zenoo-gen schema snapshot ({detail}); save one with zenoo-gen --dump-schema"
        ) from None


def _load(path: Path) -> Snapshot:
    if path.is_dir():
        if json_path(path / "version.json") is None or not (path / "schema").is_dir():
            raise SnapshotError(
                f"{path} is a folder without version.json and schema/: give a --dump-schema file or a folder "
                "laid out like zenoo_rpc/testing/odoo_data/<version>"
            )
        version = read_json(path / "version.json")
        rows = read_json(path / "models.json")
        models = {r["model"]: r for r in rows if not r.get("transient")}
        fields = {}
        for model, schema in json_files(path / "schema").items():  # plain or gzip-compressed JSON
            if model in models:
                fields[model] = read_json(schema)
        return Snapshot(version, models, fields).normalized()
    payload = json.loads(path.read_text())
    if not isinstance(payload, dict):
        raise SnapshotError(f"{path} is not a zenoo-gen schema snapshot (a JSON object was expected)")
    return Snapshot(
        payload["version"], payload["models"], payload["fields"], payload.get("methods", {})
    ).normalized()


def introspect(
    client: Any,
    *,
    api_key: str | None = None,
    progress: Callable[[Iterable[str]], Any] | None = None,
    patterns: Iterable[str] | None = None,
    modules: Iterable[str] | None = None,
) -> Snapshot:
    """Read a live Odoo through a logged-in ``SyncZenooClient``: ir.model, then fields_get per model."""
    version = client.version()
    rows = client.execute_kw(
        "ir.model",
        "search_read",
        [[["transient", "=", False]]],
        {"fields": ["model", "name", "order", "modules", "transient"], "order": "model"},
    )
    models = {r["model"]: r for r in rows}
    chosen = Snapshot(version, models, {m: {} for m in models}).select(patterns, modules)
    names = sorted(chosen.models)
    fields: dict[str, dict[str, Any]] = {}
    iterator: Iterable[str] = progress(names) if progress else names
    for model in iterator:
        try:
            fields[model] = client.execute_kw(model, "fields_get", [], {"attributes": FIELD_ATTRIBUTES})
        except Exception:  # a model the user cannot read: leave it out
            continue
    methods: dict[str, dict[str, Any]] = {}
    major = int((version.get("server_version_info") or [0])[0])
    if api_key and major >= 19:
        methods = _doc_bearer_methods(client.base_url, client.db, api_key, list(fields))
    return Snapshot(version, models, fields, methods).normalized()


def _doc_bearer_methods(base_url: str, db: str, api_key: str, models: list[str]) -> dict[str, dict[str, Any]]:
    """Odoo 19's /doc-bearer/<model>.json method signatures; an empty answer when the user may not read
    them (403 without the documentation group) or the server does not have the route."""
    import requests

    out: dict[str, dict[str, Any]] = {}
    with requests.Session() as http:
        http.headers.update({"Authorization": f"bearer {api_key}", "X-Odoo-Database": db})
        for model in models:
            try:
                resp = http.get(f"{base_url}/doc-bearer/{model}.json", timeout=30)
            except requests.RequestException:
                return {}
            if resp.status_code in (401, 403, 404):
                return {}
            if resp.ok:
                methods = resp.json().get("methods") or {}
                out[model] = {
                    name: {"parameters": spec.get("parameters", []), "api": spec.get("api", [])}
                    for name, spec in methods.items()
                }
    return out
