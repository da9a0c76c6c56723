"""mypy catches misspelled fields in filters, create values and attribute access, for both clients."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "typing" / "typed_usage.py"


def test_mypy_flags_exactly_the_marked_lines() -> None:
    expected = {i for i, line in enumerate(SAMPLE.read_text().splitlines(), 1) if "# E:" in line}
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            str(SAMPLE),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    flagged = {int(m.group(1)) for m in re.finditer(r"typed_usage\.py:(\d+): error", result.stdout)}
    assert flagged == expected, result.stdout
