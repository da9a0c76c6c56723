"""zenoo-gen: golden records, inline schema fragments, a live run against the emulator, mypy on the output."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conformance import SHARED, shared_available

from generator.cli import main
from generator.ir import attr_name, build
from generator.render import check, write
from generator.snapshot import Snapshot, load
from zenoo_rpc._core import records
from zenoo_rpc.testing import OdooEmulator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "zenoo_rpc" / "testing" / "odoo_data"
GOLDEN = {
    "17.0": ROOT / "tests" / "golden" / "odoo17",
    "18.0": ROOT / "tests" / "golden" / "odoo18",
    "19.0": ROOT / "generated_models",
}


@pytest.mark.parametrize("version", sorted(GOLDEN))
def test_golden_output_is_reproduced_byte_for_byte(version: str) -> None:
    assert check(load(DATA / version), GOLDEN[version]) == []


def test_check_fails_on_a_stale_tree(tmp_path: Path) -> None:
    out = tmp_path / "models"
    shutil.copytree(GOLDEN["19.0"], out)
    (out / "res_partner.py").write_text((out / "res_partner.py").read_text().replace("Contact", "Kontakt", 1))
    (out / "leftover.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["--from-schema", str(DATA / "19.0"), "--out", str(out), "--check"])
    assert result.exit_code == 1
    assert "res_partner.py: stale (2 lines differ)" in result.output and "leftover.py" in result.output
    ok = CliRunner().invoke(
        main, ["--from-schema", str(DATA / "19.0"), "--out", str(GOLDEN["19.0"]), "--check"]
    )
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("version", ["17.0", "18.0"])
def test_generated_output_passes_mypy_strict(version: str) -> None:
    golden = GOLDEN[version]
    import os

    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", golden.name],
        capture_output=True,
        text=True,
        cwd=golden.parent,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_live_introspection_matches_the_saved_schema(tmp_path: Path) -> None:
    with OdooEmulator("19.0") as odoo:
        snap = tmp_path / "schema.json"
        result = CliRunner().invoke(
            main,
            [
                "--url",
                odoo.url,
                "--db",
                "demo",
                "--password",
                "admin",
                "--out",
                str(tmp_path / "live"),
                "--dump-schema",
                str(snap),
            ],
        )
        assert result.exit_code == 0, result.output
        assert "introspecting" in result.output  # the progress bar
    for name in sorted(p.name for p in GOLDEN["19.0"].glob("*.py")):
        assert (tmp_path / "live" / name).read_text() == (GOLDEN["19.0"] / name).read_text(), name
    again = CliRunner().invoke(main, ["--from-schema", str(snap), "--out", str(GOLDEN["19.0"]), "--check"])
    assert again.exit_code == 0, again.output


def test_model_and_module_selection(tmp_path: Path) -> None:
    snap = load(DATA / "19.0")
    assert sorted(snap.select(["sale.*"], None).fields) == ["sale.order", "sale.order.line"]
    by_sale = snap.select(None, ["sale"]).fields
    assert "sale.order" in by_sale and "res.partner" in by_sale  # sale extends res.partner (ir.model.modules)
    assert "res.country.state" not in by_sale and "uom.uom" not in snap.select(None, ["crm"]).fields
    result = CliRunner().invoke(
        main, ["--from-schema", str(DATA / "19.0"), "--models", "no.such.*", "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "no model matched" in result.output


FRAGMENT: dict[str, Any] = {
    "zt.thing": {
        "name": {"type": "char", "string": "Name", "required": True},
        "display_name": {"type": "char", "string": "Display Name", "readonly": True, "store": False},
        "class": {"type": "char", "string": "Class keyword"},
        "from": {"type": "integer", "string": "From keyword"},
        "save": {"type": "boolean", "string": "Clashes with save()"},
        "count": {"type": "integer", "string": "Count"},
        "ratio": {"type": "float", "string": "Ratio"},
        "amount": {"type": "monetary", "string": "Amount"},
        "active": {"type": "boolean", "string": "Active"},
        "day": {"type": "date", "string": "Day"},
        "moment": {"type": "datetime", "string": "Moment"},
        "kind": {
            "type": "selection",
            "string": "Kind",
            "selection": [["a b", "Spaced"], ["1", "One"], ["it's", "Quote"]],
        },
        "notes": {"type": "html", "string": "Notes", "help": 'Says """hi""" and ends with a quote"'},
        "blob": {"type": "binary", "string": "Blob"},
        "parent_id": {"type": "many2one", "string": "Parent", "relation": "zt.thing"},
        "other_id": {"type": "many2one", "string": "Other", "relation": "zt.other_model"},
        "child_ids": {"type": "one2many", "string": "Children", "relation": "zt.thing"},
        "tag_ids": {"type": "many2many", "string": "Tags", "relation": "zt.unknown"},
        "total": {"type": "float", "string": "Total", "readonly": True, "store": False},
        "data": {"type": "json", "string": "Data"},
    },
    "zt.other_model": {"name": {"type": "char", "string": "Name"}},
    "zt.other.model": {"name": {"type": "char", "string": "Name"}},
    "zt.res": {"name": {"type": "char", "string": "Name"}},
    "zt.res.fields": {"name": {"type": "char", "string": "Name"}},
}


@pytest.fixture
def fragment_package(tmp_path: Path) -> Iterator[Any]:
    snap = Snapshot(
        {"server_version": "19.0", "server_serie": "19.0", "server_version_info": [19, 0, 0, "final", 0, ""]},
        {m: {"name": m.title(), "order": "id", "modules": "zt", "transient": False} for m in FRAGMENT},
        FRAGMENT,
    ).normalized()
    write(snap, tmp_path / "zt_models")
    saved = dict(records.REGISTRY)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("zt_models")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("zt_models")]:
            del sys.modules[name]
        records.REGISTRY.clear()
        records.REGISTRY.update(saved)


def test_inline_fragment_every_type_and_awkward_names(fragment_package: Any) -> None:
    thing_cls = fragment_package.ZtThing
    # keyword and reserved names get a trailing underscore; two models with one name get a number
    assert {"class_", "from_", "save_"} <= set(thing_cls.__annotations__)
    assert fragment_package.ZtOtherModel.__zenoo_model__ == "zt.other.model"
    assert fragment_package.ZtOtherModel2.__zenoo_model__ == "zt.other_model"
    # a model class named like another model's expression class: the expressions get another name
    assert fragment_package.ZtResFields.__zenoo_model__ == "zt.res.fields"
    assert fragment_package.ZtResFieldExprs is not None
    row = {
        "id": 7,
        "name": "A",
        "class": "x",
        "from": 3,
        "save": True,
        "count": 0,
        "ratio": 1.5,
        "amount": 10,
        "active": False,
        "day": "2026-11-30",
        "moment": "2026-11-30 14:31:08",
        "kind": "a b",
        "notes": False,
        "blob": "aGVsbG8=",
        "parent_id": [3, "Parent"],
        "other_id": False,
        "child_ids": [8, 9],
        "tag_ids": [],
        "total": 2.5,
        "data": {"k": 1},
    }
    rec = thing_cls.from_odoo(row)
    assert (rec.class_, rec.from_, rec.save_, rec.active) == ("x", 3, True, False)
    assert rec.day == dt.date(2026, 11, 30)
    assert rec.moment == dt.datetime(2026, 11, 30, 14, 31, 8, tzinfo=dt.timezone.utc)
    assert rec.notes is None and rec.other_id is None and rec.blob == b"hello" and rec.amount == 10.0
    assert (
        rec.parent_id.id == 3 and rec.parent_id.display_name == "Parent" and type(rec.parent_id) is thing_cls
    )
    assert [c.id for c in rec.child_ids] == [8, 9] and rec.tag_ids == []
    values = rec.to_odoo()
    assert values["class"] == "x" and values["from"] == 3 and values["parent_id"] == 3
    assert values["moment"] == "2026-11-30 14:31:08" and values["day"] == "2026-11-30"
    assert "total" not in values  # readonly, not stored
    assert (thing_cls.F.kind == "it's").node.value == "it's"
    assert thing_cls.__zenoo_schema__.fields["kind"].selection == ("a b", "1", "it's")


def test_attr_name_rule() -> None:
    assert [attr_name(n) for n in ("class", "match", "save", "name", "F")] == [
        "class_",
        "match_",
        "save_",
        "name",
        "F_",
    ]


@pytest.mark.skipif(not shared_available(), reason="shared data not beside this checkout")
@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
def test_demo_records_round_trip(version: str) -> None:
    """Every demo record of every shared data file goes through from_odoo and back to the same wire values."""
    from generator.render import render  # noqa: F401 - generation is exercised by the golden tests

    package = {"19.0": "generated_models"}.get(version)
    saved = dict(records.REGISTRY)
    try:
        if package is None:
            sys.path.insert(0, str(GOLDEN[version].parent))
            package = GOLDEN[version].name
        mod = importlib.import_module(package)
        classes = {
            getattr(mod, n).__zenoo_model__: getattr(mod, n)
            for n in mod.__all__
            if hasattr(getattr(mod, n), "__zenoo_model__")
        }
        checked = 0
        for path in sorted((SHARED / version / "data").glob("*.json")):
            payload = json.loads(path.read_text())
            cls = classes.get(payload["model"])
            if cls is None:
                continue
            for row in payload["records"]:
                rec = cls.from_odoo(row)
                assert rec.id == row["id"]
                wire = rec.to_odoo()
                for name, value in wire.items():
                    original = row[name]
                    if (
                        isinstance(original, list)
                        and original
                        and isinstance(original[0], int)
                        and cls.__zenoo_schema__.fields[name].type == "many2one"
                    ):
                        assert value == original[0]
                    elif cls.__zenoo_schema__.fields[name].is_x2many:
                        assert value == ([[6, 0, original]] if original else [])
                    elif original is False and cls.__zenoo_schema__.fields[name].type != "boolean":
                        assert value is False
                    else:
                        assert value == original, (payload["model"], name)
                checked += 1
        assert checked > 300
    finally:
        if str(GOLDEN[version].parent) in sys.path:
            sys.path.remove(str(GOLDEN[version].parent))
        records.REGISTRY.clear()
        records.REGISTRY.update(saved)


def test_build_is_deterministic() -> None:
    snap = load(DATA / "19.0")
    assert build(snap) == build(load(DATA / "19.0"))


def test_doc_bearer_methods_become_typed_methods(tmp_path: Path) -> None:
    """On 19 with an API key the generator reads /doc-bearer signatures; model methods become record methods."""
    from zenoo_rpc.testing import DEFAULT_API_KEY

    with OdooEmulator("19.0") as odoo:
        result = CliRunner().invoke(
            main,
            [
                "--url",
                odoo.url,
                "--db",
                "demo",
                "--api-key",
                DEFAULT_API_KEY,
                "--models",
                "sale.*,res.partner,product.product",
                "--out",
                str(tmp_path / "doc_models"),
            ],
        )
        assert result.exit_code == 0, result.output
        source = (tmp_path / "doc_models" / "sale_order.py").read_text()
        assert "def action_confirm(self) -> Any:" in source
        saved = dict(records.REGISTRY)
        sys.path.insert(0, str(tmp_path))
        try:
            models = importlib.import_module("doc_models")
            from zenoo_rpc import SyncZenooClient

            client = SyncZenooClient(odoo.url)
            client.login_with_api_key("demo", "admin", DEFAULT_API_KEY)
            order = client.model(models.SaleOrder).filter(state="draft").order_by("id").first()
            assert order.action_confirm() is True
            assert client.model(models.SaleOrder).get(order.id).state == "sale"
            client.close()
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m.startswith("doc_models")]:
                del sys.modules[name]
            records.REGISTRY.clear()
            records.REGISTRY.update(saved)
        # a user without the documentation group: the generator falls back to no methods, cleanly
        from generator.snapshot import _doc_bearer_methods

        assert _doc_bearer_methods(odoo.url, "demo", "not-a-key", ["sale.order"]) == {}


def test_options_from_pyproject_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib is Python 3.11+")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.zenoo-gen]\nfrom-schema = "{DATA / "19.0"}"\nmodels = "res.country*"\nout = "countries"\n'
    )
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "countries").glob("res_*.py")) == [
        "res_country.py",
        "res_country_state.py",
    ]
    monkeypatch.setenv("ZENOO_MODELS", "res.country")  # the environment wins over pyproject.toml
    result = CliRunner().invoke(main, ["--out", "only_country"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "only_country").glob("res_*.py")) == ["res_country.py"]
