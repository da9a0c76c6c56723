"""The immutable query builder (``client.model(ResPartner).filter(...)``) and its two terminal faces."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._core import flows
from ._core.domain import Q, compile_q
from ._core.errors import ClientError
from ._core.query import QuerySpec, parse_order

if TYPE_CHECKING:
    from ._client_base import ClientBase
    from ._core.schema import ModelSchema

__all__ = ["Page", "QueryBase"]

R = TypeVar("R")
S = TypeVar("S", bound="QueryBase[Any]")


class QueryBase(Generic[R]):
    """Every builder method returns a new query; nothing is sent until a terminal method runs."""

    __slots__ = ("_client", "_spec")

    def __init__(self, client: ClientBase, spec: QuerySpec) -> None:
        self._client = client
        self._spec = spec

    def _with(self: S, **changes: Any) -> S:
        return type(self)(self._client, attrs.evolve(self._spec, **changes))

    @property
    def spec(self) -> QuerySpec:
        """The immutable description of this query (model, filter, fields, order, paging, context)."""
        return self._spec

    @property
    def model_name(self) -> str:
        """The Odoo model this query reads, e.g. ``res.partner``."""
        return self._spec.model

    def _schema(self) -> ModelSchema | None:
        return flows.schema_for(self._client._conn, self._spec.model, self._spec.record_cls)

    def _check_field(self, name: str, where: str) -> None:
        schema = self._schema()
        if schema is not None and schema.get(name.split(".")[0].split("__")[0]) is None:
            from ._core.errors import UnknownFieldError

            raise UnknownFieldError(self._spec.model, name, f"in {where}")

    def _and(self: S, q: Q) -> S:
        # compile now so that a bad lookup fails here, before any request (when the schema is known)
        if self._schema() is not None:
            family = self._spec.record_cls
            compile_q(q, self._spec.model, lambda m: flows.schema_for(self._client._conn, m, family))
        where = q if self._spec.where is None else self._spec.where & q
        return self._with(where=where)

    def filter(self: S, *conditions: Q | list[Any], **lookups: Any) -> S:
        """Keep records matching every condition: ``filter(Q(a=1) | Q(b=2), name__ilike="x")``."""
        return self._and(Q(*conditions, **lookups))

    def exclude(self: S, *conditions: Q | list[Any], **lookups: Any) -> S:
        """Drop records matching all the given conditions: ``exclude(active=False)``."""
        return self._and(~Q(*conditions, **lookups))

    def only(self: S, *fields: str) -> S:
        """Read just these fields (plus ``id``); without it a query reads the stored fields and
        ``display_name``. Unknown names fail here, naming the model and field."""
        for f in fields:
            self._check_field(f, "only()")
        return self._with(fields=tuple(dict.fromkeys(fields)))

    def order_by(self: S, *keys: str) -> S:
        """Sort by these fields: ``order_by("-date_order", "name")`` (``-`` for descending)."""
        return self._with(order=parse_order(self._spec.model, self._schema(), keys))

    def limit(self: S, n: int | None) -> S:
        """Read at most ``n`` records (None: no limit)."""
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            raise ClientError(f"{self._spec.model}: limit() takes a whole number >= 0 or None, not {n!r}")
        return self._with(limit=n)

    def offset(self: S, n: int) -> S:
        """Skip the first ``n`` matching records."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ClientError(f"{self._spec.model}: offset() takes a whole number >= 0, not {n!r}")
        return self._with(offset=n)

    def with_context(self: S, **context: Any) -> S:
        """Send these context keys with this query's calls: ``with_context(lang="fr_FR", active_test=False)``."""
        return self._with(context={**self._spec.context, **context})

    def prefetch_related(self: S, *paths: str) -> S:
        """Load related records with one ``read`` per relation level for the whole result set."""
        for p in paths:
            self._check_field(p, "prefetch_related()")
        return self._with(prefetch=tuple(dict.fromkeys(self._spec.prefetch + paths)))

    def select_related(self: S, *paths: str) -> S:
        """Same plan as :meth:`prefetch_related` (Odoo has no joins over RPC)."""
        return self.prefetch_related(*paths)

    def cache(self: S, ttl: float | None = 300.0) -> S:
        """Serve this query's reads from the client's cache for ``ttl`` seconds (a memory cache is set up on
        first use if ``setup_cache_manager`` was not called). Writes through the client drop cached reads
        of the same database."""
        if ttl is not None and ttl <= 0:
            raise ClientError(f"cache(ttl=...) takes a positive number of seconds, not {ttl!r}")
        return self._with(cache_ttl=float(ttl) if ttl is not None else None)

    def group_by(self: S, *groupby: str) -> S:
        """Group for :meth:`aggregate`: field names, dates as ``"date_order:month"``."""
        for g in groupby:
            self._check_field(g.split(":")[0], "group_by()")
        return self._with(groupby=tuple(groupby))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._spec.model} where={self._spec.where!r}>"

    # -- flows, shared by the faces --------------------------------------------------------------------
    def _ctx(self) -> Mapping[str, Any]:
        return self._client._context

    def _get_spec(self, pk: int | None, lookups: dict[str, Any]) -> QuerySpec:
        spec = self._spec
        if pk is not None:
            if not isinstance(pk, int) or isinstance(pk, bool):
                raise ClientError(f"{spec.model}: get() takes an id, not {pk!r}")
            lookups = {"id": pk, **lookups}
        if lookups:
            return self.filter(**lookups)._spec
        return spec

    def _values_spec(self, fields: tuple[str, ...]) -> QuerySpec:
        return self.only(*fields)._spec if fields else self._spec

    # -- the flows behind the terminal methods, built once for both faces -------------------------------
    def _all(self) -> Any:
        return flows.fetch_records(self._client._conn, self._spec, self._ctx(), self._client)

    def _first(self) -> Any:
        return flows.first(self._client._conn, self._spec, self._ctx(), self._client)

    def _get(self, pk: int | None, lookups: dict[str, Any]) -> Any:
        return flows.get(self._client._conn, self._get_spec(pk, lookups), self._ctx(), self._client)

    def _count(self) -> Any:
        return flows.count(self._client._conn, self._spec, self._ctx())

    def _ids(self) -> Any:
        return flows.search_ids(self._client._conn, self._spec, self._ctx())

    def _values(self, fields: tuple[str, ...]) -> Any:
        return flows.values(self._client._conn, self._values_spec(fields), self._ctx())

    def _aggregate(self, aggregates: tuple[str, ...]) -> Any:
        return flows.aggregate(self._client._conn, self._spec, aggregates, self._ctx())

    def _update(self, values: dict[str, Any]) -> Any:
        return flows.update(self._client._conn, self._spec, values, self._ctx())

    def _delete(self) -> Any:
        return flows.delete(self._client._conn, self._spec, self._ctx())

    def _create(self, values: Any) -> Any:
        ctx = {**self._ctx(), **self._spec.context}
        return flows.create(self._client._conn, self._spec.model, values, ctx, self._spec.record_cls)

    def _page(self, after: int, size: int) -> Any:
        return flows.fetch_page(self._client._conn, self._spec, self._ctx(), self._client, after, size)

    def _numbered_page(self, number: int, size: int) -> Any:
        check_page(self._spec, number, size)
        return flows.fetch_numbered_page(
            self._client._conn, self._spec, self._ctx(), self._client, number, size
        )


