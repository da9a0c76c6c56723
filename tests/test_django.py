"""zenoo_rpc.contrib.django, driven through Django's test client (pytest-django, the example shop's settings)
against the emulator, under gunicorn-like conditions: threads sharing the client, a fork after first use,
two processes sharing one login through a real Redis, a server restart; the checks and the commands."""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CountingEmulator

from zenoo_rpc import SyncZenooClient
from zenoo_rpc.contrib.django import handler, odoo
from zenoo_rpc.contrib.django.testing import emulated_odoo
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator

pytest.importorskip("django")

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "django_shop"
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")


@pytest.fixture
def shop(counting_odoo: CountingEmulator) -> Iterator[CountingEmulator]:
    """ZENOO_RPC['default'] at the counting emulator, as the example's settings have it (cache alias 'odoo')."""
    with emulated_odoo("default", emulator=counting_odoo):
        yield counting_odoo


@pytest.fixture
def web() -> Any:
    """Django's test client (tests/conftest.py's ``client`` is a Zenoo client)."""
    from django.test import Client

    return Client()


@pytest.fixture
def redis_caches(settings: Any, redis_url: str, redis_prefix: str) -> str:
    """The example's 'odoo' cache on the real Redis (Django's RedisCache, the JSON serializer)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "odoo": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": redis_prefix,
            "OPTIONS": {"serializer": "zenoo_rpc.contrib.django.serializers.JSONSerializer"},
        },
    }
    return "odoo"


# -- the views of the example, sync and async --------------------------------------------------------------
def test_views_share_one_client_and_one_login(web: Any, shop: CountingEmulator) -> None:
    assert web.get("/orders/").status_code == 200
    assert web.get("/partners/3/").status_code == 200  # async view: its loop's client adopts the session
    assert web.get("/orders/").status_code == 200
    assert shop.logins == 1
    assert odoo() is odoo() and odoo().uid == 2


def test_eight_threads_share_the_client_and_log_in_once(web: Any, shop: CountingEmulator) -> None:
    from django.test import Client

    with SyncZenooClient(shop.url) as probe:  # not the site's client: the threads race for its first login
        probe.login("demo", "admin", "admin")
        partners = probe.model(ResPartner).order_by("id").limit(4).ids()
    shop.paths.clear()

    def hit(i: int) -> tuple[int, int]:
        web = Client()
        orders = web.get("/orders/")
        partner = web.get(f"/partners/{partners[i % 4]}/")
        return orders.status_code, len(orders.context["orders"]) if partner.status_code == 200 else -1

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(hit, range(40)))
    assert {status for status, _ in results} == {200} and len({n for _, n in results}) == 1
    assert shop.logins == 1


def test_a_request_context_stays_in_its_view(shop: CountingEmulator) -> None:
    french = odoo().with_context(lang="en_US", tz="Europe/Brussels")
    assert french.context == {"lang": "en_US", "tz": "Europe/Brussels"} and odoo().context == {}
    assert french.model(ResPartner).count() == odoo().model(ResPartner).count()
    assert odoo().with_company(1).context == {"allowed_company_ids": [1]}


def test_a_forked_worker_keeps_the_parents_login(web: Any, shop: CountingEmulator) -> None:
    """gunicorn --preload: the parent used the client (and logged in) before forking its workers."""
    assert web.get("/orders/").status_code == 200
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        status = 1
        try:
            from django.test import Client

            web = Client()
            codes = [web.get("/orders/").status_code, web.get("/partners/3/").status_code]
            os.write(write_fd, json.dumps(codes).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked worker hung")
    with os.fdopen(read_fd) as pipe:
        assert json.loads(pipe.read() or "null") == [200, 200] and code == 0
    assert web.get("/orders/").status_code == 200  # the parent goes on with its own connections
    assert shop.logins == 1


_WORKER = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    web = Client()
    print("ready", flush=True)
    for line in sys.stdin:
        codes = [web.get(path).status_code for path in line.split()]
        print(json.dumps(codes), flush=True)
    """
)


