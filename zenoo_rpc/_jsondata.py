"""JSON data files that may be stored gzip-compressed: ``name.json`` or ``name.json.gz``, read the same way.

The emulator's bundled database and the generator's snapshot folders (laid out like ``odoo_data/<version>``)
keep their files compressed; a folder written by hand with plain ``.json`` files reads just as well.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

__all__ = ["json_files", "json_path", "read_json"]


def json_path(path: Path) -> Path | None:
    """The file that holds ``path`` (a ``.json`` name): itself, else its ``.gz`` sibling, else None."""
    if path.exists():
        return path
    packed = path.with_name(path.name + ".gz")
    return packed if packed.exists() else None


def read_json(path: Path) -> Any:
    """The parsed content of ``path`` (``x.json`` or ``x.json.gz``; for ``x.json``, its ``.gz`` sibling when
    only that exists); FileNotFoundError names the plain path when neither exists."""
    found = path if path.name.endswith(".gz") else json_path(path)
    if found is None:
        raise FileNotFoundError(2, "No such file or directory", str(path))
    raw = found.read_bytes()
    if found.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return json.loads(raw)


def json_files(folder: Path) -> dict[str, Path]:
    """``stem -> file`` for every ``*.json`` and ``*.json.gz`` of ``folder`` (a plain file wins), sorted by
    stem; an empty answer when the folder does not exist."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        if path.name.endswith(".json.gz"):
            found.setdefault(path.name[: -len(".json.gz")], path)
        elif path.name.endswith(".json"):
            found[path.name[: -len(".json")]] = path
    return dict(sorted(found.items()))
