"""The shop's views: Odoo is called through the process's shared client (``odoo()``, ``await aodoo()``)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from zenoo_rpc import DoesNotExist
from zenoo_rpc.contrib.django import aodoo, odoo
from zenoo_rpc.models.common import ResPartner, SaleOrder

from .forms import LeadForm

#: Django's language codes -> the Odoo languages installed on the server (Odoo refuses any other code)
ODOO_LANGUAGES = {"en": "en_US", "en-us": "en_US"}  # add "fr": "fr_FR" once Odoo has French


def _odoo_context() -> dict[str, str]:
    """This request's language (LocaleMiddleware chose it) as Odoo spells it: names come back translated."""
    lang = ODOO_LANGUAGES.get(get_language() or "")
    return {"lang": lang} if lang else {}


# --8<-- [start:orders]
def orders(request: HttpRequest) -> HttpResponse:
    """The latest confirmed orders with their customer and lines: 1 call for any number of orders."""
    client = odoo().with_context(**_odoo_context())  # a view of the shared client, for this request only
    found = (
        client.model(SaleOrder)
        .filter(state__in=["sale", "sent"])
        .only("name", "date_order", "amount_total", "state", "partner_id", "order_line")
        .prefetch_related("partner_id", "order_line")
        .order_by("-date_order", "-id")
        .limit(int(request.GET.get("limit", 20)))
        .cache(ttl=30)  # shared by every worker through the "odoo" cache
        .all()
    )
    return render(request, "shop/orders.html", {"orders": found})


# --8<-- [end:orders]


async def partner(request: HttpRequest, pk: int) -> HttpResponse:
    """One customer (an async view: one ZenooClient per event loop, sharing the process's login)."""
    client = (await aodoo()).with_context(**_odoo_context())
    try:
        found = await client.model(ResPartner).only("name", "email", "phone", "city", "is_company").get(pk)
    except DoesNotExist:
        raise Http404(f"no partner {pk}") from None
    return render(request, "shop/partner.html", {"partner": found})


def new_lead(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead_id = odoo().create(
            "crm.lead",
            {
                "name": data["name"],
                "contact_name": data["contact_name"],
                "email_from": data["email"],
                "description": data["description"],
            },
        )
        return redirect(f"{request.path}?created={lead_id}")
    return render(request, "shop/lead_form.html", {"form": form, "created": request.GET.get("created")})
