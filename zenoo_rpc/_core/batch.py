"""Batch plans: split large creates/updates/deletes into chunks, run a bounded number at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from . import flows
from .connection import Connection
from .errors import BatchError, ClientError, ZenooError
from .wire import Flow, Parallel

__all__ = ["BatchOperation", "BatchResult", "chunks", "run_batch"]


@attrs.define
class BatchOperation:
    kind: str  # "create" | "update" | "delete"
    model: str
    payload: list[Any]


@attrs.define
class BatchResult:
    operation: BatchOperation
    result: list[Any] = attrs.field(factory=list)
    calls: int = 0


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    if size < 1:
        raise ClientError(f"chunk size must be at least 1, not {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _update_groups(model: str, updates: list[Mapping[str, Any]]) -> list[tuple[list[int], dict[str, Any]]]:
    """Records that get the same values share one ``write``."""
    groups: dict[str, tuple[list[int], dict[str, Any]]] = {}
    for item in updates:
        if "id" not in item:
            raise ClientError(f"{model}: every update needs an 'id' key, got {sorted(item)}")
        vals = {k: v for k, v in item.items() if k != "id"}
        key = json.dumps(vals, sort_keys=True, default=str)
        groups.setdefault(key, ([], vals))[0].append(int(item["id"]))
    return list(groups.values())


def _check_values(
    conn: Connection, operations: list[BatchOperation], context: Mapping[str, Any]
) -> Flow[None]:
    """Every value of every operation checked against its model before the first chunk is sent: a bad value
    fails the whole batch with nothing applied, not one chunk after others were (the chunks check again)."""
    for op in operations:
        if op.kind == "create":
            yield from flows.checked_values(conn, op.model, list(op.payload), context, None)
        elif op.kind == "update":
            groups = _update_groups(op.model, op.payload)
            yield from flows.checked_values(conn, op.model, [vals for _, vals in groups], context, None)


def run_batch(
    conn: Connection,
    operations: list[BatchOperation],
    *,
    chunk_size: int,
    concurrency: int,
    context: Mapping[str, Any],
    progress: Callable[[int, int], None] | None = None,
) -> Flow[list[BatchResult]]:
    yield from _check_values(conn, operations, context)
    jobs: list[list[tuple[int, list[Any], Any]]] = []  # per operation: (operation index, chunk, flow factory)
    for index, op in enumerate(operations):
        op_jobs: list[tuple[int, list[Any], Any]] = []
        if op.kind == "create":
            for part in chunks(op.payload, chunk_size):
                op_jobs.append((index, part, lambda p=part, m=op.model: flows.create(conn, m, p, context)))
        elif op.kind == "update":
            for ids, vals in _update_groups(op.model, op.payload):
                for part in chunks(ids, chunk_size):
                    op_jobs.append(
                        (index, part, lambda p=part, v=vals, m=op.model: flows.write(conn, m, p, v, context))
                    )
        elif op.kind == "delete":
            for part in chunks([int(i) for i in op.payload], chunk_size):
                op_jobs.append(
                    (
                        index,
                        part,
                        lambda p=part, m=op.model: flows.call(conn, m, "unlink", [p], None, context),
                    )
                )
        else:
            raise ClientError(f"unknown batch operation {op.kind!r}")
        jobs.append(op_jobs)
    results = [BatchResult(op) for op in operations]
    failures: list[tuple[int, list[Any], ZenooError]] = []
    total = sum(len(j) for j in jobs)
    done = 0
    # operations apply in the order they were given; only the chunks of one operation overlap
    for op_jobs in jobs:
        for wave in chunks(op_jobs, max(1, concurrency)) if op_jobs else []:
            # each chunk is a call of its own: it gets the client's deadline, not a share of the batch's
            answers = yield Parallel(
                tuple(flows.captured(factory()) for _, _, factory in wave), own_deadline=True
            )
            for (index, part, _), answer in zip(wave, answers):
                res = results[index]
                res.calls += 1
                if isinstance(answer, flows.Failed):
                    failures.append((index, part, answer.error))
                elif isinstance(answer, list):
                    res.result.extend(answer)
                else:
                    res.result.append(answer)
            done += len(wave)
            if progress is not None:
                progress(done, total)
    if failures:
        raise BatchError(results, failures)
    return results
