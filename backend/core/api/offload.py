"""Run a busy sync endpoint on a pool thread so that one ASGI worker overlaps its requests.

Under ASGI, Django runs every sync view on one shared thread (thread-sensitive), so a worker
serves one request at a time and waits for each database round trip in turn. A view wrapped
here is an async view that runs the whole sync view (DRF parsing, service, rendering) in
asgiref's thread pool instead: requests overlap while one waits for PostgreSQL, and the
thread returns its connection to the pool (or closes it) when the request ends. Middlewares
still run as usual. Use it only for views that touch no thread-bound state but the database
connection (`connections` are per thread; transactions stay within the view).
"""

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import HttpRequest, HttpResponseBase

from backend.core.realtime import serving_loop


def on_pool_thread(view: Callable[..., HttpResponseBase]) -> Callable[..., Any]:
    """`view` (a sync view function, e.g. `SomeAPIView.as_view()`) as an async view whose body
    runs on a pool thread; attributes (`cls`, `csrf_exempt`...) are kept for URL
    introspection and the OpenAPI generator."""

    def rendered(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        render = getattr(response, "render", None)
        return render() if callable(render) else response

    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        close_old_connections()
        try:
            return rendered(request, *args, **kwargs)
        finally:
            # Give the connection back (to the pool when there is one) before the thread
            # serves another request; a transaction never outlives the view.
            for connection in connections.all(initialized_only=True):
                connection.close()

    @functools.wraps(view)
    async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if isinstance(request, ASGIRequest):
            # The server's loop: events sent with `group_send_soon` go out on it while the
            # pool thread answers.
            with serving_loop(asyncio.get_running_loop()):
                return await sync_to_async(run, thread_sensitive=False)(request, *args, **kwargs)
        # WSGI (and Django's test client): back on the calling thread, with its connection.
        return await sync_to_async(rendered, thread_sensitive=True)(request, *args, **kwargs)

    return async_view
