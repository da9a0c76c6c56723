"""The public surface: every name in ``__all__`` exists, public modules declare ``__all__``, the package is
typed, importing the sync face does not import the async stack (nor the reverse), and every public class is
named ``zenoo_rpc.<Name>`` in tracebacks and pickles."""

from __future__ import annotations

import importlib
import pickle
import pydoc
import subprocess
import sys
import textwrap
import typing
from pathlib import Path
from typing import Any

import pytest

import zenoo_rpc

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = [
    "zenoo_rpc",
    "zenoo_rpc.exceptions",
    "zenoo_rpc.testing",
    "zenoo_rpc.transport",
    "zenoo_rpc.models.common",
    "zenoo_rpc.runtime",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for attr in module.__all__:
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_every_module_declares_all() -> None:
    for path in (ROOT / "zenoo_rpc").rglob("*.py"):
        if path.name in ("__main__.py", "pytest_plugin.py"):
            continue
        text = path.read_text()
        assert "__all__" in text, path.relative_to(ROOT)


def test_package_is_typed() -> None:
    assert (ROOT / "zenoo_rpc" / "py.typed").exists() and (ROOT / "generated_models" / "py.typed").exists()


@pytest.mark.parametrize(("face", "absent"), [("SyncZenooClient", "aiohttp"), ("ZenooClient", "requests")])
def test_each_face_imports_only_its_stack(face: str, absent: str) -> None:
    code = f"import sys, zenoo_rpc; zenoo_rpc.{face}; print({absent!r} in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


# -- public names: every public class prints, pickles and documents as zenoo_rpc.<Name> -------------------
def public_classes() -> list[tuple[str, type]]:
    return [(n, getattr(zenoo_rpc, n)) for n in zenoo_rpc.__all__ if isinstance(getattr(zenoo_rpc, n), type)]


def test_public_classes_are_named_zenoo_rpc() -> None:
    classes = dict(public_classes())
    assert {"ZenooClient", "SyncZenooClient", "Q", "RetryPolicy", "AuthenticationError"} <= classes.keys()
    for name, cls in classes.items():
        assert repr(cls) == f"<class 'zenoo_rpc.{name}'>"
        assert cls.__qualname__ == name
        typing.get_type_hints(cls)  # annotations still resolve (attrs.resolve_types, sphinx) after the rename
    page = pydoc.render_doc(zenoo_rpc, renderer=pydoc.plaintext)  # what documentation tools see
    assert all(f"class {name}(" in page for name in classes)


def test_every_exception_of_the_package_is_exported_at_the_top_level() -> None:
    import zenoo_rpc
    import zenoo_rpc._async_client
    import zenoo_rpc._sync_client
    import zenoo_rpc.exceptions
    import zenoo_rpc.transport

    tree: list[type] = []
    todo: list[type] = [zenoo_rpc.ZenooError]
    while todo:
        cls = todo.pop()
        tree.append(cls)
        todo.extend(cls.__subclasses__())
    ours = [
        c
        for c in tree
        if c.__module__.startswith("zenoo_rpc") and ".testing" not in c.__module__ and c.__name__[0] != "_"
    ]
    missing = sorted(c.__name__ for c in ours if getattr(zenoo_rpc, c.__name__, None) is not c)
    assert not missing, f"export these from zenoo_rpc/__init__.py (import and __all__): {missing}"
    assert all(c.__name__ in zenoo_rpc.__all__ and c.__module__ == "zenoo_rpc" for c in ours)
    for name in zenoo_rpc.exceptions.__all__:  # the old module keeps working, with the same classes
        value = getattr(zenoo_rpc.exceptions, name)
        if isinstance(value, type):
            assert getattr(zenoo_rpc, name) is value


def test_a_traceback_names_the_public_class() -> None:
    code = textwrap.dedent(
        """
        from zenoo_rpc import SyncZenooClient
        from zenoo_rpc.testing import OdooEmulator

        with OdooEmulator("19.0") as odoo:
            SyncZenooClient(odoo.url).login("demo", "admin", "not the password")
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("zenoo_rpc.AuthenticationError: "), run.stderr


def _errors() -> list[Any]:
    import zenoo_rpc as z

    lost = z.ConnectError("connection to http://odoo dropped", sent=True)
    return [
        z.AuthenticationError(
            "Access Denied", odoo_name="odoo.exceptions.AccessDenied", model="res.users", method="login"
        ),
        z.ValidationError("The name is required", odoo_name="odoo.exceptions.ValidationError", debug="Tb"),
        lost,
        z.HTTPStatusError(502, "<html>Bad Gateway</html>"),
        z.UnknownFieldError("res.partner", "nme", "did you mean 'name'?"),
        z.InvalidLookupError("res.partner", "name", "gte", "does not fit a char field"),
        z.InvalidValueError("res.partner", "type", "'x' is not one of contact, invoice"),
        z.FieldNotLoadedError("res.partner", "email"),
        z.CircuitOpenError(2.5),
        z.BatchError([[1, 2]], [(0, [{"name": "x"}], lost)]),
    ]


@pytest.mark.parametrize("index", range(len(_errors())))
def test_errors_pickle_with_their_attributes(index: int) -> None:
    error = _errors()[index]
    data = pickle.dumps(error)
    copy = pickle.loads(data)
    assert type(copy) is type(error) and copy.args == error.args and str(copy) == str(error)
    assert vars(copy).keys() == vars(error).keys()
    for key, value in vars(error).items():
        if key != "failures":
            assert getattr(copy, key) == value, key
    if isinstance(error, zenoo_rpc.BatchError):
        (index_, chunk, cause) = copy.failures[0]
        assert (index_, chunk, type(cause), cause.sent) == (
            0,
            [{"name": "x"}],
            type(error.failures[0][2]),
            True,
        )


def test_pickles_load_in_a_new_process() -> None:
    """A worker (multiprocessing, Celery) unpickles by the public path: ``zenoo_rpc.<Name>``, lazy ones too."""
    data = pickle.dumps([_errors()[4], zenoo_rpc.RetryPolicy(max_attempts=7)])
    code = (
        "import pickle, sys; error, policy = pickle.loads(sys.stdin.buffer.read()); "
        "print(type(error).__module__, type(error).__name__, error.model, error.field, policy.max_attempts)"
    )
    run = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, check=True)
    assert run.stdout.decode().split() == ["zenoo_rpc", "UnknownFieldError", "res.partner", "nme", "7"]
