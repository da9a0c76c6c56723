"""The emulator's database: schemas, records and sequences of one Odoo version, in memory."""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .._jsondata import json_files, read_json

__all__ = ["DATA_DIR", "VERSIONS", "Database", "Row", "Rows", "Table"]


class _Journal(threading.local):
    """The undo journal of the call being executed on this thread (each emulator serves from its own
    thread, one call at a time): ``entries`` is None outside a call."""

    entries: list[Any] | None = None
    saved: set[int]

    def __init__(self) -> None:
        self.saved = set()


_journal = _Journal()
_MISSING = object()


def _save(row: Row) -> None:
    """Keep a row's values as they were before its first change in this call."""
    entries = _journal.entries
    if entries is not None and id(row) not in _journal.saved:
        _journal.saved.add(id(row))
        entries.append((row, dict(row)))


class Row(dict):  # type: ignore[type-arg]
    """A record's values; its first change in a transaction saves a copy for rollback."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        _save(self)
        dict.__setitem__(self, key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        _save(self)
        dict.update(self, *args, **kwargs)


class Rows(dict):  # type: ignore[type-arg]
    """A table's records by id; inserts and removals are journaled, values are kept as :class:`Row`."""

    __slots__ = ()

    def __setitem__(self, key: int, value: dict[str, Any]) -> None:
        row = value if isinstance(value, Row) else Row(value)
        if _journal.entries is not None:
            previous = dict.get(self, key, _MISSING)
            _journal.entries.append((self, key, previous))
            if previous is _MISSING:  # a new row: undoing its insertion is enough, its values need no copy
                _journal.saved.add(id(row))
        dict.__setitem__(self, key, row)

    def pop(self, key: int, *default: Any) -> Any:
        if _journal.entries is not None and key in self:
            _journal.entries.append((self, key, dict.__getitem__(self, key)))
        return dict.pop(self, key, *default)


DATA_DIR = Path(__file__).parent / "odoo_data"
VERSIONS = ("17.0", "18.0", "19.0")


def _bump(table: Table) -> None:
    """A new version of the table's records: caches keyed on it are stale."""
    table._version = getattr(table, "_version", 0) + 1  # type: ignore[attr-defined]


class Table:
    """Rows of one model keyed by id; many2one values are stored as ``int`` or ``False``.

    A table of the bundled database reads its schema and its records from their files when first used
    (``fields``, ``rows``, ``next_id``), so that an emulator starts without parsing models nobody calls."""

    def __init__(
        self,
        model: str,
        fields: dict[str, dict[str, Any]] | None,
        order: str,
        *,
        schema_file: Path | None = None,
        data_file: Path | None = None,
        loaded: Callable[[Table, list[dict[str, Any]]], None] | None = None,
        lock: threading.RLock | None = None,
    ) -> None:
        self.model = model
        self.order = order or "id"
        self._fields = fields
        self._schema_file = schema_file
        self._data_file = data_file
        self._loaded = loaded
        self._lock = lock or threading.RLock()  # the database's: a test thread may read while the server does
        self._rows: Rows | None = None
        self._next_id = 1
        if data_file is None:
            self.unload()

    @property
    def fields(self) -> dict[str, dict[str, Any]]:
        if self._fields is None:
            assert self._schema_file is not None
            self._fields = read_json(self._schema_file)
        return self._fields

    @fields.setter
    def fields(self, value: dict[str, dict[str, Any]]) -> None:
        self._fields = value

    @property
    def is_loaded(self) -> bool:
        """Whether the records are in memory (a table not yet used has not read its file)."""
        return self._rows is not None

    @property
    def rows(self) -> Rows:
        if self._rows is None:
            self._load()
            assert self._rows is not None
        return self._rows

    @rows.setter
    def rows(self, value: Rows) -> None:
        self._rows = value

    @property
    def next_id(self) -> int:
        if self._rows is None:
            self._load()
        return self._next_id

    @next_id.setter
    def next_id(self, value: int) -> None:
        if self._rows is None:
            self._load()
        self._next_id = value

    def unload(self) -> None:
        """Back to the records of the file (read again when next used); a table without one empties."""
        if self._data_file is None:
            self._rows = Rows()
            self._next_id = 1
            if self._loaded is not None:
                self._loaded(self, [])
        else:
            self._rows = None
        _bump(self)

    def _load(self) -> None:
        with self._lock:
            if self._rows is None:
                self._read()

    def _read(self) -> None:
        assert self._data_file is not None
        payload = read_json(self._data_file)
        if payload.get("model") != self.model:
            raise ValueError(
                f"{self._data_file} holds records of {payload.get('model')!r}, not of {self.model!r}"
            )
        rows = Rows()
        fields = self.fields
        for rec in payload["records"]:
            row = Row()
            for name, value in rec.items():
                field = fields.get(name)
                if field is not None and field["type"] == "many2one" and isinstance(value, list):
                    value = value[0]
                dict.__setitem__(row, name, value)
            dict.__setitem__(rows, rec["id"], row)
        self._rows = rows
        self._next_id = max(rows, default=0) + 1
        if self._loaded is not None:
            self._loaded(self, payload["records"])
        _bump(self)

    def field_type(self, name: str) -> str | None:
        if name == "id":
            return "integer"
        f = self.fields.get(name)
        return f["type"] if f else None


