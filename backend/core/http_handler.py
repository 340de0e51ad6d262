"""Django's ASGI handler with each request's middlewares and view on one pool thread.

Django's own handler runs the middleware chain in async mode: sync-only middlewares
(WhiteNoise, ours) are reached through a thread hop, Django's `MiddlewareMixin` middlewares
hop to a thread for each of their `process_*` methods when they run async, and a sync view is
one more hop. Under load those hops (a thread made per request, futures, context copies, the
GIL handed back and forth) cost more CPU than the view itself. Here the chain is built in
sync mode, as under WSGI, and a request crosses to a thread once: middlewares, view,
rendering and the database work of one request all run on one thread of a bounded pool, so
one worker overlaps its requests' database round trips (the pool is sized like the database
connection pool: a thread more would only wait for a connection).

Django's handler also makes a thread for each request (a `ThreadSensitiveContext`) for the
little sync work it does around the view (the request_started and request_finished signals,
closing the response, reading a file response), and another to join it at the end. Here that
thread is one of a free list of single-thread executors, taken for the request and given back
after it (asgiref's `ThreadSensitiveContext(executor=...)`): the same guarantee, one thread for
that request's thread-sensitive calls, without making two threads per request. The list is
not bounded (a slow client holds its executor while its body or answer crawls, as Django's
own thread would); at most IDLE_CONTEXT_THREADS wait unused.

A response streamed from a sync iterator (a stored artifact, a static file) is read chunk by
chunk on that same thread while it is sent: Django's handler would read the whole file into
memory first (and warn), which for a regional open-data archive is tens of megabytes per
download.

Async views still work (Django's sync chain runs them through `async_to_sync` on the
server's loop); the project has none on the HTTP side. Websockets do not come here
(Channels' router sends them to the consumers).
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections, reset_queries
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

from backend.core.realtime import serving_loop

# Single-thread executors kept for the next requests' thread-sensitive calls.
IDLE_CONTEXT_THREADS = 32


class PooledThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.executor = ThreadPoolExecutor(
            max_workers=settings.REQUEST_THREADS, thread_name_prefix="request"
        )
        self._idle_context_executors: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        executor = (
            self._idle_context_executors.pop()
            if self._idle_context_executors
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="request-context")
        )
        try:
            # Django's own context inside this one defers to it (asgiref: only the outermost
            # context without an executor takes effect).
            async with ThreadSensitiveContext(executor=executor):
                await super().__call__(scope, receive, send)
        finally:
            if len(self._idle_context_executors) < IDLE_CONTEXT_THREADS:
                self._idle_context_executors.append(executor)
            else:
                executor.shutdown(wait=False)

    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        response = await super().run_get_response(request)
        if response.streaming and not response.is_async:  # type: ignore[attr-defined]
            stream_from_thread(response)  # type: ignore[arg-type]
        return response

    def load_middleware(self, is_async: bool = False) -> None:
        # The chain is sync whatever Django asks for; `get_response_async` takes it to a
        # thread in one step.
        super().load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        loop = asyncio.get_running_loop()
        return await sync_to_async(self._respond, thread_sensitive=False, executor=self.executor)(
            request, loop
        )

    def _respond(self, request: HttpRequest, loop: asyncio.AbstractEventLoop) -> Any:
        # As request_started and request_finished do around a WSGI request, on the thread
        # that holds the connection: a pool thread serves request after request.
        close_old_connections()
        reset_queries()
        try:
            # Events sent with `group_send_soon` go out on the server's loop while this
            # thread answers.
            with serving_loop(loop):
                return self.get_response(request)
        finally:
            close_old_connections()


def stream_from_thread(response: StreamingHttpResponse) -> None:
    """Make `response` stream its sync iterator one chunk at a time, each read on the
    request's thread-sensitive thread, instead of all at once (its file closers stay)."""
    chunks = iter(cast(Iterator[bytes], response.streaming_content))
    read = sync_to_async(_next_chunk)

    async def each_chunk() -> AsyncIterator[bytes]:
        while (chunk := await read(chunks)) is not None:
            yield chunk

    response.streaming_content = each_chunk()


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)
