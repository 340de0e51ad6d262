"""Who takes part: accounts, phones (one by one or a room at once), cards, voided answers."""

import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.accounts.tokens import token_digest
from backend.consultations.policies import AnyUser, is_signed_in
from backend.core import errors
from backend.proposals.models import (
    ConsentNote,
    ParticipantCard,
)
from backend.votes.models import BallotOrigin
from backend.votes.services import ballot_cast
from backend.workshops.devices import device_digest
from backend.workshops.errors import ParticipationRefused
from backend.workshops.models import (
    DISPLAY_NAME_MAX_LENGTH,
    Activity,
    EventAudience,
    Idea,
    IdeaStatus,
    Participant,
    Participation,
    PollAnswer,
    Workshop,
)
from backend.workshops.realtime import (
    emit_tally_dirty,
    idea_data,
)
from backend.workshops.services.events import emit_sequenced
from backend.workshops.services.rooms import _lock_workshop, ensure_runs


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
