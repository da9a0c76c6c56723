"""Property-based: random lookups and Q trees give well-formed prefix domains, and the emulator selects exactly
the records a plain Python evaluation of the same predicate selects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zenoo_rpc import Q, SyncZenooClient
from zenoo_rpc._core.domain import compile_q
from zenoo_rpc.testing import OdooEmulator

FIELDS = ["id", "name", "is_company", "customer_rank", "color", "email"]
Pred = Callable[[dict[str, Any]], bool]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


LEAVES: dict[str, tuple[st.SearchStrategy[Any], Callable[[str, Any], Pred]]] = {
    "exact": (st.integers(0, 70), lambda f, v: lambda r: r[f] == v),
    "ne": (st.integers(0, 70), lambda f, v: lambda r: r[f] != v),
    "gt": (st.integers(0, 70), lambda f, v: lambda r: r[f] > v),
    "gte": (st.integers(0, 70), lambda f, v: lambda r: r[f] >= v),
    "lt": (st.integers(0, 70), lambda f, v: lambda r: r[f] < v),
    "lte": (st.integers(0, 70), lambda f, v: lambda r: r[f] <= v),
    "in": (st.lists(st.integers(0, 70), max_size=5), lambda f, v: lambda r: r[f] in v),
    "not_in": (st.lists(st.integers(0, 70), max_size=5), lambda f, v: lambda r: r[f] not in v),
}
TEXT = st.text(alphabet="aeiouAEIOU rnst%_\\", max_size=3)
TEXT_LEAVES: dict[str, Callable[[str, str], Pred]] = {
    "contains": lambda f, v: lambda r: v in _text(r[f]),
    "icontains": lambda f, v: lambda r: v.casefold() in _text(r[f]).casefold(),
    "startswith": lambda f, v: lambda r: _text(r[f]).startswith(v),
    "istartswith": lambda f, v: lambda r: _text(r[f]).casefold().startswith(v.casefold()),
    "endswith": lambda f, v: lambda r: _text(r[f]).endswith(v),
    "iendswith": lambda f, v: lambda r: _text(r[f]).casefold().endswith(v.casefold()),
}


@st.composite
def leaf(draw: st.DrawFn) -> tuple[Q, Pred]:
    kind = draw(st.sampled_from(["int", "text", "bool", "null"]))
    if kind == "int":
        field = draw(st.sampled_from(["id", "customer_rank", "color"]))
        lookup = draw(st.sampled_from(sorted(LEAVES)))
        value = draw(LEAVES[lookup][0])
        return Q(**{f"{field}__{lookup}": value}), LEAVES[lookup][1](field, value)
    if kind == "text":
        lookup = draw(st.sampled_from(sorted(TEXT_LEAVES)))
        value = draw(TEXT)
        return Q(**{f"name__{lookup}": value}), TEXT_LEAVES[lookup]("name", value)
    if kind == "bool":
        value = draw(st.booleans())
        return Q(is_company=value), lambda r: r["is_company"] is value
    null = draw(st.booleans())
    return Q(email__isnull=null), lambda r: (r["email"] is False) is null


def tree(children: st.SearchStrategy[tuple[Q, Pred]]) -> st.SearchStrategy[tuple[Q, Pred]]:
    def combine(args: tuple[str, tuple[Q, Pred], tuple[Q, Pred]]) -> tuple[Q, Pred]:
        op, (qa, pa), (qb, pb) = args
        if op == "and":
            return qa & qb, lambda r: pa(r) and pb(r)
        if op == "or":
            return qa | qb, lambda r: pa(r) or pb(r)
        return ~qa, lambda r: not pa(r)

    return st.tuples(st.sampled_from(["and", "or", "not"]), children, children).map(combine)


QUERIES = st.recursive(leaf(), tree, max_leaves=8)


def well_formed(domain: list[Any]) -> bool:
    need = 1
    for item in domain:
        if need == 0:
            return False
        if item in ("&", "|"):
            need += 1
        elif item == "!":
            pass
        else:
            assert isinstance(item, tuple) and len(item) == 3
            need -= 1
    return need == 0 or not domain


@pytest.fixture(scope="module")
def world(emulators: dict[str, OdooEmulator]) -> Any:
    odoo = emulators["17.0"]
    client = SyncZenooClient(odoo.url).with_context(active_test=False)
    client.login("demo", "admin", "admin")
    rows = client.model_by_name("res.partner").values(*FIELDS)
    yield client, rows
    client.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUERIES)
def test_domains_are_well_formed_and_evaluated_like_python(world: Any, q_pred: tuple[Q, Pred]) -> None:
    client, rows = world
    q, pred = q_pred
    domain = compile_q(q, "res.partner", lambda m: None)
    assert well_formed(domain), domain
    expected = sorted(r["id"] for r in rows if pred(r))
    got = sorted(client.model_by_name("res.partner").filter(q).ids())
    assert got == expected, domain


def test_not_of_everything_is_nothing(world: Any) -> None:
    client, rows = world
    assert client.model_by_name("res.partner").filter(~Q()).ids() == []
    assert len(client.model_by_name("res.partner").filter(Q()).ids()) == len(rows)
