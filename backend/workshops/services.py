"""Writes on live workshops: the room, its activities, answers, ideas and their moderation.

Every change that clients must see logs a sequenced event (realtime.emit_sequenced) in its
own transaction; answers only mark the activity's results dirty (full-state, coalesced).
"""

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.tokens import token_digest
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, is_signed_in
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import (
    ConsentNote,
    ContributionKind,
    ParticipantCard,
)
from backend.proposals.services import contribution_create
from backend.territories.models import Territory
from backend.votes.models import BallotOrigin, Vote
from backend.votes.services import ballot_cast, vote_close, vote_create
from backend.workshops.devices import device_digest
from backend.workshops.errors import ParticipationRefused
from backend.workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    IDEA_MAX_LENGTH,
    JOIN_CODE_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Activity,
    ActivityKind,
    ActivityStatus,
    EventAudience,
    Idea,
    IdeaStatus,
    Participant,
    Participation,
    PollAnswer,
    PollChoice,
    Workshop,
    WorkshopStatus,
)
from backend.workshops.policies import can_run_workshop
from backend.workshops.realtime import (
    activity_data,
    emit_sequenced,
    emit_tally_dirty,
    idea_data,
    workshop_data,
)

# No 0/O, 1/I: codes are read aloud and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_DURATION_SECONDS = 24 * 3600
MAX_POLL_CHOICES = 20
IDEA_TITLE_LENGTH = 80


def ensure_runs(*, by: AnyUser, workshop: Workshop) -> None:
    """The caller runs the workshop (NotAuthenticated / PermissionDenied otherwise)."""
    if not is_signed_in(by):
        raise errors.NotAuthenticated()
    if not can_run_workshop(user=by, obj=workshop):
        raise errors.PermissionDenied()


def _lock_workshop(workshop_id: int) -> Workshop:
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .get(pk=workshop_id)
    )


def _lock_activity(activity_id: int) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("workshop__consultation", "vote")
        .get(pk=activity_id)
    )


def _full_activity(activity_id: int) -> Activity:
    return (
        Activity.objects.select_related("vote")
        .prefetch_related("vote__items", "choices")
        .get(pk=activity_id)
    )


@transaction.atomic
def workshop_create(
    *,
    by: User,
    consultation: Consultation,
    title: str,
    place: str = "",
    territory: Territory | None = None,
    scheduled_at: datetime | None = None,
    participation: str = Participation.DEVICE,
) -> Workshop:
    """A draft workshop of the consultation (its facilitators and organizers). No lock.

    `participation`: who may answer without being vouched for: `accounts` (signed-in people
    only), `device` (one participant card per device, bound to a signed device id), `open`
    (every join without a resume token makes a card)."""
    workshop = Workshop(
        consultation=consultation,
        title=title,
        place=place,
        territory=territory,
        scheduled_at=scheduled_at,
        participation=participation,
        created_by=by,
    )
    ensure_runs(by=by, workshop=workshop)
    fields: FieldErrors = {}
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    check_text(fields, "place", place, limit=PLACE_MAX_LENGTH, blank=True)
    if participation not in Participation.values:
        field_error(fields, "participation", "invalid_choice", _("Unknown participation rule."))
    if territory is not None and not territory.path.startswith(consultation.territory.path):
        field_error(
            fields,
            "territory",
            "not_in_consultation_territory",
            _("The territory must be the consultation's territory or inside it."),
        )
    raise_if_errors(fields)
    workshop.save()
    return workshop


def _new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


@transaction.atomic
def workshop_open(*, by: User, workshop: Workshop) -> Workshop:
    """Open the room: a fresh join code unique among open workshops.

    Lock: the workshop row. Emits the sequenced `workshop.opened`. Opening an open workshop
    returns it unchanged; a closed one cannot reopen (workshop_not_open).
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.OPEN:
        return workshop
    if workshop.status == WorkshopStatus.CLOSED:
        raise errors.WorkshopNotOpen(
            _("A closed workshop cannot be opened again."), details={"status": workshop.status}
        )
    for _attempt in range(10):
        code = _new_join_code()
        try:
            with transaction.atomic():
                Workshop.objects.filter(pk=workshop.pk).update(
                    status=WorkshopStatus.OPEN, join_code=code, opened_at=timezone.now()
                )
        except IntegrityError:
            continue
        break
    else:
        raise errors.Conflict()
    return _emit_workshop(workshop.pk, "workshop.opened")


def _emit_workshop(workshop_id: int, event: str) -> Workshop:
    """Log `event` with the workshop as it now is. The caller holds the row's lock, so the
    event's sequence number is last_seq + 1."""
    workshop = Workshop.objects.get(pk=workshop_id)
    data = workshop_data(workshop)
    data["last_seq"] = workshop.last_seq + 1
    workshop.last_seq = emit_sequenced(
        workshop_id=workshop_id, event=event, data={"workshop": data}
    )
    return workshop


