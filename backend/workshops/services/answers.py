"""Answers in the room: ballots and poll answers (they mark the results dirty)."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, field_error, raise_if_errors
from backend.votes.models import BallotOrigin
from backend.votes.services import ballot_cast
from backend.workshops.errors import ParticipationRefused
from backend.workshops.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Participant,
    PollAnswer,
    PollChoice,
    WorkshopStatus,
)
from backend.workshops.realtime import (
    emit_tally_dirty,
)


def _open_activity_for_answer(*, activity: Activity, kind: str) -> Activity:
    """Share-lock the activity until commit and check it takes answers now: the workshop is
    open, the activity open, its timer not ended, and it is of the expected kind.

    FOR SHARE: answers do not wait for each other, while stopping the activity (FOR UPDATE)
    waits for the answers in flight, and answers after it see it closed.
    """
    activity = Activity.objects.select_related("workshop", "vote").get(pk=activity.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, ends_at FROM {Activity._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608 (constant identifiers)
            [activity.pk],
        )
        row = cursor.fetchone()
    activity.status, activity.ends_at = row[0], row[1]
    if activity.workshop.status != WorkshopStatus.OPEN:
        raise errors.WorkshopNotOpen(details={"status": activity.workshop.status})
    ended = activity.ends_at is not None and activity.ends_at <= timezone.now()
    if activity.status != ActivityStatus.OPEN or ended:
        raise errors.ActivityClosed(
            details={
                "status": ActivityStatus.CLOSED if ended else activity.status,
                "ends_at": activity.ends_at.isoformat() if activity.ends_at else None,
            }
        )
    if activity.kind != kind:
        raise errors.ValidationFailed(
            fields={
                "activity": [
                    {"code": "wrong_kind", "message": _("This activity does not take this answer.")}
                ]
            }
        )
    return activity


def _check_participant(*, activity: Activity, participant: Participant) -> None:
    if participant.workshop_id != activity.workshop_id:
        raise errors.PermissionDenied()
    # Read again: a connection keeps its participant in memory while a facilitator voids it.
    voided = Participant.objects.filter(pk=participant.pk, voided_at__isnull=False).exists()
    if participant.voided_at is not None or voided:
        raise ParticipationRefused(_("The facilitator set your answers aside."))


@transaction.atomic
def workshop_ballot_submit(
    *,
    activity: Activity,
    participant: Participant,
    choices: Mapping[int, int],
    entered_by: User | None = None,
) -> dict[str, Any]:
    """Cast or replace the participant's ballot on the open vote activity, through the
    engine (ballot_cast, origin workshop). A card's ballot is entered by `entered_by` (the
    facilitator answering for them) or by the workshop's creator (a phone without account).

    Locks: the activity row (shared), then ballot_cast's. Marks the results dirty.
    """
    activity = _open_activity_for_answer(activity=activity, kind=ActivityKind.VOTE)
    _check_participant(activity=activity, participant=participant)
    assert activity.vote is not None  # a vote activity always has its vote
    reference = f"workshop:{activity.workshop_id}"
    if participant.user is not None:
        lines = ballot_cast(
            by=participant.user,
            vote=activity.vote,
            choices=choices,
            origin=BallotOrigin.WORKSHOP,
            paper_reference=reference,
            checked_by_workshop=True,
        )
    else:
        lines = ballot_cast(
            by=entered_by or activity.workshop.created_by,
            vote=activity.vote,
            choices=choices,
            on_behalf_of_card=participant.card,
            origin=BallotOrigin.WORKSHOP,
            paper_reference=reference,
            checked_by_workshop=True,
        )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)
    return {
        "activity": activity.pk,
        "kind": "vote",
        "choices": {str(line.item_id): line.value for line in lines},
    }


@transaction.atomic
def workshop_poll_answer(
    *, activity: Activity, participant: Participant, choices: Sequence[int]
) -> dict[str, Any]:
    """Answer (or change the answer to) the open poll: the participant's choices replace
    the previous ones. Locks: the activity row (shared), an advisory lock per (activity,
    participant); the unique (choice, participant) index keeps one row per choice. Marks the
    results dirty."""
    activity = _open_activity_for_answer(activity=activity, kind=ActivityKind.POLL)
    _check_participant(activity=activity, participant=participant)
    wanted = list(dict.fromkeys(choices))
    known = set(PollChoice.objects.filter(activity=activity).values_list("pk", flat=True))
    fields: FieldErrors = {}
    if not wanted:
        field_error(fields, "choices", "empty", _("Choose at least one answer."))
    if len(wanted) > 1 and not activity.poll_multiple:
        field_error(fields, "choices", "single_choice", _("Choose only one answer."))
    for index, choice in enumerate(wanted):
        if choice not in known:
            field_error(fields, f"choices.{index}", "invalid_choice", _("Unknown choice."))
    raise_if_errors(fields)
    # One participant's answers run one after the other (a double tap keeps one choice).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"poll:{activity.pk}:{participant.pk}"],
        )
    PollAnswer.objects.filter(activity=activity, participant=participant).exclude(
        choice_id__in=wanted
    ).delete()
    PollAnswer.objects.bulk_create(
        [PollAnswer(activity=activity, participant=participant, choice_id=c) for c in wanted],
        ignore_conflicts=True,
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)
    return {"activity": activity.pk, "kind": "poll", "choices": sorted(wanted)}
