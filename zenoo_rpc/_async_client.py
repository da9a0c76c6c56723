# async-only
"""``ZenooClient``: the async face. It runs the core's flows over aiohttp; it holds no business logic.

The sync face (``_sync_client.py``) is generated from this file by ``tools/async_to_sync.py``.
"""
# end-async-only
# sync-only
# """``SyncZenooClient``: the sync face. It runs the core's flows over requests; no business logic."""
# end-sync-only

from __future__ import annotations

import asyncio  # sync: import threading
import inspect  # sync: -
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._cache import DEFAULT_RETRY_INTERVAL, DEFAULT_TIMEOUT, AsyncRedisBackend, CacheBackend, CacheManager
from ._client_base import ClientBase
from ._core import flows
from ._core.errors import ZenooError
from ._core.records import BaseRecord
from ._core.resilience import Deadline
from ._core.session import SessionStore
from ._core.wire import CacheDrop, CacheGet, CachePut, CurrentDeadline, Once, Parallel, RequestSpec, Sleep
from ._query_async import AsyncQuery
from ._transport_aiohttp import AiohttpTransport

# sync-only
# import contextvars
# import time
#
# from ._fork import ProcessLocal
#
# if TYPE_CHECKING:
#     import concurrent.futures
# end-sync-only

R = TypeVar("R", bound=BaseRecord)

__all__ = ["ZenooClient"]

# sync-only
#
#
# class _OnceRuns:
#     """The Once runs in flight of one client (key -> the future its first caller fills), per process."""
#
#     def __init__(self) -> None:
#         self.lock = threading.Lock()
#         self.running: dict[str, concurrent.futures.Future[Any]] = {}
# end-sync-only