def _stop_open_activity(*, workshop: Workshop, reason: str) -> None:
    open_activity = (
        Activity.objects.select_for_update()
        .filter(workshop=workshop, status=ActivityStatus.OPEN)
        .first()
    )
    if open_activity is not None:
        _stop(activity=open_activity, reason=reason)


def _stop(*, activity: Activity, reason: str) -> None:
    now = timezone.now()
    activity.status = ActivityStatus.CLOSED
    activity.stopped_at = now
    if activity.ends_at is not None and activity.ends_at > now:
        activity.ends_at = now
    activity.save(update_fields=["status", "stopped_at", "ends_at"])
    Workshop.objects.filter(pk=activity.workshop_id, current_activity=activity).update(
        current_activity=None
    )
    emit_sequenced(
        workshop_id=activity.workshop_id,
        event="activity.stopped",
        data={"activity": activity_data(_full_activity(activity.pk)), "reason": reason},
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)


@transaction.atomic
def workshop_close(*, by: User, workshop: Workshop) -> Workshop:
    """Close the room: stop the open activity, close the votes of its vote activities.

    Lock: the workshop row, then the open activity. Emits `activity.stopped` (if one was
    open) and `workshop.closed`, sequenced. Closing a closed workshop returns it unchanged.
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.CLOSED:
        return workshop
    _stop_open_activity(workshop=workshop, reason="workshop_closed")
    for vote in Vote.objects.filter(workshop_activity__workshop=workshop, closed_at__isnull=True):
        vote_close(by=by, vote=vote, checked_by_workshop=True)
    Workshop.objects.filter(pk=workshop.pk).update(
        status=WorkshopStatus.CLOSED, closed_at=timezone.now(), current_activity=None
    )
    return _emit_workshop(workshop.pk, "workshop.closed")


@transaction.atomic
def activity_create(
    *,
    by: User,
    workshop: Workshop,
    kind: str,
    title: str,
    duration_seconds: int | None = None,
    idea_kinds: Sequence[str] = (),
    vote: Mapping[str, Any] | None = None,
    poll: Mapping[str, Any] | None = None,
) -> Activity:
    """Add an activity at the end of the workshop's sequence.

    `vote`: {method, items, options?}: creates the consultation's vote through the engine
    (vote_create, items must be published proposals). `poll`: {multiple, choices: [labels]}.
    Lock: the workshop row (positions). Emits the sequenced `activity.created`.
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.CLOSED:
        raise errors.WorkshopNotOpen(details={"status": workshop.status})
    fields: FieldErrors = {}
    if kind not in ActivityKind.values:
        field_error(fields, "kind", "invalid_choice", _("Unknown kind of activity."))
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    if duration_seconds is not None and not 1 <= duration_seconds <= MAX_DURATION_SECONDS:
        field_error(
            fields,
            "duration_seconds",
            "invalid",
            _("Give a duration between 1 second and 24 hours."),
        )
    kinds = list(dict.fromkeys(idea_kinds))
    for name in kinds:
        if name not in ContributionKind.values:
            field_error(fields, "idea_kinds", "invalid_choice", _("Unknown kind of idea."))
    if kind == ActivityKind.VOTE and vote is None:
        field_error(fields, "vote", "required", _("A vote activity needs its vote."))
    if kind != ActivityKind.VOTE and vote is not None:
        field_error(fields, "vote", "wrong_kind", _("Only vote activities have a vote."))
    if kind == ActivityKind.POLL and poll is None:
        field_error(fields, "poll", "required", _("A poll needs its choices."))
    if kind != ActivityKind.POLL and poll is not None:
        field_error(fields, "poll", "wrong_kind", _("Only polls have choices."))
    if kind != ActivityKind.IDEA_CAPTURE and kinds:
        field_error(
            fields, "idea_kinds", "wrong_kind", _("Only idea captures accept kinds of ideas.")
        )
    labels: list[str] = []
    if poll is not None:
        labels = [str(label) for label in poll.get("choices", [])]
        if not labels:
            field_error(fields, "poll.choices", "empty", _("Give at least one choice."))
        if len(labels) > MAX_POLL_CHOICES:
            field_error(
                fields,
                "poll.choices",
                "max_length",
                _("Ensure this field has no more than %(limit)d elements.")
                % {"limit": MAX_POLL_CHOICES},
            )
        for index, label in enumerate(labels):
            check_text(fields, f"poll.choices.{index}", label, limit=TITLE_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    engine_vote = None
    if vote is not None:
        try:
            engine_vote = vote_create(
                by=by,
                consultation=workshop.consultation,
                title=title,
                method=str(vote.get("method", "")),
                items=list(vote.get("items", [])),
                options=vote.get("options") or {},
                checked_by_workshop=True,
            )
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                fields={f"vote.{name}": problems for name, problems in (exc.fields or {}).items()}
            ) from exc
    position = Activity.objects.filter(workshop=workshop).count()
    activity = Activity.objects.create(
        workshop=workshop,
        kind=kind,
        title=title,
        position=position,
        duration_seconds=duration_seconds,
        idea_kinds=kinds or (list(ContributionKind.values) if kind == "idea_capture" else []),
        vote=engine_vote,
        poll_multiple=bool(poll.get("multiple", False)) if poll is not None else False,
    )
    PollChoice.objects.bulk_create(
        PollChoice(activity=activity, label=label, position=index)
        for index, label in enumerate(labels)
    )
    activity = _full_activity(activity.pk)
    emit_sequenced(
        workshop_id=workshop.pk,
        event="activity.created",
        data={"activity": activity_data(activity)},
    )
    return activity


