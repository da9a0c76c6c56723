"""Generate the sync face from the async one, so that the two never drift (psycopg's approach).

    python tools/async_to_sync.py           # write the sync files
    python tools/async_to_sync.py --check   # fail when a sync file is not what the async source gives

Rules, applied in order to each async source:

- a line ending in ``# sync: <code>`` becomes ``<code>`` at the same indentation (``# sync: -`` drops it);
- lines between ``# async-only`` and ``# end-async-only`` are dropped;
- lines between ``# sync-only`` and ``# end-sync-only`` are written out of their comment (``# x`` -> ``x``);
- ``async def``/``async with``/``async for`` lose ``async``, ``await`` is dropped;
- names are renamed by :data:`RENAMES` (whole words only); the result is formatted with ruff.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAIRS = {
    "zenoo_rpc/_async_client.py": "zenoo_rpc/_sync_client.py",
    "zenoo_rpc/_query_async.py": "zenoo_rpc/_query_sync.py",
}
RENAMES = {
    "ZenooClient": "SyncZenooClient",
    "AsyncQuery": "SyncQuery",
    "AiohttpTransport": "RequestsTransport",
    "_transport_aiohttp": "_transport_requests",
    "_query_async": "_query_sync",
    "AsyncRedisBackend": "RedisBackend",
    "AsyncIterator": "Iterator",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
}
_MARK = re.compile(r"^(?P<indent>\s*)(?P<code>.*?)\s+# sync: (?P<sync>.*)$")


def convert(source: str, name: str) -> str:
    out: list[str] = []
    mode = ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped in ("# async-only", "# sync-only"):
            mode = stripped[2:]
            continue
        if stripped in ("# end-async-only", "# end-sync-only"):
            mode = ""
            continue
        if mode == "async-only":
            continue
        if mode == "sync-only":
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + stripped[2:] if stripped.startswith("# ") else line)
            continue
        match = _MARK.match(line)
        if match:
            if match["sync"].strip() != "-":
                out.append(match["indent"] + match["sync"].strip())
            continue
        line = re.sub(r"\basync (def|with|for)\b", r"\1", line)
        line = re.sub(r"\bawait ", "", line)
        for old, new in RENAMES.items():
            line = re.sub(rf"(?<!\w){re.escape(old)}\b", new, line)
        out.append(line)
    header = f"# Generated from {name} by tools/async_to_sync.py. Do not edit: change the async source.\n"
    return header + "\n".join(out) + "\n"


def _format(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "module.py"
        path.write_text(text)
        for args in (["check", "--fix-only", "--select", "I,F401", "-q"], ["format", "-q"]):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ruff",
                    *args,
                    "--no-cache",
                    "--isolated",
                    "--line-length",
                    "110",
                    str(path),
                ],
                check=True,
            )
        return path.read_text()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for src, dst in PAIRS.items():
        generated = _format(convert((ROOT / src).read_text(), src))
        target = ROOT / dst
        current = target.read_text() if target.exists() else ""
        if current == generated:
            continue
        if check:
            diff = difflib.unified_diff(current.splitlines(), generated.splitlines(), dst, f"from {src}", n=1)
            stale.append(f"{dst} is stale:\n" + "\n".join(list(diff)[:30]))
        else:
            target.write_text(generated)
            print(f"wrote {dst}")
    for message in stale:
        print(message, file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
