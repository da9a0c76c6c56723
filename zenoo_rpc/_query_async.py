# async-only
"""``AsyncQuery``: the terminal methods of a query on the async face.

The sync face (``_query_sync.py``) is generated from this file by ``tools/async_to_sync.py``.
"""
# end-async-only
# sync-only
# """``SyncQuery``: the terminal methods of a query on the sync face."""
# end-sync-only

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

from ._query import Page, QueryBase, check_iterate, values_list

__all__ = ["AsyncQuery"]

R = TypeVar("R")


class AsyncQuery(QueryBase[R]):
    # Every terminal takes ``timeout``: seconds for the whole call, every request, retry and backoff included
    # (the client's ``timeout`` when None); iterate() applies it to each page.
    async def all(self, timeout: float | None = None) -> list[R]:
        records: list[R] = await self._client._run(self._all(), timeout)
        return records

    async def first(self, timeout: float | None = None) -> R | None:
        record: R | None = await self._client._run(self._first(), timeout)
        return record

    async def get(self, pk: int | None = None, *, timeout: float | None = None, **lookups: Any) -> R:
        record: R = await self._client._run(self._get(pk, lookups), timeout)
        return record

    async def count(self, timeout: float | None = None) -> int:
        return int(await self._client._run(self._count(), timeout))

    async def exists(self, timeout: float | None = None) -> bool:
        return bool(await self.limit(1).ids(timeout))

    async def ids(self, timeout: float | None = None) -> list[int]:
        ids: list[int] = await self._client._run(self._ids(), timeout)
        return ids

    async def values(self, *fields: str, timeout: float | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._client._run(self._values(fields), timeout)
        return rows

    async def values_list(self, *fields: str, flat: bool = False, timeout: float | None = None) -> list[Any]:
        return values_list(self._spec.model, await self.values(*fields, timeout=timeout), fields, flat)

    async def aggregate(self, *aggregates: str, timeout: float | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._client._run(self._aggregate(aggregates), timeout)
        return rows

    async def update(self, *, timeout: float | None = None, **values: Any) -> int:
        return int(await self._client._run(self._update(values), timeout))

    async def delete(self, timeout: float | None = None) -> int:
        return int(await self._client._run(self._delete(), timeout))

    async def create(
        self, values: Mapping[str, Any] | list[Mapping[str, Any]], timeout: float | None = None
    ) -> Any:
        return await self._client._run(self._create(values), timeout)

    async def page(self, number: int, size: int, timeout: float | None = None) -> Page[R]:
        """Page ``number`` (from 1) of ``size`` records and the total number of matching records, in one
        call on Odoo 17+ (its count and its records in the same ``web_search_read``)."""
        got: tuple[list[R], int] = await self._client._run(self._numbered_page(number, size), timeout)
        return Page(got[0], got[1], number, size)

    def iterate(self, batch_size: int = 500, timeout: float | None = None) -> AsyncIterator[R]:
        """Stream every matching record, ``batch_size`` at a time, by keyset on ``id`` (constant memory);
        on Odoo 17+ each page tells whether another follows, so no empty page is asked for at the end;
        ``timeout`` bounds each page. Bad arguments fail here, before anything is sent."""
        first = check_iterate(self._spec, batch_size)

        async def pages() -> AsyncIterator[R]:
            last = first
            while True:
                got: tuple[list[R], bool] = await self._client._run(self._page(last, batch_size), timeout)
                page, more = got
                for rec in page:  # sync: yield from page
                    yield rec  # sync: -
                if not more:
                    return
                last = page[-1].id  # type: ignore[attr-defined]

        return pages()
