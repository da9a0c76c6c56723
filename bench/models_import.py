"""Import cost of generated model packages, measured with ``python -X importtime`` in fresh interpreters.

    python bench/models_import.py [--runs 7] [--json out.json]

Rows: ``import zenoo_rpc``; the README's ``from zenoo_rpc.models.common import ResPartner, SaleOrder`` (target
under 150 ms, neither HTTP stack); one class of a 25-model package (the 17.0 demo schema) and of a 286-model
package (a snapshot synthesized from the 25 recorded schemas under the names of 17.0's models.json, with
relations spread over all 286 models, about the 5 MB zenoo-gen writes for a real Odoo 17 demo database),
and every class of the 286-model package, which is what importing one class cost when the package imported
all its modules. A row's time is the sum of the cumulative times of the imports its statement triggers (the
interpreter's own start-up imports are left out), the median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from zenoo_rpc._jsondata import read_json

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "zenoo_rpc" / "testing" / "odoo_data" / "17.0"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def _bundled(snapshot: Any) -> Any:
    """The 25 models of the bundled generated package (the emulator's database has more)."""
    lines = (ROOT / "tools" / "bundled_models.txt").read_text().splitlines()
    return snapshot.select([m for m in lines if m and not m.startswith("#")], None)


def synthesize(total: int = 286) -> Any:
    """A snapshot of ``total`` models: the recorded 17.0 ones, then models.json's other names, each with the
    fields of a recorded model (round robin) and its relations pointed at models of the set."""
    from zenoo_rpc.generator.snapshot import Snapshot, load

    real = _bundled(load(DATA))
    rows = read_json(DATA / "models.json")
    names = sorted(real.fields)
    # the other models borrow the fields of the smaller recorded ones: most of Odoo's models are small (the
    # 286 models of a real 17.0 demo database make 5.2 MB of generated source)
    small = sorted(names, key=lambda m: (len(real.fields[m]), m))[:11]
    extra = sorted(r["model"] for r in rows if not r.get("transient") and r["model"] not in real.fields)
    chosen = names + [m for m in extra if not m.startswith("_")][: total - len(names)]
    assert len(chosen) == total, f"models.json has only {len(chosen)} models"
    by_name = {r["model"]: r for r in rows}
    fields: dict[str, dict[str, Any]] = {}
    for i, model in enumerate(chosen):
        source = real.fields[model] if model in real.fields else real.fields[small[i % len(small)]]
        fg = copy.deepcopy(source)
        for fname, desc in fg.items():
            if desc.get("relation"):
                digest = hashlib.sha256(f"{model}.{fname}".encode()).digest()
                desc["relation"] = chosen[int.from_bytes(digest[:4], "big") % total]
        fields[model] = fg
    models = {
        m: {k: by_name.get(m, {}).get(k) for k in ("name", "order", "modules", "transient")} for m in chosen
    }
    return Snapshot(real.version, models, fields).normalized()


def _startup(python: str) -> set[str]:
    err = subprocess.run([python, "-X", "importtime", "-c", "pass"], capture_output=True, text=True).stderr
    return {m.group(4) for m in _LINE.finditer(err)}


def _measure(python: str, statement: str, cwd: Path, skip: set[str]) -> tuple[float, int, list[str]]:
    probe = "; import sys as _s; print([m for m in ('aiohttp', 'requests') if m in _s.modules])"
    out = subprocess.run(
        [python, "-X", "importtime", "-c", statement + probe], capture_output=True, text=True, cwd=cwd
    )
    if out.returncode != 0:
        raise SystemExit(f"{statement!r} failed:\n{out.stderr[-2000:]}")
    total_us = 0
    modules = 0
    for m in _LINE.finditer(out.stderr):
        if m.group(4) in skip:
            continue
        modules += 1
        if not m.group(3).strip(" ") and len(m.group(3)) <= 1:  # a top-level import of the statement
            total_us += int(m.group(2))
    stacks = json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))
    return total_us / 1000, modules, stacks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from zenoo_rpc.generator.render import write
    from zenoo_rpc.generator.snapshot import load

    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        write(_bundled(load(DATA)), where / "pkg25")
        big = synthesize()
        write(big, where / "pkg286")
        size = sum(p.stat().st_size for p in (where / "pkg286").glob("*.py"))
        # compile once, as an installed package would be: the runs measure imports, not compiling
        subprocess.run([python, "-m", "compileall", "-q", str(where)], check=True)
        subprocess.run([python, "-c", "import zenoo_rpc.models.common"], check=True, cwd=where)
        names286 = "[getattr(p, n) for n in p.__all__ if not n.startswith('Typed')]"
        cases = [
            ("import zenoo_rpc", "import zenoo_rpc", None),
            (
                "from zenoo_rpc.models.common import ResPartner, SaleOrder",
                "from zenoo_rpc.models.common import ResPartner, SaleOrder",
                150.0,
            ),
            ("25-model package: from pkg25 import ResPartner", "from pkg25 import ResPartner", None),
            ("286-model package: from pkg286 import ResPartner", "from pkg286 import ResPartner", None),
            ("286-model package: every class", f"import pkg286 as p; {names286}", None),
        ]
        skip = _startup(python)
        results = []
        for label, statement, target in cases:
            runs = [_measure(python, statement, where, skip) for _ in range(args.runs)]
            ms = statistics.median(r[0] for r in runs)
            results.append(
                {
                    "case": label,
                    "ms": round(ms, 1),
                    "modules": runs[0][1],
                    "http": runs[0][2],
                    "target_ms": target,
                }
            )
    print(
        f"import cost, median of {args.runs} runs of python -X importtime (Python {sys.version.split()[0]})"
    )
    print(f"the 286-model package: {len(big.fields)} models, {size / 1e6:.1f} MB of source\n")
    print(f"{'statement':<60} {'ms':>8} {'modules':>8}  {'HTTP stacks':<18} target")
    for r in results:
        target = f"< {r['target_ms']:.0f} ms" if r["target_ms"] else ""
        http = ", ".join(r["http"]) or "none"
        print(f"{r['case']:<60} {r['ms']:>8.1f} {r['modules']:>8}  {http:<18} {target}")
    one25, one286 = results[2]["ms"], results[3]["ms"]
    print(f"\none class of 286 models / one class of 25 models: {one286 / one25:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
