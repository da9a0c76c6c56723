"""pytest fixtures: ``odoo_server`` (an emulator per test session, Odoo 19.0 unless ``--odoo-version``) and
``zenoo_cassette`` (a test's Odoo traffic recorded once into a cassette, replayed afterwards).

pytest loads this plugin in every run of an environment that has Zenoo RPC (entry point ``pytest11``): it
imports the emulator only when a test uses one of its fixtures, and vcrpy only when a test uses a cassette.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._cassettes import ZenooCassette
    from ._server import OdooEmulator

#: the cassette options: (option, environment variable, help)
_CASSETTE_OPTIONS = (
    ("--zenoo-url", "ZENOO_URL", "Odoo URL that cassettes record from (with --zenoo-record)"),
    ("--zenoo-db", "ZENOO_DB", "database the zenoo_cassette fixture offers when recording"),
    ("--zenoo-user", "ZENOO_USER", "login the zenoo_cassette fixture offers when recording"),
    ("--zenoo-password", "ZENOO_PASSWORD", "password offered when recording (scrubbed from cassettes)"),
    ("--zenoo-api-key", "ZENOO_API_KEY", "API key offered when recording (scrubbed from cassettes)"),
)
_RECORD_MODES = ("none", "once", "new_episodes", "all")  # vcrpy's (see _cassettes.RECORD_MODES)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zenoo")
    group.addoption("--odoo-version", default="19.0", help="Odoo version the odoo_server fixture emulates")
    group.addoption(
        "--zenoo-record",
        action="store_true",
        default=False,
        help="record the cassettes that do not exist yet (record mode 'once'); without it cassettes only replay",
    )
    group.addoption(
        "--zenoo-record-mode",
        choices=_RECORD_MODES,
        default=None,
        help="vcrpy record mode of the cassettes (env ZENOO_RECORD_MODE; default 'none', 'once' with --zenoo-record)",
    )
    group.addoption(
        "--zenoo-cassette-dir",
        default=None,
        help="folder of the cassettes (default: 'cassettes' beside each test module)",
    )
    for option, env, text in _CASSETTE_OPTIONS:
        group.addoption(option, default=None, help=f"{text}; env {env}")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "zenoo_cassette(path=None, **options): record the test's Odoo traffic into a cassette once, replay it "
        "afterwards (see the zenoo_cassette fixture)",
    )


@pytest.fixture(scope="session")
def odoo_server(request: pytest.FixtureRequest) -> Iterator[OdooEmulator]:
    """An Odoo emulator on loopback for the whole test session (data is shared: reset_data() if you write)."""
    from ._server import OdooEmulator

    server = OdooEmulator(str(request.config.getoption("--odoo-version")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def odoo(odoo_server: OdooEmulator) -> Iterator[OdooEmulator]:
    """The session's emulator with its data restored and its counters reset after the test."""
    odoo_server.reset_counts()
    yield odoo_server
    odoo_server.reset_data()
    odoo_server.reset_counts()


def _setting(config: pytest.Config, option: str, env: str) -> str | None:
    value = config.getoption(option)
    return str(value) if value else os.environ.get(env) or None


def _record_mode(config: pytest.Config) -> str:
    mode = config.getoption("--zenoo-record-mode") or os.environ.get("ZENOO_RECORD_MODE")
    if mode:
        if mode not in _RECORD_MODES:
            raise pytest.UsageError(f"ZENOO_RECORD_MODE={mode!r}: use one of {', '.join(_RECORD_MODES)}")
        return str(mode)
    return "once" if config.getoption("--zenoo-record") else "none"


def _cassette_path(request: pytest.FixtureRequest, name: str | None) -> Path:
    folder = request.config.getoption("--zenoo-cassette-dir")
    module = Path(str(request.node.fspath))
    base = Path(folder) if folder else module.parent / "cassettes"
    if name is None:
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_") + ".yaml"
        return base / module.stem / name
    path = Path(name)
    return path if path.is_absolute() else base / path


@pytest.fixture
def zenoo_cassette(request: pytest.FixtureRequest) -> Iterator[ZenooCassette]:
    """The test's HTTP traffic recorded into a cassette (``--zenoo-record``) or replayed from it.

    The cassette is ``cassettes/<test module>/<test name>.yaml`` beside the test module, or the path given to
    ``@pytest.mark.zenoo_cassette("name.yaml", **options)`` (options go to vcrpy). The fixture's ``url``,
    ``db``, ``user``, ``password`` and ``api_key`` are the ``--zenoo-*`` options (or ``ZENOO_*`` variables) when
    recording, the cassette's when replaying. A test without a cassette fails unless it records."""
    from ._cassettes import use_cassette

    marker = request.node.get_closest_marker("zenoo_cassette")
    name = marker.args[0] if marker is not None and marker.args else None
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    path = _cassette_path(request, options.pop("path", name))
    mode = options.pop("record_mode", None) or _record_mode(request.config)
    settings = {
        key: _setting(request.config, option, env)
        for key, (option, env, _) in zip(("url", "db", "user", "password", "api_key"), _CASSETTE_OPTIONS)
    }
    if mode == "none" and not path.exists():
        pytest.fail(
            f"no cassette {path}: record it once against your Odoo with "
            "pytest --zenoo-record --zenoo-url=URL (and --zenoo-db, --zenoo-user, --zenoo-password or "
            "--zenoo-api-key, or the ZENOO_* environment variables)",
            pytrace=False,
        )
    recording = mode in ("all", "new_episodes") or (mode == "once" and not path.exists())
    if recording and not settings["url"]:
        pytest.fail(
            f"recording {path.name} needs the Odoo to record: --zenoo-url or ZENOO_URL", pytrace=False
        )
    with use_cassette(
        path,
        record_mode=mode,
        url=settings["url"],
        db=settings["db"],
        user=settings["user"],
        password=settings["password"],
        api_key=settings["api_key"],
        **options,
    ) as cassette:
        yield cassette


@pytest.fixture(autouse=True)
def _zenoo_cassette_marker(request: pytest.FixtureRequest) -> None:
    """A test marked ``zenoo_cassette`` gets its cassette even when it does not ask for the fixture."""
    if request.node.get_closest_marker("zenoo_cassette") is not None:
        request.getfixturevalue("zenoo_cassette")
