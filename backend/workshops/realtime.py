"""Payloads of the live workshop protocol (frontend-contract/live/) and the unsequenced emits
(the sequenced one writes the log: services.events.emit_sequenced)."""

from typing import Any

from django.utils import timezone

from backend.core.realtime import emit_after_commit, workshop_group
from backend.workshops.models import (
    Activity,
    Idea,
    Participant,
    Workshop,
)

# Channel-layer message types (consumers' handlers): sequenced events reuse the core
# envelope ("realtime.event"); these two are unsequenced and full-state.
TALLY_DIRTY = "tally.dirty"
PRESENCE_REPORT = "workshop.presence"
PRESENCE_REQUEST = "workshop.presence_request"


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def join_url(code: str | None) -> str | None:
    return f"/live/{code}/" if code else None


def workshop_data(workshop: Workshop, *, with_code: bool = True) -> dict[str, Any]:
    """The workshop object; `with_code=False` hides the join code (only the workshop's
    facilitators and the people in the room see it)."""
    code = workshop.join_code if with_code else ""
    return {
        "id": workshop.pk,
        "consultation": workshop.consultation_id,
        "title": workshop.title,
        "place": workshop.place,
        "territory": workshop.territory_id,
        "scheduled_at": _iso(workshop.scheduled_at),
        "status": workshop.status,
        "join_code": code or None,
        "join_url": join_url(code),
        "participation": workshop.participation,
        "current_activity": workshop.current_activity_id,
        "last_seq": workshop.last_seq,
        "opened_at": _iso(workshop.opened_at),
        "closed_at": _iso(workshop.closed_at),
    }


def activity_data(activity: Activity) -> dict[str, Any]:
    vote = None
    if activity.vote is not None:
        vote = {
            "id": activity.vote.pk,
            "method": activity.vote.method,
            "options": activity.vote.options,
            "items": [
                {"id": item.pk, "title": item.title}
                for item in sorted(activity.vote.items.all(), key=lambda item: item.pk)
            ],
        }
    poll = None
    if activity.kind == "poll":
        poll = {
            "multiple": activity.poll_multiple,
            "choices": [
                {"id": choice.pk, "label": choice.label}
                for choice in sorted(activity.choices.all(), key=lambda choice: choice.position)
            ],
        }
    return {
        "id": activity.pk,
        "workshop": activity.workshop_id,
        "kind": activity.kind,
        "title": activity.title,
        "position": activity.position,
        "status": activity.status,
        "duration_seconds": activity.duration_seconds,
        "started_at": _iso(activity.started_at),
        "ends_at": _iso(activity.ends_at),
        "stopped_at": _iso(activity.stopped_at),
        "results_visible": activity.results_visible,
        "idea_kinds": list(activity.idea_kinds),
        "vote": vote,
        "poll": poll,
    }


def participant_name(participant: Participant) -> str:
    if participant.display_name:
        return participant.display_name
    if participant.card is not None:
        return participant.card.label
    return ""


def participant_data(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.pk,
        "display_name": participant_name(participant),
        "card": participant.card_id,
        "signed_in": participant.user_id is not None,
    }


def participant_is_anonymous(participant: Participant) -> bool:
    """A card made by a phone joining by itself: nobody vouched for it (an account or a card
    the facilitator answers for is identified)."""
    return participant.user_id is None and bool(participant.resume_token_digest)


def idea_data(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "activity": idea.activity_id,
        "kind": idea.kind,
        "text": idea.text,
        "status": idea.status,
        "author_name": participant_name(idea.participant),
        "contribution": idea.contribution_id,
        "created_at": _iso(idea.created_at),
    }


def emit_tally_dirty(*, workshop_id: int, activity_id: int) -> None:
    """Answers changed: every worker recomputes the activity's results (coalesced)."""
    emit_after_commit(
        group=workshop_group(workshop_id), event=TALLY_DIRTY, data={"activity": activity_id}
    )
