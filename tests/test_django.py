"""A Django view calling the sync client, driven by Django's test client (threads share one client)."""

from __future__ import annotations

import concurrent.futures
import sys
import types
from typing import Any

import pytest

from zenoo_rpc import SyncZenooClient
from zenoo_rpc.models.common import ResPartner
from zenoo_rpc.testing import OdooEmulator

django = pytest.importorskip("django")


@pytest.fixture(scope="module")
def django_app(emulators: dict[str, OdooEmulator]) -> Any:
    from django.conf import settings

    odoo = emulators["19.0"]
    client = SyncZenooClient(odoo.url)  # one per process, logged in once
    client.login("demo", "admin", "admin")

    from django.http import HttpRequest, JsonResponse
    from django.urls import path

    def companies(request: HttpRequest) -> JsonResponse:
        country = request.GET.get("country")
        q = client.model(ResPartner).filter(is_company=True).only("name", "country_id").order_by("name")
        if country:
            q = q.filter(country_id__code=country)
        return JsonResponse({"companies": [{"id": p.id, "name": p.name} for p in q.all()]})

    def bad(request: HttpRequest) -> JsonResponse:
        from zenoo_rpc.exceptions import ClientError

        try:
            client.model(ResPartner).filter(nmae="x").all()
        except ClientError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({})

    urls = types.ModuleType("zenoo_test_urls")
    urls.urlpatterns = [path("companies/", companies), path("bad/", bad)]  # type: ignore[attr-defined]
    sys.modules["zenoo_test_urls"] = urls
    if not settings.configured:
        settings.configure(
            ROOT_URLCONF="zenoo_test_urls",
            ALLOWED_HOSTS=["testserver"],
            SECRET_KEY="test",
            INSTALLED_APPS=[],
            DATABASES={},
            MIDDLEWARE=[],
        )
        django.setup()
    yield client
    client.close()


def test_view_reads_odoo(django_app: Any) -> None:
    from django.test import Client

    response = Client().get("/companies/")
    assert response.status_code == 200
    names = [c["name"] for c in response.json()["companies"]]
    assert len(names) > 5 and names == sorted(names, key=str.casefold)
    us = Client().get("/companies/", {"country": "US"}).json()["companies"]
    assert 0 < len(us) < len(names)
    assert Client().get("/bad/").json()["error"] == "res.partner has no field 'nmae': in lookup path 'nmae'"


def test_views_in_threads_share_the_client(django_app: Any) -> None:
    from django.test import Client

    def hit(_: int) -> int:
        return len(Client().get("/companies/").json()["companies"])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        counts = list(pool.map(hit, range(40)))
    assert len(set(counts)) == 1


def test_a_view_serves_again_soon_after_a_one_second_outage(django_app: Any, odoo19: OdooEmulator) -> None:
    """The incident: after a one-second outage a view kept failing with CircuitOpenError for 30 s although
    the server was back. Now the view answers 503 while the breaker is open, and again 200 after the first
    trial, one second (of the breaker's clock) later."""
    from django.http import HttpRequest, JsonResponse
    from django.test import Client, override_settings
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
        with override_settings(ROOT_URLCONF=urls.__name__):
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
