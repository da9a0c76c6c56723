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

from ._query import QueryBase, check_iterate, values_list

__all__ = ["AsyncQuery"]

R = TypeVar("R")


class AsyncQuery(QueryBase[R]):
    async def all(self) -> list[R]:
        records: list[R] = await self._client._run(self._all())
        return records

    async def first(self) -> R | None:
        record: R | None = await self._client._run(self._first())
        return record

    async def get(self, pk: int | None = None, **lookups: Any) -> R:
        record: R = await self._client._run(self._get(pk, lookups))
        return record

    async def count(self) -> int:
        return int(await self._client._run(self._count()))

    async def exists(self) -> bool:
        return bool(await self.limit(1).ids())

    async def ids(self) -> list[int]:
        ids: list[int] = await self._client._run(self._ids())
        return ids

    async def values(self, *fields: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._client._run(self._values(fields))
        return rows

    async def values_list(self, *fields: str, flat: bool = False) -> list[Any]:
        return values_list(self._spec.model, await self.values(*fields), fields, flat)

    async def aggregate(self, *aggregates: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._client._run(self._aggregate(aggregates))
        return rows

    async def update(self, **values: Any) -> int:
        return int(await self._client._run(self._update(values)))

    async def delete(self) -> int:
        return int(await self._client._run(self._delete()))

    async def create(self, values: Mapping[str, Any] | list[Mapping[str, Any]]) -> Any:
        return await self._client._run(self._create(values))

    def iterate(self, batch_size: int = 500) -> AsyncIterator[R]:
        """Stream every matching record, ``batch_size`` at a time, by keyset on ``id`` (constant memory).
        Bad arguments fail here, before anything is sent."""
        first = check_iterate(self._spec, batch_size)

        async def pages() -> AsyncIterator[R]:
            last = first
            while True:
                page: list[R] = await self._client._run(self._page(last, batch_size))
                for rec in page:  # sync: yield from page
                    yield rec  # sync: -
                if len(page) < batch_size:
                    return
                last = page[-1].id  # type: ignore[attr-defined]

        return pages()