@transaction.atomic
def activity_start(*, by: User, activity: Activity) -> Activity:
    """Open an activity (stopping the open one); its timer starts now.

    Lock: the workshop row, then the activities. Emits `activity.stopped` for the previous
    one (reason next_activity) and `activity.started`, sequenced.
    """
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status != WorkshopStatus.OPEN:
        raise errors.WorkshopNotOpen(details={"status": workshop.status})
    activity = _lock_activity(activity.pk)
    if activity.status == ActivityStatus.OPEN:
        return _full_activity(activity.pk)
    _stop_open_activity(workshop=workshop, reason="next_activity")
    now = timezone.now()
    activity.status = ActivityStatus.OPEN
    activity.started_at = now
    activity.stopped_at = None
    activity.ends_at = (
        now + timedelta(seconds=activity.duration_seconds) if activity.duration_seconds else None
    )
    activity.save(update_fields=["status", "started_at", "stopped_at", "ends_at"])
    Workshop.objects.filter(pk=workshop.pk).update(current_activity=activity)
    activity = _full_activity(activity.pk)
    emit_sequenced(
        workshop_id=workshop.pk,
        event="activity.started",
        data={"activity": activity_data(activity)},
    )
    emit_tally_dirty(workshop_id=workshop.pk, activity_id=activity.pk)
    return activity


@transaction.atomic
def activity_stop(*, by: User, activity: Activity) -> Activity:
    """Stop an open activity (the facilitator). Lock: the workshop row, then the activity.
    Emits the sequenced `activity.stopped` (reason facilitator). A stopped one is returned."""
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    activity = _lock_activity(activity.pk)
    if activity.status == ActivityStatus.OPEN:
        _stop(activity=activity, reason="facilitator")
    return _full_activity(activity.pk)


@transaction.atomic
def activity_expire(*, activity_id: int, now: datetime | None = None) -> bool:
    """Stop the activity if its timer has ended (no caller: the server's own timer, or a
    lazy check). Lock: the workshop row, then the activity; idempotent across workers.
    Emits the sequenced `activity.stopped` (reason timer). Returns whether it stopped it."""
    moment = now or timezone.now()
    candidate = Activity.objects.filter(pk=activity_id).values("workshop_id").first()
    if candidate is None:
        return False
    _lock_workshop(candidate["workshop_id"])
    activity = _lock_activity(activity_id)
    if activity.status != ActivityStatus.OPEN or activity.ends_at is None:
        return False
    if activity.ends_at > moment:
        return False
    activity.status = ActivityStatus.CLOSED
    activity.stopped_at = activity.ends_at
    activity.save(update_fields=["status", "stopped_at"])
    Workshop.objects.filter(pk=activity.workshop_id, current_activity=activity).update(
        current_activity=None
    )
    emit_sequenced(
        workshop_id=activity.workshop_id,
        event="activity.stopped",
        data={"activity": activity_data(_full_activity(activity.pk)), "reason": "timer"},
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)
    return True