def _workers(n: int, env: dict[str, str]) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=EXAMPLE,
        )
        for _ in range(n)
    ]


def _ask(workers: list[subprocess.Popen[str]], paths: str) -> list[list[int]]:
    for w in workers:  # all at once: they race for the login
        assert w.stdin is not None
        w.stdin.write(paths + "\n")
        w.stdin.flush()
    answers = []
    for w in workers:
        assert w.stdout is not None
        answers.append(json.loads(w.stdout.readline()))
    return answers


def test_two_processes_share_one_login_through_redis(
    counting_odoo: CountingEmulator, redis_url: str, redis_prefix: str
) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop_project.settings",
        "PYTHONPATH": str(EXAMPLE),
        "ODOO_URL": counting_odoo.url,
        "ODOO_PASSWORD": "admin",
        "SHOP_REDIS_URL": redis_url,
        "SHOP_REDIS_PREFIX": redis_prefix,
    }
    workers = _workers(2, env)
    try:
        for w in workers:
            assert w.stdout is not None and w.stdout.readline().strip() == "ready"
        assert _ask(workers, "/orders/ /partners/3/") == [[200, 200]] * 2
        assert counting_odoo.logins == 1  # one worker logged in, the other adopted its session from Redis
        counting_odoo.expire_sessions()
        assert _ask(workers, "/partners/3/ /orders/?limit=3") == [[200, 200]] * 2
        assert counting_odoo.logins == 2  # renewed once, for both
    finally:
        for w in workers:
            assert w.stdin is not None and w.stdout is not None
            w.stdin.close()
            w.wait(10)
            w.stdout.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_views_work_again_after_odoo_restarts(web: Any) -> None:
    port = _free_port()
    first = CountingEmulator("19.0", port=port).start()
    try:
        with emulated_odoo("default", emulator=first):
            assert web.get("/orders/").status_code == 200
            first.stop()  # the restart loses every web session
            again = CountingEmulator("19.0", port=port).start()
            try:
                assert (
                    web.get("/orders/?limit=5").status_code == 200
                )  # not cached: "session expired", renewed
                assert web.get("/partners/3/").status_code == 200  # its loop's client adopts the renewed one
                assert again.logins == 1
                assert again.paths["/web/dataset/call_kw/sale.order/web_search_read"] == 2  # expired, again
                assert again.paths["/web/dataset/call_kw/res.partner/search_read"] == 1
            finally:
                again.stop()
    finally:
        first.stop()


def test_async_clients_are_one_per_loop_and_closed_with_it(shop: CountingEmulator) -> None:
    import asyncio

    from zenoo_rpc.contrib.django import aodoo

    async def use() -> Any:
        client = await aodoo()
        assert client is await aodoo()
        await client.model(ResPartner).count()
        return client

    one, two = asyncio.run(use()), asyncio.run(use())
    assert one is not two and shop.logins == 1
    assert one._transport._session is None  # closed when its loop ended


# -- the Django cache as the SDK's cache tier -------------------------------------------------------------
def test_cached_reads_are_shared_through_the_django_cache_and_dropped_by_writes(
    web: Any, counting_odoo: CountingEmulator, redis_caches: str
) -> None:
    with emulated_odoo("default", emulator=counting_odoo, CACHE=redis_caches):
        assert web.get("/orders/").status_code == 200
        handler.reset()  # another worker: a new client, the same Redis
        assert web.get("/orders/").status_code == 200
        assert counting_odoo.count("sale.order", "web_search_read") == 1
        assert counting_odoo.logins == 1  # the login came through Redis too (SESSION_CACHE = CACHE)
        form = {"name": "Chairs", "contact_name": "Ann", "email": "ann@example.com"}
        assert web.post("/leads/new/", form).status_code == 302  # a write drops the database's reads
        handler.reset()
        assert web.get("/orders/").status_code == 200
        assert counting_odoo.count("sale.order", "web_search_read") == 2


