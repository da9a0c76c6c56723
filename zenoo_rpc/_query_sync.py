# Generated from zenoo_rpc/_query_async.py by tools/async_to_sync.py. Do not edit: change the async source.
"""``SyncQuery``: the terminal methods of a query on the sync face."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from ._query import QueryBase, check_iterate, values_list

__all__ = ["SyncQuery"]

R = TypeVar("R")


class SyncQuery(QueryBase[R]):
    def all(self) -> list[R]:
        records: list[R] = self._client._run(self._all())
        return records

    def first(self) -> R | None:
        record: R | None = self._client._run(self._first())
        return record

    def get(self, pk: int | None = None, **lookups: Any) -> R:
        record: R = self._client._run(self._get(pk, lookups))
        return record

    def count(self) -> int:
        return int(self._client._run(self._count()))

    def exists(self) -> bool:
        return bool(self.limit(1).ids())

    def ids(self) -> list[int]:
        ids: list[int] = self._client._run(self._ids())
        return ids

    def values(self, *fields: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._client._run(self._values(fields))
        return rows

    def values_list(self, *fields: str, flat: bool = False) -> list[Any]:
        return values_list(self._spec.model, self.values(*fields), fields, flat)

    def aggregate(self, *aggregates: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._client._run(self._aggregate(aggregates))
        return rows

    def update(self, **values: Any) -> int:
        return int(self._client._run(self._update(values)))

    def delete(self) -> int:
        return int(self._client._run(self._delete()))

    def create(self, values: Mapping[str, Any] | list[Mapping[str, Any]]) -> Any:
        return self._client._run(self._create(values))

    def iterate(self, batch_size: int = 500) -> Iterator[R]:
        """Stream every matching record, ``batch_size`` at a time, by keyset on ``id`` (constant memory).
        Bad arguments fail here, before anything is sent."""
        first = check_iterate(self._spec, batch_size)

        def pages() -> Iterator[R]:
            last = first
            while True:
                page: list[R] = self._client._run(self._page(last, batch_size))
                yield from page
                if len(page) < batch_size:
                    return
                last = page[-1].id  # type: ignore[attr-defined]

        return pages()
