"""No import circles in ``zenoo_rpc``: the modules' imports, read from their source, form a DAG.

Every ``import``/``from ... import`` counts wherever it stands: at the top, inside a function (a deferred
import is still a dependency) and under ``if TYPE_CHECKING:`` (a circle of annotations is a circle of
design). ``from pkg import name`` depends on ``pkg.name`` when that is a module, else on ``pkg``. The implicit
import of a module's parent package and names given to ``importlib`` as strings are not edges.

Read are the sources installed under the ``zenoo_rpc`` name: ``zenoo_rpc/`` and ``generator/`` (installed as
``zenoo_rpc.generator``). ``generated_models/`` is not: its classes name each other in annotations, as the
models they stand for do.

Run as a script to print the circles: each strongly connected component, and one loop of imports in it."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"zenoo_rpc": ROOT / "zenoo_rpc", "zenoo_rpc.generator": ROOT / "generator"}


def module_files(sources: Mapping[str, Path] = SOURCES) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` below each source root (a package by its own name)."""
    files: dict[str, Path] = {}
    for package, root in sources.items():
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join([package, *parts])] = path
    return files


def _imported(module: str, is_package: bool, tree: ast.AST) -> Iterator[tuple[str, list[str]]]:
    """(absolute module, imported names) for every import statement in ``tree``, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names]


def import_graph(files: Mapping[str, Path] | None = None) -> dict[str, set[str]]:
    """Module -> the modules among ``files`` that it imports."""
    files = module_files() if files is None else files
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for target, names in _imported(module, path.name == "__init__.py", tree):
            submodules = {f"{target}.{name}" for name in names} & files.keys()
            edges |= submodules
            if not names or len(submodules) < len(names):
                # ``import a.b`` loads a.b; a name that is no submodule is read from the module itself
                edges |= {target} & files.keys()
        edges.discard(module)  # a package's __init__ naming its own attributes
        graph[module] = edges
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, each sorted, in order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(root: str) -> None:
        # Tarjan's algorithm, iterative: the graph is small, but recursion limits are not worth a thought
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def a_loop(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    """One shortest loop of imports through the component's first module, for the error message."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                todo.append(nxt)
    raise AssertionError(f"no loop through {start}")  # a component of more than one module has one


def test_the_graph_is_read_from_the_sources() -> None:
    """The reader sees what it must, so that an empty answer below means something."""
    graph = import_graph()
    assert "zenoo_rpc._core.flows" in graph and "zenoo_rpc.generator.cli" in graph
    assert not any(m.startswith("zenoo_rpc.models.common") for m in graph)
    assert "zenoo_rpc.testing._store" in graph["zenoo_rpc.testing._env"]  # from ._store import ...
    assert "zenoo_rpc._core.xmlrpc_codec" in graph["zenoo_rpc.testing._server"]  # from .._core import mod
    assert "zenoo_rpc.testing._server" in graph["zenoo_rpc.testing"]  # under TYPE_CHECKING
    assert "zenoo_rpc.testing._server" in graph["zenoo_rpc.testing.pytest_plugin"]  # inside a function


def test_the_reader_finds_circles_of_every_kind(tmp_path: Path) -> None:
    """Circles through a deferred import and TYPE_CHECKING, through ``import a.b`` and ``from .. import``,
    and through a package's own attribute read by its submodule."""
    pkg = tmp_path / "pkg"
    for folder in ("sub", "g"):
        (pkg / folder).mkdir(parents=True)
    sources = {
        "__init__.py": "from . import a\n",
        "a.py": "def f():\n    from .b import x\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\nx = 1\n",
        "c.py": "import pkg.sub.d\n",
        "sub/__init__.py": "",
        "sub/d.py": "from .. import c\n",
        "e.py": "from . import a\n",  # depends on the circle, is not in it
        "f.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .g import y\n",
        "g/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .h import z\n",
        "g/h.py": "def z():\n    from . import VERSION\n",  # reads the package that imports it
    }
    for name, text in sources.items():
        (pkg / name).write_text(text)
    graph = import_graph(module_files({"pkg": pkg}))
    assert cycles(graph) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.sub.d"], ["pkg.g", "pkg.g.h"]]
    assert "pkg.g" in graph["pkg.f"] and a_loop(graph, ["pkg.c", "pkg.sub.d"]) == [
        "pkg.c",
        "pkg.sub.d",
        "pkg.c",
    ]


def test_no_import_circles() -> None:
    graph = import_graph()
    found = cycles(graph)
    assert not found, (
        "import circles (each: its modules, then one loop of imports among them):\n"
        + "\n".join(f"  {', '.join(c)}\n    {' -> '.join(a_loop(graph, c))}" for c in found)
    )


if __name__ == "__main__":
    _graph = import_graph()
    _found = cycles(_graph)
    for _component in _found:
        print(", ".join(_component), "\n   ", " -> ".join(a_loop(_graph, _component)))
    sys.exit(1 if _found else 0)
