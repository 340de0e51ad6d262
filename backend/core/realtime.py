"""Realtime events: group names, event envelopes, and sending them after commit."""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)


def consultation_group(consultation_id: int) -> str:
    return f"consultation.{consultation_id}"


def workshop_group(workshop_id: int) -> str:
    return f"workshop.{workshop_id}"


def event_envelope(*, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """The message sent on the channel layer; consumers forward it as JSON to clients."""
    return {
        "type": "realtime.event",
        "event": event,
        "data": data,
        # Local time with its offset (Europe/Paris), as every timestamp of the API.
        "sent_at": timezone.localtime().isoformat(),
    }


def emit_after_commit(*, group: str, event: str, data: dict[str, Any], wait: bool = True) -> None:
    """Send `event` to `group` once the current transaction commits (never before).

    Channel layers deliver at most once: clients re-read state over REST after a reconnect.
    `robust=True`: a channel layer that fails (Redis down) is logged, never raised: the write
    is committed, its request must not answer 500, and later on-commit callbacks still run.

    `wait=False` (`group_send_soon`): the request does not wait for the send, for frequent
    events whose order does not matter (a ballot cast: clients re-read the live counts).
    """
    message = event_envelope(event=event, data=data)
    send = group_send_now if wait else group_send_soon
    transaction.on_commit(lambda: send(group, message), robust=True)


def group_send_now(group: str, message: dict[str, Any]) -> None:
    """Send a message to a group from synchronous code.

    After Redis restarted, the pool's idle connections were closed by the server: the first
    send on one fails with a ConnectionError although Redis is back. That send is retried once
    on a fresh connection (a duplicate is harmless: workshop events carry a sequence number
    the hub deduplicates, other events make clients re-read). Other failures propagate.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except RedisConnectionError:
        logger.info("channel layer connection lost; sending to %s again", group)
        async_to_sync(layer.group_send)(group, message)


# Sends started by group_send_soon and not finished yet (the event loop keeps only weak
# references to its tasks).
_SENDING: set["asyncio.Task[None]"] = set()


def group_send_soon(group: str, message: dict[str, Any]) -> None:
    """`group_send_now` without waiting for it, on a thread serving an ASGI request (asgiref's
    `sync_to_async`): the send is handed to the server's event loop as a task, and the thread
    goes on with the response instead of blocking on a hop to that loop and back. A failure
    is logged there, as on-commit's `robust` logs it (same retry after a lost connection).
    Only where the server's loop was declared (`serving_loop`, see core.http_handler);
    anywhere else (Django's test client, commands, job workers): `group_send_now`.
    """
    loop = _serving_loop()
    if loop is None:
        group_send_now(group, message)
        return
    loop.call_soon_threadsafe(_start_send, group, message)


def _serving_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the ASGI server this request is served by, when the handler
    said so (`serving_loop`)."""
    loop = _SERVING_LOOP.get()
    return loop if loop is not None and loop.is_running() else None


_SERVING_LOOP: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar(
    "serving_loop", default=None
)


@contextmanager
def serving_loop(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Within this block (and the threads `sync_to_async` runs from it, which copy the
    context), `group_send_soon` hands its sends to `loop`: the ASGI server's own loop, which
    keeps running after the request (never a loop asgiref makes for one call)."""
    token = _SERVING_LOOP.set(loop)
    try:
        yield
    finally:
        _SERVING_LOOP.reset(token)


def _start_send(group: str, message: dict[str, Any]) -> None:
    task = asyncio.ensure_future(_send_retrying(group, message))
    _SENDING.add(task)
    task.add_done_callback(_sent)


async def _send_retrying(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, message)
    except RedisConnectionError:
        logger.info("channel layer connection lost; sending to %s again", group)
        await layer.group_send(group, message)


def _sent(task: "asyncio.Task[None]") -> None:
    _SENDING.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("channel layer send failed", exc_info=error)


def contribution_event(
    *, event: str, contribution_id: int, consultation_id: int, kind: str
) -> None:
    """A public contribution changed: clients re-read it over REST (drafts never announced)."""
    emit_after_commit(
        group=consultation_group(consultation_id),
        event=event,
        data={"id": contribution_id, "consultation": consultation_id, "kind": kind},
    )
