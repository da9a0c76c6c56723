"""The emulator's database: every recorded model, compressed, discovered from its files, read when first used;
the import tool that brings the recordings into the repository."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from zenoo_rpc import SyncZenooClient
from zenoo_rpc import exceptions as exc
from zenoo_rpc._jsondata import json_files, read_json
from zenoo_rpc.testing import OdooEmulator
from zenoo_rpc.testing._store import DATA_DIR, Database

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ("17.0", "18.0", "19.0")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_odoo_data", ROOT / "tools" / "import_odoo_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _client(odoo: OdooEmulator) -> SyncZenooClient:
    client = SyncZenooClient(odoo.url)
    client.login("demo", "admin", "admin")
    return client


@pytest.mark.parametrize("version", VERSIONS)
def test_every_recorded_model_is_a_table(version: str) -> None:
    db = Database(version)
    schemas = json_files(DATA_DIR / version / "schema")
    assert len(schemas) == (61 if version == "19.0" else 62)
    assert set(schemas) <= set(db.tables)
    assert all(p.name.endswith(".json.gz") for p in schemas.values())  # the package's data is compressed
    with_records = [m for m in json_files(DATA_DIR / version / "data") if db.tables[m].rows]
    assert {"account.move", "purchase.order", "crm.stage", "res.groups", "stock.quant"} <= set(with_records)


@pytest.mark.parametrize("version", VERSIONS)
def test_relational_values_resolve(version: str) -> None:
    """Every many2one of every data file names a record of its target (with that record's display name),
    every x2many id is a record of its target, where the target has recorded data."""
    db = Database(version)
    db.load_all()
    recorded = {m for m in json_files(DATA_DIR / version / "data")}
    missing: list[tuple[str, str, int]] = []
    names: set[tuple[str, str]] = set()
    checked = 0
    for model in sorted(recorded):
        for rec in read_json(DATA_DIR / version / "data" / f"{model}.json")["records"]:
            for name, value in rec.items():
                field = db.tables[model].fields.get(name, {})
                target = field.get("relation")
                if target not in recorded or not value:
                    continue
                rows = db.tables[target].rows
                if field["type"] == "many2one":
                    checked += 1
                    if value[0] not in rows:
                        missing.append((model, name, value[0]))
                    elif rows[value[0]]["display_name"] != value[1]:
                        names.add((model, name))
                elif field["type"] in ("one2many", "many2many"):
                    checked += len(value)
                    missing.extend((model, name, i) for i in value if i not in rows)
    assert checked > 2000 and missing == []
    # the one known difference: hr.version records are named after a date of the database they come from
    assert names == ({("hr.employee", "current_version_id")} if version == "19.0" else set())


def test_models_a_version_does_not_have() -> None:
    with OdooEmulator("17.0") as odoo17, OdooEmulator("19.0") as odoo19:
        old, new = _client(odoo17), _client(odoo19)
        assert old.execute_kw("res.partner.title", "search_count", [[]]) > 0
        assert old.execute_kw("uom.category", "search_count", [[]]) > 0
        assert new.execute_kw("hr.version", "search_count", [[]]) > 0
        for model in ("res.partner.title", "uom.category"):
            with pytest.raises(exc.UnknownModelError, match=model):
                new.execute_kw(model, "search_count", [[]])
        with pytest.raises(exc.UnknownModelError, match=r"hr\.version"):
            old.execute_kw("hr.version", "search_count", [[]])
        old.close()
        new.close()


def test_a_dotted_path_through_a_newly_loaded_model() -> None:
    with OdooEmulator("18.0") as odoo:
        client = _client(odoo)
        won = client.execute_kw("crm.lead", "search_count", [[["stage_id.is_won", "=", True]]])
        stages = client.execute_kw("crm.stage", "search_read", [[["is_won", "=", True]]], {"fields": ["id"]})
        by_stage = client.execute_kw(
            "crm.lead", "search_count", [[["stage_id", "in", [s["id"] for s in stages]]]]
        )
        assert stages and won == by_stage
        client.close()


def test_tables_are_read_when_first_used_and_reset_unread() -> None:
    with OdooEmulator("19.0") as odoo:
        tables = odoo.db.tables
        assert not tables["purchase.order"].is_loaded and not tables["account.move"].is_loaded
        client = _client(odoo)
        names = client.execute_kw(
            "purchase.order", "search_read", [[]], {"fields": ["name"], "limit": 1, "order": "id"}
        )
        assert names == [{"id": 1, "name": "P00001"}]
        assert tables["purchase.order"].is_loaded and not tables["account.move"].is_loaded
        client.execute_kw("purchase.order", "write", [[1], {"origin": "changed"}])
        tag = client.execute_kw("crm.tag", "create", [{"name": "Emulated"}])
        odoo.reset_data()
        assert not tables["purchase.order"].is_loaded and not tables["crm.tag"].is_loaded
        assert client.execute_kw("purchase.order", "read", [[1], ["origin"]])[0]["origin"] is False
        assert client.execute_kw("crm.tag", "search_count", [[["id", "=", tag]]]) == 0
        assert client.execute_kw("crm.tag", "create", [{"name": "Again"}]) == tag  # ids as after a restore
        client.close()


def _fake_source(where: Path) -> Path:
    """A source laid out like the recordings: 17.0's real files, and one model no code knows about."""
    src = where / "source" / "17.0"
    (src / "schema").mkdir(parents=True)
    (src / "data").mkdir()
    (src / "corpus").mkdir()
    for name in ("version.json", "installed_modules.json"):
        (src / name).write_text(json.dumps(read_json(DATA_DIR / "17.0" / name)))
    models = read_json(DATA_DIR / "17.0" / "models.json")
    models.append(
        {"id": 9999, "model": "x.gadget", "name": "Gadget", "order": "sequence, id", "transient": False}
    )
    (src / "models.json").write_text(json.dumps(models))
    for model in ("res.partner", "res.users", "ir.model"):
        (src / "schema" / f"{model}.json").write_text(
            json.dumps(read_json(DATA_DIR / "17.0/schema" / f"{model}.json"))
        )
    for model in ("res.partner", "res.users"):
        (src / "data" / f"{model}.json").write_text(
            json.dumps(read_json(DATA_DIR / "17.0/data" / f"{model}.json"))
        )
    fields: dict[str, Any] = {
        "name": {"type": "char", "string": "Name", "store": True},
        "sequence": {"type": "integer", "string": "Sequence", "store": True},
        "owner_id": {"type": "many2one", "relation": "res.partner", "string": "Owner", "store": True},
        "display_name": {"type": "char", "string": "Display Name", "store": False},
    }
    (src / "schema" / "x.gadget.json").write_text(json.dumps(fields))
    records = [
        {
            "id": 1,
            "name": "Second",
            "sequence": 2,
            "owner_id": [3, "YourCompany, Mitchell Admin"],
            "display_name": "Second",
        },
        {"id": 2, "name": "First", "sequence": 1, "owner_id": False, "display_name": "First"},
    ]
    (src / "data" / "x.gadget.json").write_text(json.dumps({"model": "x.gadget", "records": records}))
    (src / "errors.json").write_text(json.dumps([{"label": "a case"}]))
    return where / "source"


def test_a_new_model_in_the_recordings_needs_no_code(tmp_path: Path) -> None:
    tool = _tool()
    source = _fake_source(tmp_path)
    package, corpus = tmp_path / "odoo_data", tmp_path / "corpus"
    (package / "17.0" / "data").mkdir(parents=True)
    (package / "17.0" / "data" / "gone.model.json.gz").write_bytes(b"")  # a model the source no longer has
    (package / "17.0" / "sequences.json").write_text("{}")  # the emulator's own file: left alone
    first = tool.run(source, package=package, corpus=corpus)
    assert "not in the source: " + str(package / "17.0/data/gone.model.json.gz") in first
    assert (
        not (package / "17.0/data/gone.model.json.gz").exists() and (package / "17.0/sequences.json").exists()
    )
    assert read_json(corpus / "17.0" / "errors.json.gz") == [{"label": "a case"}]
    before = {p: p.read_bytes() for p in package.rglob("*.gz")}
    assert tool.run(source, check=True, package=package, corpus=corpus) == []  # deterministic: nothing to do
    assert tool.run(source, package=package, corpus=corpus) == []
    assert {p: p.read_bytes() for p in package.rglob("*.gz")} == before
    with OdooEmulator("17.0", data_dir=package / "17.0") as odoo:
        client = _client(odoo)
        rows = client.execute_kw("x.gadget", "search_read", [[]], {"fields": ["name", "owner_id"]})
        assert rows == [
            {"id": 2, "name": "First", "owner_id": False},
            {"id": 1, "name": "Second", "owner_id": [3, "YourCompany, Mitchell Admin"]},
        ]
        assert client.execute_kw("x.gadget", "create", [{"name": "Third"}]) == 3
        client.close()
    (source / "17.0" / "schema" / "x.gadget.json").write_text(json.dumps({"name": {"type": "char"}}))
    stale = tool.run(source, check=True, package=package, corpus=corpus)
    assert stale == [f"stale: {package / '17.0/schema/x.gadget.json.gz'}"]


def test_records_without_a_schema_are_refused(tmp_path: Path) -> None:
    shutil.copytree(DATA_DIR / "17.0", tmp_path / "17.0")
    (tmp_path / "17.0" / "schema" / "crm.tag.json.gz").unlink()
    with pytest.raises(ValueError, match=r"records of crm\.tag without a schema file"):
        Database("17.0", tmp_path / "17.0")


def test_the_repository_copy_is_that_of_the_recordings() -> None:
    """When the recordings are beside the checkout, the repository's copy is theirs (re-import if not:
    ``python tools/import_odoo_data.py``); the tests themselves never read them."""
    source = Path(os.environ.get("ZENOO_SHARED_ODOO") or ROOT.parent / "shared" / "odoo")
    if not (source / "19.0" / "version.json").exists():
        pytest.skip("the recordings are not beside this checkout")
    assert _tool().run(source, check=True) == []


def test_the_name_of_a_record_outside_the_tables_is_found_in_tables_not_read_yet() -> None:
    """A many2one to a model without a table (resource.calendar) is named from the values recorded in other
    tables, even those no call has read yet."""
    db = Database("17.0")
    assert not db.tables["res.company"].is_loaded and "resource.calendar" not in db.tables
    assert db.display_name("resource.calendar", 1) == "Standard 40 hours/week"
    assert db.display_name("resource.calendar", 999) == "resource.calendar,999"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_new_purchase_order_is_named_by_its_sequence(version: str) -> None:
    """Like sale orders, purchase orders get the next number of their sequence (P, five digits) and Odoo's
    defaults (an RFQ of the current user in the company's currency), not a missing-name error."""
    with OdooEmulator(version) as odoo:
        client = _client(odoo)
        first = client.execute_kw("purchase.order", "create", [{"partner_id": 10}])
        second = client.execute_kw("purchase.order", "create", [{"partner_id": 10, "name": "New"}])
        mine = client.execute_kw("purchase.order", "create", [{"partner_id": 10, "name": "PO-MINE"}])
        fields = ["name", "state", "priority", "user_id", "company_id", "currency_id", "display_name"]
        rows = client.execute_kw("purchase.order", "read", [[first, second, mine], fields])
        assert [r["name"] for r in rows] == ["P00012", "P00013", "PO-MINE"]
        assert rows[0]["display_name"] == "P00012"
        assert {(r["state"], r["priority"], r["user_id"][0], r["company_id"][0]) for r in rows} == {
            ("draft", "0", 2, 1)
        }
        assert (
            rows[0]["currency_id"]
            == client.execute_kw("res.company", "read", [[1], ["currency_id"]])[0]["currency_id"]
        )
        client.close()
