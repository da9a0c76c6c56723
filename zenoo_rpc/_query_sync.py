# Generated from zenoo_rpc/_query_async.py by tools/async_to_sync.py. Do not edit: change the async source.
"""``SyncQuery``: the terminal methods of a query on the sync face."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ._query import Page, QueryBase, check_iterate, values_list

__all__ = ["SyncQuery"]

R = TypeVar("R")


class SyncQuery(QueryBase[R]):
    """A query of one model: build it with the methods of :class:`QueryBase` (each returns a new query), then
    call a terminal method, which sends the calls. The queries of both clients have the same methods; on
    the async client's, terminals are awaited.

    Every terminal takes ``timeout``: seconds for the whole call, every request, retry and backoff included
    (the client's ``timeout`` when None)."""

    # Every terminal takes ``timeout``: seconds for the whole call, every request, retry and backoff included
    # (the client's ``timeout`` when None); iterate() applies it to each page.
    def all(self, timeout: float | None = None) -> list[R]:
        """Every matching record, with the fields of :meth:`only` (stored fields when not set) and the
        relations of :meth:`prefetch_related` loaded."""
        records: list[R] = self._client._run(self._all(), timeout)
        return records

    def first(self, timeout: float | None = None) -> R | None:
        """The first matching record in the query's order (one read of one row), or None."""
        record: R | None = self._client._run(self._first(), timeout)
        return record

    def get(self, pk: int | None = None, *, timeout: float | None = None, **lookups: Any) -> R:
        """The one record with id ``pk`` and/or matching ``lookups``: ``get(7)``, ``get(ref="X1")``.
        Raises :class:`~zenoo_rpc.DoesNotExist` when none matches and :class:`~zenoo_rpc.MultipleObjectsReturned`
        when several do."""
        record: R = self._client._run(self._get(pk, lookups), timeout)
        return record

    def count(self, timeout: float | None = None) -> int:
        """How many records match (``search_count``; limit and offset apply)."""
        return int(self._client._run(self._count(), timeout))

    def exists(self, timeout: float | None = None) -> bool:
        """Whether any record matches (reads at most one id)."""
        return bool(self.limit(1).ids(timeout))

    def ids(self, timeout: float | None = None) -> list[int]:
        """The ids of the matching records, in the query's order (``search``)."""
        ids: list[int] = self._client._run(self._ids(), timeout)
        return ids

    def values(self, *fields: str, timeout: float | None = None) -> list[dict[str, Any]]:
        """Plain dicts of the named fields (all the query's fields when none is named), as Odoo sends them:
        many2one values as ``[id, display_name]`` or False."""
        rows: list[dict[str, Any]] = self._client._run(self._values(fields), timeout)
        return rows

    def values_list(self, *fields: str, flat: bool = False, timeout: float | None = None) -> list[Any]:
        """Tuples of the named fields' values; with ``flat=True`` and one field, the values themselves."""
        return values_list(self._spec.model, self.values(*fields, timeout=timeout), fields, flat)

    def aggregate(self, *aggregates: str, timeout: float | None = None) -> list[dict[str, Any]]:
        """Grouped totals (``read_group``, or ``formatted_read_group`` on 19.0): ``aggregate("amount_total:sum")``
        after :meth:`group_by`; one dict per group with its keys, the aggregates and ``__count``."""
        rows: list[dict[str, Any]] = self._client._run(self._aggregate(aggregates), timeout)
        return rows

    def update(self, *, timeout: float | None = None, **values: Any) -> int:
        """Write ``values`` on every matching record (one ``search`` and one ``write``); returns how many.
        Values are checked against the schema before anything is sent."""
        return int(self._client._run(self._update(values), timeout))

    def delete(self, timeout: float | None = None) -> int:
        """Delete every matching record (``unlink``); returns how many."""
        return int(self._client._run(self._delete(), timeout))

    def create(
        self, values: Mapping[str, Any] | list[Mapping[str, Any]], timeout: float | None = None
    ) -> Any:
        """Create one record from a mapping (returns its id) or several from a list (returns their ids, in
        one call). Never retried blindly: a lost answer raises :class:`~zenoo_rpc.OutcomeUnknownError`."""
        return self._client._run(self._create(values), timeout)

    def page(self, number: int, size: int, timeout: float | None = None) -> Page[R]:
        """Page ``number`` (from 1) of ``size`` records and the total number of matching records, in one
        call on Odoo 17+ (its count and its records in the same ``web_search_read``)."""
        got: tuple[list[R], int] = self._client._run(self._numbered_page(number, size), timeout)
        return Page(got[0], got[1], number, size)

    def iterate(self, batch_size: int = 500, timeout: float | None = None) -> Iterator[R]:
        """Stream every matching record, ``batch_size`` at a time, by keyset on ``id`` (constant memory);
        on Odoo 17+ each page tells whether another follows, so no empty page is asked for at the end;
        ``timeout`` bounds each page. Bad arguments fail here, before anything is sent."""
        first = check_iterate(self._spec, batch_size)

        def pages() -> Iterator[R]:
            last = first
            while True:
                got: tuple[list[R], bool] = self._client._run(self._page(last, batch_size), timeout)
                page, more = got
                yield from page
                if not more:
                    return
                last = page[-1].id  # type: ignore[attr-defined]

        return pages()
