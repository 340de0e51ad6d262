"""Ideas captured in the room and their moderation (an approved idea may become a contribution)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import (
    ConsentNote,
    ContributionKind,
)
from backend.proposals.services import contribution_create
from backend.workshops.models import (
    IDEA_MAX_LENGTH,
    Activity,
    ActivityKind,
    EventAudience,
    Idea,
    IdeaStatus,
    Participant,
)
from backend.workshops.realtime import (
    emit_tally_dirty,
    idea_data,
)
from backend.workshops.services.answers import _check_participant, _open_activity_for_answer
from backend.workshops.services.events import emit_sequenced
from backend.workshops.services.rooms import _lock_workshop, ensure_runs

IDEA_TITLE_LENGTH = 80


@transaction.atomic
def idea_submit(*, activity: Activity, participant: Participant, kind: str, text: str) -> Idea:
    """Post a short idea to the open idea capture: it waits for the facilitator.

    Locks: the workshop row first (the event's sequence number; taken before the activity,
    in the same order as starting and stopping, so they cannot deadlock), then the activity
    (shared). Emits the sequenced `idea.submitted` (facilitators).
    """
    _lock_workshop(activity.workshop_id)
    activity = _open_activity_for_answer(activity=activity, kind=ActivityKind.IDEA_CAPTURE)
    _check_participant(activity=activity, participant=participant)
    fields: FieldErrors = {}
    if kind not in (activity.idea_kinds or ContributionKind.values):
        field_error(fields, "kind", "invalid_choice", _("This activity does not take this kind."))
    check_text(fields, "text", text, limit=IDEA_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    idea = Idea.objects.create(activity=activity, participant=participant, kind=kind, text=text)
    idea = Idea.objects.select_related("participant__card").get(pk=idea.pk)
    emit_sequenced(
        workshop_id=activity.workshop_id,
        event="idea.submitted",
        data={"idea": idea_data(idea)},
        audience=EventAudience.FACILITATORS,
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)
    return idea


def _idea_title(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else text
    if len(first_line) <= IDEA_TITLE_LENGTH:
        return first_line
    return first_line[: IDEA_TITLE_LENGTH - 1].rstrip() + "…"


@transaction.atomic
def idea_moderate(
    *,
    by: User,
    idea: Idea,
    decision: str,
    text: str | None = None,
    kind: str | None = None,
) -> Idea:
    """Approve (optionally corrected) or reject a pending idea. Approving creates a published
    contribution through contribution_create (origin workshop, the participant's account or
    card as author, the facilitator entering it): the consultation's phase gate applies.

    Lock: the idea row. Emits the sequenced `idea.approved` (everyone) or `idea.rejected`
    (facilitators).
    """
    idea = (
        Idea.objects.select_for_update(of=("self",))
        .select_related(
            "activity__workshop__consultation", "participant__card", "participant__user"
        )
        .get(pk=idea.pk)
    )
    workshop = idea.activity.workshop
    ensure_runs(by=by, workshop=workshop)
    if idea.status != IdeaStatus.PENDING:
        raise errors.IdeaAlreadyModerated(details={"status": idea.status})
    fields: FieldErrors = {}
    if decision not in ("approve", "reject"):
        field_error(fields, "decision", "invalid_choice", _("Approve or reject."))
    if kind is not None and kind not in ContributionKind.values:
        field_error(fields, "kind", "invalid_choice", _("Unknown kind of idea."))
    if text is not None:
        check_text(fields, "text", text, limit=IDEA_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    idea.text = text if text is not None else idea.text
    idea.kind = kind or idea.kind
    idea.moderated_by = by
    idea.moderated_at = timezone.now()
    if decision == "approve":
        participant = idea.participant
        contribution = contribution_create(
            by=by,
            consultation=workshop.consultation,
            kind=idea.kind,
            title=_idea_title(idea.text),
            body=idea.text,
            origin="workshop",
            territory=workshop.territory,
            on_behalf_of_user=participant.user if participant.user_id != by.pk else None,
            on_behalf_of_card=participant.card,
            captured_at=idea.created_at,
            # The person wrote the idea on their own phone in the room.
            on_behalf_consent=(
                ConsentNote.WRITTEN
                if participant.user_id is not None and participant.user_id != by.pk
                else ""
            ),
        )
        idea.contribution = contribution
        idea.status = IdeaStatus.APPROVED
    else:
        idea.status = IdeaStatus.REJECTED
    idea.save(
        update_fields=["text", "kind", "moderated_by", "moderated_at", "contribution", "status"]
    )
    approved = idea.status == IdeaStatus.APPROVED
    emit_sequenced(
        workshop_id=workshop.pk,
        event="idea.approved" if approved else "idea.rejected",
        data={"idea": idea_data(idea)},
        audience=EventAudience.ALL if approved else EventAudience.FACILITATORS,
    )
    emit_tally_dirty(workshop_id=workshop.pk, activity_id=idea.activity_id)
    return idea