@attrs.frozen
class Page(Generic[R]):
    """One page of a query (``query.page(number, size)``): its records and the number of matching records,
    told by the same call."""

    records: list[R]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        """How many pages of ``size`` the matching records fill."""
        return -(-self.total // self.size)

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.number < self.pages

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[R]:
        return iter(self.records)


def check_page(spec: QuerySpec, number: int, size: int) -> None:
    for what, n in (("number", number), ("size", size)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ClientError(f"{spec.model}: page() takes a {what} >= 1, not {n!r}")
    if spec.offset or spec.limit is not None:
        raise ClientError(f"{spec.model}: page() sets the offset and limit itself; drop limit() and offset()")


def check_iterate(spec: QuerySpec, batch_size: int) -> int:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ClientError(f"{spec.model}: iterate(batch_size=...) takes a whole number >= 1")
    if spec.order not in ((), ("id",)) or spec.offset or spec.limit is not None:
        raise ClientError(
            f"{spec.model}: iterate() pages by id (keyset); drop order_by(), limit() and offset()"
        )
    return 0


def values_list(model: str, rows: list[dict[str, Any]], fields: tuple[str, ...], flat: bool) -> list[Any]:
    if flat:
        if len(fields) != 1:
            raise ClientError(f"{model}: values_list(flat=True) takes exactly one field")
        return [r.get(fields[0]) for r in rows]
    names = fields or tuple(rows[0]) if rows else fields
    return [tuple(r.get(f) for f in names) for r in rows]
