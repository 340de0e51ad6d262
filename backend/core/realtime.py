"""Realtime events: group names, event envelopes, and sending them after commit."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone


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
        "sent_at": timezone.now().isoformat(),
    }


def emit_after_commit(*, group: str, event: str, data: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (never before).

    Channel layers deliver at most once: clients re-read state over REST after a reconnect.
    `robust=True`: a channel layer that fails (Redis down) is logged, never raised: the write
    is committed, its request must not answer 500, and later on-commit callbacks still run.
    """
    message = event_envelope(event=event, data=data)

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    transaction.on_commit(send, robust=True)


def contribution_event(
    *, event: str, contribution_id: int, consultation_id: int, kind: str
) -> None:
    """A public contribution changed: clients re-read it over REST (drafts never announced)."""
    emit_after_commit(
        group=consultation_group(consultation_id),
        event=event,
        data={"id": contribution_id, "consultation": consultation_id, "kind": kind},
    )