class Database:
    """The recorded data set of an Odoo version (``DATA_DIR/<version>`` unless ``data_dir`` is given), or,
    made by :meth:`from_snapshot`, a schema with records from elsewhere."""

    def __init__(self, version: str, data_dir: Path | None = None) -> None:
        if version not in VERSIONS and data_dir is None:
            raise ValueError(f"unknown Odoo version {version!r}: use one of {', '.join(VERSIONS)}")
        self.version = version
        self.major = int(version.split(".")[0])
        root = (data_dir or DATA_DIR) / version if data_dir is None else data_dir
        self.root = root
        self.lock = threading.RLock()
        self.version_info = read_json(root / "version.json")
        self.models: dict[str, dict[str, Any]] = {m["model"]: m for m in read_json(root / "models.json")}
        #: display names of records whose model has no table (many2one targets outside the data set)
        self.foreign_names: dict[tuple[str, int], str] = {}
        self.session_info: dict[str, Any] = {}
        info_path = root / "session_info.json"
        if info_path.exists():
            self.session_info = json.loads(info_path.read_text())
        #: where the recorded database's id sequences stood (deleted demo rows used ids)
        self.sequences: dict[str, int] = {}
        seq_path = root / "sequences.json"
        if seq_path.exists():
            self.sequences = {m: int(n) for m, n in json.loads(seq_path.read_text()).items()}
        # every model with a schema file is a table; its records are read when the table is first used
        data_files = json_files(root / "data")
        self.tables: dict[str, Table] = {}
        for model, schema_file in json_files(root / "schema").items():
            self.tables[model] = Table(
                model,
                None,
                self.models.get(model, {}).get("order", "id"),
                schema_file=schema_file,
                data_file=data_files.get(model),
                loaded=self._loaded,
                lock=self.lock,
            )
        unknown = sorted(set(data_files) - set(self.tables))
        if unknown:
            raise ValueError(f"{root}: records of {', '.join(unknown)} without a schema file in schema/")
        self._load_ir_model()

    def _loaded(self, table: Table, records: list[dict[str, Any]]) -> None:
        """A table has read its file: the names its many2one values carry, its id sequence."""
        for name, field in table.fields.items() if records else ():
            if field["type"] != "many2one":
                continue
            relation = field.get("relation", "")
            for rec in records:
                value = rec.get(name)
                if isinstance(value, list):
                    self.foreign_names.setdefault((relation, value[0]), value[1])
        if table.model in self.sequences:
            table.next_id = max(table.next_id, self.sequences[table.model])

    def load_all(self) -> None:
        """Read every table's records now (what a table read lazily does on its first use)."""
        for table in self.tables.values():
            table.rows  # noqa: B018 - the property reads the file

    @classmethod
    def from_snapshot(cls, path: Path, fill: Callable[[Database], None]) -> Database:
        """A database shaped like the user's own Odoo: the schema of a ``zenoo-gen --dump-schema`` snapshot,
        its records put in by ``fill`` (the emulator's, ``_generate.fill_from_schema``, makes them up and adds
        users admin/admin and demo/demo), then ``ir.model`` from the snapshot's models."""
        db = cls.__new__(cls)
        db._init_from_snapshot(path, fill)
        return db

    def _init_from_snapshot(self, path: Path, fill: Callable[[Database], None]) -> None:
        payload = json.loads(path.read_text())
        self.version_info = {"protocol_version": 1, **payload["version"]}
        self.version = str(self.version_info.get("server_serie") or self.version_info.get("server_version"))
        self.major = int(self.version.split(".")[0])
        self.root = path.parent
        self.lock = threading.RLock()
        self.models = {}
        for i, (model, row) in enumerate(sorted(payload["models"].items()), 1):
            self.models[model] = {"id": i, "model": model, **row}
        self.tables = {
            model: Table(model, fields, str(payload["models"].get(model, {}).get("order") or "id"))
            for model, fields in payload["fields"].items()
        }
        self.foreign_names = {}
        self.session_info = {}
        self.sequences = {}
        fill(self)
        if "ir.model" not in self.tables:  # the registry's own table, so that introspection works
            fields = {
                name: {"type": "boolean" if name == "transient" else "char", "string": name.title()}
                for name in ("model", "name", "order", "modules", "transient")
            }
            self.tables["ir.model"] = Table("ir.model", fields, "model")
        self._load_ir_model()

    def _load_ir_model(self) -> None:
        """``ir.model`` answers from models.json, as Odoo's own registry table does."""
        table = self.tables.get("ir.model")
        if table is None:
            return
        table.rows.clear()
        for row in self.models.values():
            rec = {k: v for k, v in row.items() if k in table.fields or k == "id"}
            rec["display_name"] = row.get("name", row["model"])
            table.rows[row["id"]] = rec
        table.next_id = max(table.rows, default=0) + 1

    def table(self, model: str) -> Table | None:
        return self.tables.get(model)

    def display_name(self, model: str, record_id: int) -> str:
        table = self.tables.get(model)
        if table is not None and record_id in table.rows:
            name = table.rows[record_id].get("display_name")
            if isinstance(name, str):
                return name
        name = self.foreign_names.get((model, record_id))
        if name is None and any(not t.is_loaded for t in self.tables.values()):
            self.load_all()  # a value written by a call: the name may be in a table not read yet
            name = self.foreign_names.get((model, record_id))
        return name if name is not None else f"{model},{record_id}"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One RPC call: on any error every change is undone (ids taken stay taken, like a sequence)."""
        with self.lock:
            if _journal.entries is not None:  # already inside a call
                yield
                return
            journal: list[Any] = []
            _journal.entries = journal
            _journal.saved.clear()
            try:
                yield
            except BaseException:
                _journal.entries = None
                for entry in reversed(journal):
                    if len(entry) == 2:
                        row, saved = entry
                        dict.clear(row)
                        dict.update(row, saved)
                    else:
                        rows, key, previous = entry
                        if previous is _MISSING:
                            dict.pop(rows, key, None)
                        else:
                            dict.__setitem__(rows, key, previous)
                for table in self.tables.values():
                    _bump(table)
                raise
            finally:
                _journal.entries = None
                _journal.saved.clear()

    def snapshot(self) -> dict[str, tuple[int, dict[int, dict[str, Any]]] | None]:
        """The state of every table, for :meth:`restore`: None for a table that has not read its file yet."""
        with self.lock:
            return {
                m: (t.next_id, copy.deepcopy(t.rows)) if t.is_loaded else None for m, t in self.tables.items()
            }

    def restore(self, snap: dict[str, tuple[int, dict[int, dict[str, Any]]] | None]) -> None:
        with self.lock:
            for m, state in snap.items():
                table = self.tables[m]
                if state is None:
                    table.unload()
                    continue
                next_id, rows = state
                table.rows = Rows((k, Row(v)) for k, v in copy.deepcopy(rows).items())
                table.next_id = next_id
                _bump(table)