def test_the_django_tier_is_skipped_while_its_redis_is_down(
    web: Any, settings: Any, counting_odoo: CountingEmulator
) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "odoo": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_free_port()}/0",  # nothing listens there
            "OPTIONS": {
                "serializer": "zenoo_rpc.contrib.django.serializers.JSONSerializer",
                "socket_connect_timeout": 0.2,
            },
        },
    }
    with emulated_odoo("default", emulator=counting_odoo, CACHE="odoo"):
        assert [web.get("/orders/").status_code for _ in range(3)] == [200] * 3
        tier = odoo().stats()["cache"]["django"]
        assert tier["state"] == "down" and tier["outages"] == 1 and counting_odoo.logins == 1


# -- checks, commands, imports ----------------------------------------------------------------------------
def _ids(messages: list[Any]) -> list[str]:
    return sorted(m.id for m in messages)


def test_checks_name_what_is_wrong(settings: Any) -> None:
    from zenoo_rpc.contrib.django.checks import check_deploy, check_settings

    settings.ZENOO_RPC = {
        "default": {"URL": "odoo.example.com", "DB": "prod", "PASSWRD": "x", "TIMEOUT": -1, "CACHE": "nope"},
        "other": {
            "URL": "https://o.example.com",
            "DB": "p",
            "USER": "u",
            "API_KEY": "k",
            "OPTIONS": {"veryfy_ssl": 0},
        },
    }
    messages = check_settings()
    text = "\n".join(m.msg for m in messages)
    assert (
        "['URL'] is not an http(s) URL" in text
        and "has no 'USER'" in text
        and "unknown key 'PASSWRD'" in text
    )
    assert "['TIMEOUT'] must be a positive number" in text and "['CACHE'] names 'nope'" in text
    assert "'veryfy_ssl', which the client does not take" in text
    assert any(m.hint == "did you mean 'PASSWORD'?" for m in messages)
    assert set(_ids(messages)) == {"zenoo_rpc.E002", "zenoo_rpc.E003", "zenoo_rpc.E005", "zenoo_rpc.E006"}
    settings.ZENOO_RPC = None
    assert _ids(check_settings()) == ["zenoo_rpc.E001"]
    settings.ZENOO_RPC = {
        "default": {
            "URL": "http://odoo.example.com",
            "DB": "prod",
            "USER": "bot",
            "PASSWORD": "pw",
            "OPTIONS": {"verify_ssl": False},
            "CACHE": "odoo",
        }
    }
    settings.CACHES = {
        "odoo": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    }
    assert _ids(check_settings()) == ["zenoo_rpc.E007"]  # Django's RedisCache pickles by default
    assert _ids(check_deploy()) == ["zenoo_rpc.W001", "zenoo_rpc.W002", "zenoo_rpc.W003"]


def _manage(*args: str, url: str, cwd: Path = EXAMPLE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ODOO_URL": url, "ODOO_PASSWORD": "admin", "PYTHONPATH": str(cwd)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_manage_py_check_and_zenoo_check_against_the_emulator(odoo19: OdooEmulator) -> None:
    checked = _manage("check", url=odoo19.url)
    assert checked.returncode == 0 and "no issues" in checked.stdout, checked.stderr
    report = _manage("zenoo_check", url=odoo19.url)
    assert report.returncode == 0, report.stderr
    assert f"default: {odoo19.url} db=demo user=admin (uid 2): Odoo 19.0" in report.stdout
    assert "over session; login" in report.stdout and "round trip" in report.stdout
    refused = _manage("zenoo_check", url="http://127.0.0.1:9")  # nothing listens on the discard port
    assert refused.returncode == 1 and "default: http://127.0.0.1:9" in refused.stderr
    assert "ConnectError" in refused.stderr and "1 of 1 Odoo connections failed" in refused.stderr


def test_zenoo_gen_writes_into_the_app(odoo19: OdooEmulator, tmp_path: Path) -> None:
    project = tmp_path / "django_shop"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    made = _manage("zenoo_gen", "shop", "--models", "res.partner,crm.lead", url=odoo19.url, cwd=project)
    assert made.returncode == 0, made.stderr
    assert "to " + str(project / "shop" / "odoo_models") in made.stdout
    assert (project / "shop" / "odoo_models" / "res_partner.py").exists()
    assert (project / "shop" / "odoo_models" / "crm_lead.py").exists()
    current = _manage(
        "zenoo_gen", "shop", "--models", "res.partner,crm.lead", "--check", url=odoo19.url, cwd=project
    )
    assert current.returncode == 0 and "up to date" in current.stdout, current.stderr
    probe = "from shop.odoo_models import ResPartner, CrmLead; print(ResPartner.__zenoo_model__)"
    imported = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True)
    assert imported.stdout.strip() == "res.partner", imported.stderr
    unknown = _manage("zenoo_gen", "nope", url=odoo19.url, cwd=project)
    assert unknown.returncode == 1 and "No installed app with label 'nope'" in unknown.stderr