def activities_expire_due(*, workshop_id: int) -> None:
    """Lazy timer: stop the workshop's open activity if its time is over."""
    for activity_id in Activity.objects.filter(
        workshop_id=workshop_id, status=ActivityStatus.OPEN, ends_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        activity_expire(activity_id=activity_id)


@transaction.atomic
def activity_results_show(*, by: User, activity: Activity, visible: bool) -> Activity:
    """Show or hide the activity's results to participants. Lock: the activity row.
    Emits the sequenced `activity.updated` (when it changes) and pushes the results."""
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    activity = _lock_activity(activity.pk)
    if activity.results_visible != visible:
        activity.results_visible = visible
        activity.save(update_fields=["results_visible"])
        emit_sequenced(
            workshop_id=workshop.pk,
            event="activity.updated",
            data={"activity": activity_data(_full_activity(activity.pk))},
        )
        emit_tally_dirty(workshop_id=workshop.pk, activity_id=activity.pk)
    return _full_activity(activity.pk)


# Participants ------------------------------------------------------------------------------


def _device_cards(*, workshop: Workshop, display_names: Sequence[str]) -> list[ParticipantCard]:
    """The cards of phones joining without an account, in one INSERT: each person joined by
    themselves, typing on their own device (recorded as written consent), labelled with their
    name (or "Participant n" when they gave none)."""
    number = 0
    if not all(display_names):
        number = ParticipantCard.objects.filter(consultation=workshop.consultation).count()
    cards = []
    for name in display_names:
        number += 0 if name else 1
        cards.append(
            ParticipantCard(
                consultation=workshop.consultation,
                label=name or _("Participant %(number)d") % {"number": number},
                territory=workshop.territory,
                consent_given=True,
                consent_note=ConsentNote.WRITTEN,
                created_by=workshop.created_by,
            )
        )
    return ParticipantCard.objects.bulk_create(cards)


def _refuse_without_device(workshop: Workshop) -> None:
    """The participation rules that refuse a phone with neither account nor device id."""
    if workshop.participation == Participation.ACCOUNTS:
        raise ParticipationRefused(_("This workshop takes accounts only: sign in to take part."))
    if workshop.participation == Participation.DEVICE:
        raise ParticipationRefused(
            _("Open the workshop's page on this device first (it gives the device its id).")
        )


@transaction.atomic
def participant_join(
    *,
    workshop: Workshop,
    user: AnyUser | None,
    resume_token: str | None = None,
    display_name: str = "",
    device_token: str | None = None,
) -> tuple[Participant, str | None]:
    """The participant a connection speaks for, and a new resume token when one was made.

    An account is its own participant. A device with a resume token gets its participant
    back (AuthenticationFailed if unknown). Otherwise the workshop's participation rule
    decides (ParticipationRefused): `accounts` refuses; `device` needs a signed device token
    and gives that device its one card back (with a fresh resume token); `open` creates a
    card. A voided participant may not come back. The resume token is returned once (only
    its hash is kept). No lock: unique constraints decide.
    """
    display_name = display_name.strip()[:DISPLAY_NAME_MAX_LENGTH]
    if is_signed_in(user):
        participant, created = Participant.objects.get_or_create(
            workshop=workshop, user=user, defaults={"display_name": display_name}
        )
        if participant.voided_at is not None:
            raise ParticipationRefused(_("The facilitator set your answers aside."))
        if not created and display_name and display_name != participant.display_name:
            participant.display_name = display_name
            participant.save(update_fields=["display_name"])
        return participant, None
    if workshop.participation == Participation.ACCOUNTS:
        _refuse_without_device(workshop)
    if resume_token:
        found = (
            Participant.objects.select_related("card")
            .filter(workshop=workshop, resume_token_digest=token_digest(resume_token))
            .first()
        )
        if found is None:
            raise errors.AuthenticationFailed(_("This resume token is not valid here."))
        return _rejoined(found, display_name=display_name), None
    device = device_digest(device_token) if device_token else None
    if workshop.participation == Participation.DEVICE:
        if device is None:
            _refuse_without_device(workshop)
        found = (
            Participant.objects.select_related("card")
            .filter(workshop=workshop, device_digest=device)
            .first()
        )
        if found is not None:
            # The same device again (its resume token lost): the same card, a new token.
            raw = secrets.token_urlsafe(32)
            found.resume_token_digest = token_digest(raw)
            found.save(update_fields=["resume_token_digest"])
            return _rejoined(found, display_name=display_name), raw
    raw = secrets.token_urlsafe(32)
    (card,) = _device_cards(workshop=workshop, display_names=[display_name])
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                workshop=workshop,
                card=card,
                display_name=display_name,
                resume_token_digest=token_digest(raw),
                device_digest=device or "",
            )
    except IntegrityError as exc:
        # The same device joined twice at once: the other join made its card.
        raise errors.Conflict(_("This device is already joining; try again.")) from exc
    return participant, raw


