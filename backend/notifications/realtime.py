"""The per-person websocket group and the frames sent to it."""

from typing import Any

from rest_framework.fields import DateTimeField

from backend.core.realtime import emit_after_commit
from backend.notifications.messages import notification_message
from backend.notifications.models import Notification

# The API's own rendering of datetimes, so a frame and a REST read are byte for byte alike.
_DATETIME = DateTimeField()


def person_group(user_id: int) -> str:
    """Every open socket of one signed-in person (all their devices) joins this group."""
    return f"notifications.person.{user_id}"


def announce_created(*, user_id: int, notification: dict[str, Any], unread_count: int) -> None:
    """`notification.created` after commit, with the notification as REST shows it."""
    emit_after_commit(
        group=person_group(user_id),
        event="notification.created",
        data={"notification": notification, "unread_count": unread_count},
    )


def announce_read(*, user_id: int, ids: list[int] | None, unread_count: int) -> None:
    """`notification.read` after commit (`ids` null: all were marked read), so the person's
    other devices update their badge."""
    emit_after_commit(
        group=person_group(user_id),
        event="notification.read",
        data={"ids": ids, "unread_count": unread_count},
    )


def notification_payload(notification: Notification) -> dict[str, Any]:
    """The notification as clients see it (REST output and websocket frame alike), with its
    message in the active language."""
    is_candidate = notification.candidate_action_id is not None
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "message": notification_message(notification),
        "action_kind": "candidate_action" if is_candidate else "regional_action",
        "action_id": (
            notification.candidate_action_id if is_candidate else notification.regional_action_id
        ),
        "action_title": notification.action_title,
        "consultation": notification.consultation_id,
        "programme": notification.programme_id,
        "decision": notification.decision or None,
        "answer": notification.answer or None,
        "status": notification.status or None,
        "previous_status": notification.previous_status or None,
        "contributions": list(notification.contributions),
        "created_at": _DATETIME.to_representation(notification.created_at),
        "read_at": _DATETIME.to_representation(notification.read_at)
        if notification.read_at
        else None,
    }
