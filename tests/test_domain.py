"""Lookups and Q trees compile to valid Odoo prefix domains; bad input fails before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from zenoo_rpc import Q
from zenoo_rpc._core.domain import compile_q, escape_like
from zenoo_rpc._core.schema import ModelSchema
from zenoo_rpc.exceptions import InvalidLookupError, InvalidValueError, UnknownFieldError
from zenoo_rpc.models.common import ResPartner, SaleOrder


def resolver(model: str) -> ModelSchema | None:
    cls = ResPartner.zenoo_related(model)  # the bundled package's class of the model
    return cls.__zenoo_schema__ if cls else None


def dom(q: Q, model: str = "res.partner") -> list[Any]:
    return compile_q(q, model, resolver)


@pytest.mark.parametrize(
    ("lookups", "expected"),
    [
        ({"name": "A"}, [("name", "=", "A")]),
        ({"name__exact": "A"}, [("name", "=", "A")]),
        ({"name__ne": "A"}, [("name", "!=", "A")]),
        ({"customer_rank__gt": 0}, [("customer_rank", ">", 0)]),
        ({"customer_rank__gte": 1}, [("customer_rank", ">=", 1)]),
        ({"id__lt": 5}, [("id", "<", 5)]),
        ({"id__lte": 5}, [("id", "<=", 5)]),
        ({"id__in": [1, 2]}, [("id", "in", [1, 2])]),
        ({"id__not_in": (1,)}, [("id", "not in", [1])]),
        ({"name__like": "Az%"}, [("name", "like", "Az%")]),
        ({"name__ilike": "%az%"}, [("name", "ilike", "%az%")]),
        ({"name__contains": "50%_off"}, [("name", "like", "50\\%\\_off")]),
        ({"name__icontains": "a\\b"}, [("name", "ilike", "a\\\\b")]),
        ({"name__startswith": "Az"}, [("name", "=like", "Az%")]),
        ({"name__istartswith": "az"}, [("name", "=ilike", "az%")]),
        ({"name__endswith": "Inc"}, [("name", "=like", "%Inc")]),
        ({"name__iendswith": "inc"}, [("name", "=ilike", "%inc")]),
        ({"email__isnull": True}, [("email", "=", False)]),
        ({"email__isnull": False}, [("email", "!=", False)]),
        ({"parent_id__child_of": 14}, [("parent_id", "child_of", 14)]),
        ({"id__parent_of": [27]}, [("id", "parent_of", [27])]),
        ({"country_id__code": "BE"}, [("country_id.code", "=", "BE")]),
        (
            {"child_ids__any": {"email__ilike": "example"}},
            [("child_ids", "any", [("email", "ilike", "example")])],
        ),
        ({"category_id__not_any": Q(name="VIP")}, [("category_id", "not any", [("name", "=", "VIP")])]),
        (
            {"type": "contact", "is_company": False},
            ["&", ("type", "=", "contact"), ("is_company", "=", False)],
        ),
    ],
)
def test_lookups(lookups: dict[str, Any], expected: list[Any]) -> None:
    assert dom(Q(**lookups)) == expected


def test_related_path_two_levels() -> None:
    assert dom(Q(partner_id__country_id__code="BE"), "sale.order") == [
        ("partner_id.country_id.code", "=", "BE")
    ]


def test_q_combinations_at_any_depth() -> None:
    q = (Q(is_company=True) | ~Q(name__ilike="acme")) & ~(Q(id__in=[1]) | Q(email__isnull=True))
    assert dom(q) == [
        "&",
        "|",
        ("is_company", "=", True),
        "!",
        ("name", "ilike", "acme"),
        "!",
        "|",
        ("id", "in", [1]),
        ("email", "=", False),
    ]
    assert dom(Q()) == [] and dom(Q(name="x") | Q()) == []


def test_typed_expressions() -> None:
    assert dom(ResPartner.F.country_id.code == "BE") == [("country_id.code", "=", "BE")]
    assert dom(ResPartner.F.name.icontains("a_b")) == [("name", "ilike", "a\\_b")]
    assert dom((ResPartner.F.customer_rank > 0) & ResPartner.F.email.is_null(False)) == [
        "&",
        ("customer_rank", ">", 0),
        ("email", "!=", False),
    ]
    assert dom(SaleOrder.F.order_line.product_id.default_code.startswith("FURN"), "sale.order") == [
        ("order_line.product_id.default_code", "=like", "FURN%")
    ]


@pytest.mark.parametrize(
    ("lookups", "error", "words"),
    [
        ({"nmae": "x"}, UnknownFieldError, "res.partner has no field 'nmae'"),
        ({"country_id__nope": "x"}, UnknownFieldError, "res.country has no field 'nope'"),
        ({"name__code": "x"}, InvalidLookupError, "follows a char field"),
        ({"is_company__gt": 1}, InvalidLookupError, "'gt' does not fit a boolean field"),
        ({"customer_rank__ilike": "x"}, InvalidLookupError, "does not fit an integer field"),
        ({"id__in": 5}, InvalidLookupError, "takes a list"),
        ({"name__contains": 5}, InvalidLookupError, "takes a string"),
        ({"email__isnull": "yes"}, InvalidLookupError, "takes True or False"),
        ({"type": "robot"}, InvalidValueError, "'robot' is not one of"),
        ({"name__any": {"x": 1}}, InvalidLookupError, "does not fit a char field"),
    ],
)
def test_bad_lookups_name_model_and_field(lookups: dict[str, Any], error: type, words: str) -> None:
    with pytest.raises(error) as info:
        dom(Q(**lookups))
    assert words in str(info.value)


def test_escape_like() -> None:
    assert escape_like("100%_\\") == "100\\%\\_\\\\"
