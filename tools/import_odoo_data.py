"""Import the recorded real-Odoo material into the repository, gzip-compressed.

The source is a folder laid out like the recordings (``<version>/{version,models,installed_modules}.json``,
``schema/<model>.json``, ``data/<model>.json``, ``corpus/{read,write}.json``, ``errors.json``,
``json2_examples.json``): ``--source``, else ``$ZENOO_SHARED_ODOO``, else ``../shared/odoo`` beside the checkout.
It writes, for every version found there:

- the emulator's database, ``zenoo_rpc/testing/odoo_data/<version>/``: ``version.json.gz``,
  ``models.json.gz``, ``installed_modules.json.gz``, ``schema/<model>.json.gz``, ``data/<model>.json.gz``
  (every model of the source: the emulator discovers its models from these files, a new one needs no code;
  ``sequences.json`` and ``session_info.json`` are the emulator's own and are left alone);
- the corpus the conformance tests replay, ``tests/odoo_corpus/<version>/``: ``read.json.gz``,
  ``write.json.gz``, ``errors.json.gz``, ``json2_examples.json.gz``.

Files are written only when their content differs, deterministically (sorted keys, compact, gzip without a
timestamp), so importing the same material twice changes nothing; files of models the source no longer has
are removed. ``--check`` writes nothing and exits 1 listing what an import would change.

    python tools/import_odoo_data.py [--source DIR] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "zenoo_rpc" / "testing" / "odoo_data"
CORPUS = ROOT / "tests" / "odoo_corpus"
#: emulator files with no counterpart in the source: never written nor removed by the import
OWN_FILES = ("sequences.json", "session_info.json")
#: corpus file in the repository <- file of the source
CORPUS_FILES = {
    "read.json.gz": "corpus/read.json",
    "write.json.gz": "corpus/write.json",
    "errors.json.gz": "errors.json",
    "json2_examples.json.gz": "json2_examples.json",
}


def default_source() -> Path:
    return Path(os.environ.get("ZENOO_SHARED_ODOO") or ROOT.parent / "shared" / "odoo")


def pack(payload: Any) -> bytes:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def plan(
    source: Path, package: Path = PACKAGE, corpus: Path = CORPUS
) -> tuple[dict[Path, bytes], list[Path]]:
    """(file -> bytes it must hold, files to remove) for an import of ``source`` into ``package`` (the
    emulator's database) and ``corpus`` (the tests' recordings)."""
    want: dict[Path, bytes] = {}
    versions = sorted(p.name for p in source.iterdir() if (p / "version.json").exists())
    if not versions:
        raise SystemExit(f"{source}: no <version>/version.json in it: not the recorded Odoo material")
    for version in versions:
        src = source / version
        dest = package / version
        for name in ("version.json", "models.json", "installed_modules.json"):
            want[dest / (name + ".gz")] = pack(json.loads((src / name).read_text()))
        for sub in ("schema", "data"):
            for path in sorted((src / sub).glob("*.json")):
                want[dest / sub / (path.name + ".gz")] = pack(json.loads(path.read_text()))
        for name, origin in CORPUS_FILES.items():
            if (src / origin).exists():
                want[corpus / version / name] = pack(json.loads((src / origin).read_text()))
    remove: list[Path] = []
    for version in versions:
        for folder in (package / version, package / version / "schema", package / version / "data"):
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    stale = path.name.endswith((".json", ".json.gz")) and path.name not in OWN_FILES
                    if path.is_file() and stale and path not in want:
                        remove.append(path)
        folder = corpus / version
        if folder.is_dir():
            remove.extend(p for p in sorted(folder.iterdir()) if p.is_file() and p not in want)
    return want, remove


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, default=None, help="the recorded material (default: %(default)s)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when an import would")
    args = parser.parse_args(argv)
    source: Path = args.source or default_source()
    if not source.is_dir():
        print(f"{source}: no such folder (give --source or set ZENOO_SHARED_ODOO)", file=sys.stderr)
        return 2
    changes = run(source, check=args.check)
    return 1 if args.check and changes else 0


def run(source: Path, *, check: bool = False, package: Path = PACKAGE, corpus: Path = CORPUS) -> list[str]:
    """Import ``source`` (with ``check``, only tell): one line per file that is or would be changed."""
    want, remove = plan(source, package, corpus)
    changed = [p for p, data in want.items() if not p.exists() or p.read_bytes() != data]
    lines = [f"{'stale' if p.exists() else 'missing'}: {_shown(p)}" for p in changed]
    lines += [f"not in the source: {_shown(p)}" for p in remove]
    for line in lines:
        print(line)
    if not check:
        for path in changed:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(want[path])
        for path in remove:
            path.unlink()
        print(f"{len(changed)} written, {len(remove)} removed, {len(want) - len(changed)} unchanged")
    return lines


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    raise SystemExit(main())