@transaction.atomic
def participants_join_new(
    *, workshop: Workshop, display_names: Sequence[str]
) -> list[tuple[Participant, str]]:
    """Phones joining for the first time with neither account, resume token nor device id,
    several at once (a room starting together): a card and a participant each, written in
    two statements whatever their number. The same rules as `participant_join` for one of
    them (ParticipationRefused for all unless the workshop is `open`); returns each one's
    participant and resume token, in order (only the tokens' hashes are kept)."""
    _refuse_without_device(workshop)
    names = [name.strip()[:DISPLAY_NAME_MAX_LENGTH] for name in display_names]
    tokens = [secrets.token_urlsafe(32) for _name in names]
    cards = _device_cards(workshop=workshop, display_names=names)
    participants = Participant.objects.bulk_create(
        [
            Participant(
                workshop=workshop,
                card=card,
                display_name=name,
                resume_token_digest=token_digest(raw),
            )
            for card, name, raw in zip(cards, names, tokens, strict=True)
        ]
    )
    return list(zip(participants, tokens, strict=True))


def _rejoined(participant: Participant, *, display_name: str) -> Participant:
    if participant.voided_at is not None:
        raise ParticipationRefused(_("The facilitator set your answers aside."))
    if display_name and display_name != participant.display_name:
        participant.display_name = display_name
        participant.save(update_fields=["display_name"])
    return participant


@transaction.atomic
def participant_for_card(*, by: User, workshop: Workshop, card_id: int) -> Participant:
    """The participant of a card a facilitator answers for (someone without a phone)."""
    ensure_runs(by=by, workshop=workshop)
    card = ParticipantCard.objects.filter(pk=card_id, consultation=workshop.consultation).first()
    if card is None:
        raise errors.ValidationFailed(
            fields={
                "card": [
                    {
                        "code": "wrong_consultation",
                        "message": _("No participant card of this consultation."),
                    }
                ]
            }
        )
    participant, _created = Participant.objects.get_or_create(workshop=workshop, card=card)
    return participant


# Answers -----------------------------------------------------------------------------------


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


@transaction.atomic
def participant_void(*, by: User, workshop: Workshop, participant_id: int) -> Participant:
    """Set a participant's answers aside (a card the facilitator does not trust, a stuffed
    ballot): their poll answers are deleted, their ballots on the workshop's open votes are
    emptied through the engine (ballot_cast with no choice, so the running totals follow),
    their pending ideas rejected; they may not answer or join again. Ballots on votes
    already closed stay (their result is frozen).

    Locks: the workshop row, the participant row, then ballot_cast's. Emits `idea.rejected`
    (facilitators) per pending idea, and marks the touched activities' results dirty.
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("card", "user")
        .filter(workshop=workshop, pk=participant_id)
        .first()
    )
    if participant is None:
        raise errors.NotFound()
    if participant.voided_at is not None:
        return participant
    participant.voided_at = timezone.now()
    participant.save(update_fields=["voided_at"])
    touched = set(
        PollAnswer.objects.filter(participant=participant).values_list("activity_id", flat=True)
    )
    PollAnswer.objects.filter(participant=participant).delete()
    for activity in Activity.objects.filter(
        workshop=workshop, vote__isnull=False, vote__closed_at__isnull=True
    ).select_related("vote"):
        assert activity.vote is not None
        voter = (
            {"by": participant.user}
            if participant.user is not None
            else {"by": by, "on_behalf_of_card": participant.card}
        )
        ballot_cast(
            vote=activity.vote,
            choices={},
            origin=BallotOrigin.WORKSHOP,
            paper_reference=f"workshop:{workshop.pk}",
            checked_by_workshop=True,
            **voter,
        )
        touched.add(activity.pk)
    for idea in (
        Idea.objects.select_for_update(of=("self",))
        .filter(participant=participant, status=IdeaStatus.PENDING)
        .select_related("participant__card")
    ):
        idea.status = IdeaStatus.REJECTED
        idea.moderated_by = by
        idea.moderated_at = participant.voided_at
        idea.save(update_fields=["status", "moderated_by", "moderated_at"])
        emit_sequenced(
            workshop_id=workshop.pk,
            event="idea.rejected",
            data={"idea": idea_data(idea)},
            audience=EventAudience.FACILITATORS,
        )
        touched.add(idea.activity_id)
    for activity_id in sorted(touched):
        emit_tally_dirty(workshop_id=workshop.pk, activity_id=activity_id)
    return participant