class ZenooClient(ClientBase):
    """Async Odoo client. ``async with ZenooClient("localhost", port=8069) as client: ...``"""  # sync: """Sync Odoo client, safe to share between threads (one per process in a Django app)."""

    _query_cls = AsyncQuery
    _transport: AiohttpTransport

    def _make_transport(self) -> AiohttpTransport:
        # async-only
        self._limit: asyncio.Semaphore | None = None
        self._limit_loop: asyncio.AbstractEventLoop | None = None
        # end-async-only
        # sync-only
        # # the worker threads of parallel flows and the Once runs in flight, shared with the with_context()
        # # views; a forked child starts without the parent's (whose threads it does not have) and makes its
        # # own on first use
        # self._pool = ProcessLocal(self._new_pool)
        # self._once = ProcessLocal(_OnceRuns)
        # end-sync-only
        return AiohttpTransport(self._conn.base_url, self._settings)

    if TYPE_CHECKING:  # narrower types for the checker; the implementations are ClientBase's

        @overload
        def model(self, model: type[R]) -> AsyncQuery[R]: ...
        @overload
        def model(self, model: str) -> AsyncQuery[Any]: ...
        def model(self, model: type[R] | str) -> AsyncQuery[Any]: ...
        def model_by_name(self, name: str) -> AsyncQuery[Any]: ...
        def with_context(self, **context: Any) -> ZenooClient: ...
        def with_company(self, company_id: int, *allowed: int) -> ZenooClient: ...

    # -- the driver --------------------------------------------------------------------------------------
    async def _run(self, flow: Any, timeout: float | None = None, deadline: Deadline | None = None) -> Any:
        """Run a flow to its end. The call's deadline (``timeout`` seconds, the client's ``timeout`` when None)
        bounds every request, retry and backoff in it; nested flows share their parent's ``deadline``."""
        if deadline is None:
            deadline = self._deadline(timeout)
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = flow.throw(error) if error is not None else flow.send(value)
            except StopIteration as stop:
                return stop.value
            value, error = None, None
            try:
                value = await self._perform(effect, deadline)
            except ZenooError as exc:
                error = exc

    async def _perform(self, effect: Any, deadline: Deadline) -> Any:
        if isinstance(effect, RequestSpec):
            # async-only
            loop = asyncio.get_running_loop()
            if self._limit is None or self._limit_loop is not loop:  # asyncio primitives belong to one loop
                self._limit = asyncio.Semaphore(self._settings.max_concurrency)
                self._limit_loop = loop
            async with self._limit:
                with self._instrument.sending:
                    return await self._transport.send(effect)
            # end-async-only
            # sync-only
            # with self._instrument.sending:
            #     return self._transport.send(effect)
            # end-sync-only
        if isinstance(effect, Parallel):
            # async-only
            # every sibling finishes before an error is raised: none is left running unobserved
            shared = None if effect.own_deadline else deadline
            results = await asyncio.gather(
                *(self._run(f, deadline=shared) for f in effect.flows), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return results
            # end-async-only
            # sync-only
            # return self._run_parallel(effect.flows, None if effect.own_deadline else deadline)
            # end-sync-only
        if isinstance(effect, CurrentDeadline):
            return deadline
        if isinstance(effect, Once):
            return await self._run_once(effect)
        if isinstance(effect, Sleep):
            await asyncio.sleep(effect.seconds)  # sync: time.sleep(effect.seconds)
            return None
        if isinstance(effect, tuple):  # a cache manager's backend operation
            backend, method, args = effect
            result = getattr(backend, method)(*args)
            return await result if inspect.isawaitable(result) else result  # sync: return result
        if isinstance(effect, (CacheGet, CachePut, CacheDrop)):
            flow = self._cache_flow(effect)
            return await self._run(flow, deadline=deadline) if flow is not None else None
        raise TypeError(f"unknown effect {effect!r}")

    # async-only
    async def _run_once(self, effect: Once) -> Any:
        """One run per key among the client's flows in flight (with_context() views share them)."""
        loop = asyncio.get_running_loop()
        running: dict[str, asyncio.Task[Any]] = self._shared.setdefault("once", {})
        task = running.get(effect.key)
        if task is None or task.get_loop() is not loop:
            task = loop.create_task(self._run(effect.flow))
            running[effect.key] = task
            task.add_done_callback(
                lambda t: running.pop(effect.key) if running.get(effect.key) is t else None
            )
        else:
            effect.flow.close()
        return await asyncio.shield(task)  # a cancelled waiter does not cancel the others' run

    # end-async-only
    # sync-only
    # def _run_once(self, effect: Once) -> Any:
    #     """One run per key among the client's flows in flight (threads, with_context() views)."""
    #     import concurrent.futures  # imported by the first parallel run, not by every process
    #
    #     runs = self._once.get()
    #     with runs.lock:
    #         entry = runs.running.get(effect.key)
    #         owner = entry is None
    #         if entry is None:
    #             entry = runs.running[effect.key] = concurrent.futures.Future()
    #     if not owner:
    #         effect.flow.close()
    #         return entry.result()
    #     try:
    #         entry.set_result(self._run(effect.flow))
    #     except BaseException as exc:
    #         entry.set_exception(exc)
    #     finally:
    #         with runs.lock:
    #             runs.running.pop(effect.key, None)
    #     return entry.result()

    # end-sync-only
    # sync-only
    # _worker = threading.local()
    #
    # def _new_pool(self) -> concurrent.futures.ThreadPoolExecutor:
    #     import concurrent.futures
    #
    #     return concurrent.futures.ThreadPoolExecutor(self._settings.max_concurrency, thread_name_prefix="zenoo-rpc")
    #
    # def _run_parallel(self, flows: tuple[Any, ...], deadline: Deadline | None) -> list[Any]:
    #     """Independent flows (sibling prefetches, batch chunks) on up to ``max_concurrency`` threads; a
    #     flow already on a worker runs its own in turn, so the pool never waits on itself."""
    #     if len(flows) < 2 or self._settings.max_concurrency < 2 or getattr(self._worker, "busy", False):
    #         return [self._run(f, deadline=deadline) for f in flows]
    #     pool = self._pool.get()
    #
    #     def work(flow: Any) -> Any:
    #         self._worker.busy = True
    #         try:
    #             return self._run(flow, deadline=deadline)
    #         finally:
    #             self._worker.busy = False
    #
    #     # each worker runs in a copy of the caller's context (OpenTelemetry's current span, contextvars)
    #     import concurrent.futures
    #
    #     futures = [pool.submit(contextvars.copy_context().run, work, f) for f in flows]
    #     concurrent.futures.wait(futures)  # every sibling finishes before an error is raised
    #     return [f.result() for f in futures]
    #
    # end-sync-only
    # -- public API (the same methods on both faces) ----------------------------------------------------
    async def login(
        self, db: str, username: str, password: str, *, session_store: SessionStore | None = None
    ) -> int:
        """Log in once with a password; returns the uid. Raises AuthenticationError when refused.

        ``session_store`` shares the login with other clients (processes, event loops): the session saved
        there for this login is adopted without a call, or this client logs in and saves its session; an
        expired session is renewed once for all of them. The store never sees the password."""
        flow = flows.login(self._conn, db, username, password, store=session_store)
        return await self._run(flow)  # type: ignore[no-any-return]

    async def login_with_api_key(
        self, db: str, login: str, api_key: str, *, session_store: SessionStore | None = None
    ) -> int:
        """Log in with an API key: JSON-2 on Odoo 19+ (protocol="auto"), the key as password before.
        ``session_store`` as in :meth:`login` (JSON-2 shares the uid and server version: no login call)."""
        flow = flows.login(self._conn, db, login, api_key, api_key=True, store=session_store)
        return await self._run(flow)  # type: ignore[no-any-return]

    async def version(self) -> dict[str, Any]:
        """The server's version (``server_version``, ``server_version_info``, ``server_serie``), asked once
        per client; a password login already told it."""
        return await self._run(flows.version(self._conn))  # type: ignore[no-any-return]

    async def list_databases(self) -> list[str]:
        """The databases the server lists (``/web/database/list``; servers may forbid listing)."""
        return await self._run(flows.service(self._conn, "db", "list", []))  # type: ignore[no-any-return]

    async def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Call ``model.method(*args, **kwargs)``; ``timeout`` bounds the call, retries included (the
        client's ``timeout`` when None)."""
        flow = flows.call(self._conn, model, method, list(args or []), kwargs, self._context)
        return await self._run(flow, timeout)

    async def call(
        self, model: str, method: str, *args: Any, timeout: float | None = None, **kwargs: Any
    ) -> Any:
        """``call("res.partner", "search", [], limit=5)``; ``timeout`` as in :meth:`execute_kw` (pass an Odoo
        argument named ``timeout`` through :meth:`execute_kw`)."""
        return await self._run(
            flows.call(self._conn, model, method, list(args), kwargs, self._context), timeout
        )

    async def create(self, model: str, values: Any, timeout: float | None = None) -> Any:
        """Create one record (a dict: returns its id) or many in ONE call (a list: returns the ids)."""
        return await self._run(flows.create(self._conn, model, values, self._context), timeout)

    async def setup_cache_manager(
        self,
        backend: str | CacheBackend = "memory",
        *,
        url: str | None = None,
        max_size: int = 10_000,
        default_ttl: float | None = 300.0,
        strategy: str = "lru",
        prefix: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
    ) -> CacheManager:
        """Add a cache tier: ``memory`` (cachetools) and/or ``redis``; both together are tiered. A backend
        object (such as ``zenoo_rpc.contrib.django``'s Django cache adapter) is added as a tier of its own.

        A Redis tier that takes longer than ``timeout`` seconds to connect or to answer is skipped (reads
        go to Odoo) and tried again after ``retry_interval`` seconds, doubled after each failed try up to 30.
        """
        return self._setup_cache(
            backend, url, max_size, default_ttl, strategy, prefix, AsyncRedisBackend, timeout, retry_interval
        )

    async def setup_batch_manager(
        self,
        max_chunk_size: int = 100,
        max_concurrency: int = 10,
        retry_attempts: int = 3,
        progress_callback: Any = None,
    ) -> dict[str, Any]:
        """Defaults of ``batch_context()``: chunk size, chunks in flight at once, attempts of a failed read, and
        ``progress_callback(done_chunks, total_chunks)`` called after each wave. Returns the settings."""
        return self._batch_settings(max_chunk_size, max_concurrency, retry_attempts, progress_callback)

    async def close(self) -> None:
        """Close the connections, worker threads and cache clients; the client cannot be used after."""
        # sync-only
        # pool = self._pool.pop()
        # if pool is not None:
        #     pool.shutdown(wait=True)
        # end-sync-only
        await self._transport.close()
        manager = self._cache_manager(create=False)
        if manager is not None:
            for tier in manager.tiers.values():
                closing = getattr(tier, "close", None)
                if closing is not None:
                    await closing()

    async def __aenter__(self) -> ZenooClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