def test_importing_zenoo_rpc_never_imports_django() -> None:
    code = (
        "import sys, zenoo_rpc\n"
        "from zenoo_rpc import SyncZenooClient, ZenooClient\n"
        "import zenoo_rpc.testing, zenoo_rpc.contrib, zenoo_rpc.contrib.django.pytest_plugin\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the breaker incident of issue 10, kept: a hand-made client behind a real proxy ----------------------
def test_a_view_serves_again_soon_after_a_one_second_outage(settings: Any, odoo19: OdooEmulator) -> None:
    """The incident: after a one-second outage a view kept failing with CircuitOpenError for 30 s although
    the server was back. Now the view answers 503 while the breaker is open, and again 200 after the first
    trial, one second (of the breaker's clock) later."""
    from django.http import HttpRequest, JsonResponse
    from django.test import Client
    from django.urls import path

    from zenoo_rpc import CircuitBreaker, CircuitOpenError, RetryPolicy, TransportError
    from zenoo_rpc.testing import FaultProxy

    now = [1000.0]
    with FaultProxy(upstream=odoo19.url) as proxy:
        client = SyncZenooClient(
            proxy.url, retry=RetryPolicy(max_attempts=1), circuit_breaker=CircuitBreaker(clock=lambda: now[0])
        )
        client.login("demo", "admin", "admin")

        def count(request: HttpRequest) -> JsonResponse:
            try:
                return JsonResponse({"companies": client.model(ResPartner).filter(is_company=True).count()})
            except CircuitOpenError as exc:
                return JsonResponse({"error": "open", "cause": type(exc.__cause__).__name__}, status=503)
            except TransportError as exc:
                return JsonResponse({"error": type(exc).__name__}, status=502)

        urls = types.ModuleType("zenoo_test_urls_outage")
        urls.urlpatterns = [path("count/", count)]  # type: ignore[attr-defined]
        sys.modules[urls.__name__] = urls
        settings.ROOT_URLCONF = urls.__name__
        web = Client()
        assert web.get("/count/").status_code == 200
        proxy.inject("drop_before_forward", count=1000)  # the outage begins
        assert [web.get("/count/").status_code for _ in range(5)] == [502] * 5
        refused = web.get("/count/")
        assert refused.status_code == 503 and refused.json()["cause"] == "ConnectError"
        proxy.clear_faults()  # the server is back after one second
        now[0] += 1.0
        assert web.get("/count/").status_code == 200  # the trial call heals the breaker
        assert [web.get("/count/").status_code for _ in range(3)] == [200] * 3
        client.close()


def test_a_bad_lookup_in_a_view_names_the_field(web: Any, shop: CountingEmulator) -> None:
    from zenoo_rpc.exceptions import ClientError

    with pytest.raises(ClientError, match=r"res.partner has no field 'nmae': in lookup path 'nmae'"):
        odoo().model(ResPartner).filter(nmae="x").all()
