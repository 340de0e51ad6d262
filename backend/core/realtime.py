"""Realtime events: group names, event envelopes, and sending them after commit."""

import logging
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


def emit_after_commit(*, group: str, event: str, data: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (never before).

    Channel layers deliver at most once: clients re-read state over REST after a reconnect.
    `robust=True`: a channel layer that fails (Redis down) is logged, never raised: the write
    is committed, its request must not answer 500, and later on-commit callbacks still run.
    """
    message = event_envelope(event=event, data=data)
    transaction.on_commit(lambda: group_send_now(group, message), robust=True)


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


def contribution_event(
    *, event: str, contribution_id: int, consultation_id: int, kind: str
) -> None:
    """A public contribution changed: clients re-read it over REST (drafts never announced)."""
    emit_after_commit(
        group=consultation_group(consultation_id),
        event=event,
        data={"id": contribution_id, "consultation": consultation_id, "kind": kind},
    )
