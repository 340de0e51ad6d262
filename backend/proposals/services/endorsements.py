"""Endorsements of problems, by a person or for one of their structures."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.proposals.models import (
    Contribution,
    ContributionKind,
    ContributionStatus,
    Endorsement,
    ParticipantCard,
)
from backend.proposals.services.common import _locked
from backend.structures.models import Membership, Structure


def _ensure_endorsable(contribution: Contribution) -> None:
    if (
        contribution.kind != ContributionKind.PROBLEM
        or contribution.status != ContributionStatus.PUBLISHED
    ):
        raise errors.NotEndorsable(
            _("Only published problems can be endorsed."),
            details={"kind": contribution.kind, "status": contribution.status},
        )


def _endorser_checks(
    *,
    by: User,
    contribution: Contribution,
    structure: Structure | None,
    on_behalf_of_card: ParticipantCard | None,
) -> None:
    consultation = contribution.consultation
    ensure_allowed(user=by, consultation=consultation, verb=Verb.SUPPORT)
    if on_behalf_of_card is not None:
        ensure_allowed(user=by, consultation=consultation, verb=Verb.ENTER_ON_BEHALF)
        if on_behalf_of_card.consultation_id != consultation.pk:
            raise errors.ValidationFailed(
                fields={
                    "on_behalf_of_card": [
                        {
                            "code": "wrong_consultation",
                            "message": _("This card belongs to another consultation."),
                        }
                    ]
                }
            )
        if structure is not None:
            raise errors.ValidationFailed(
                fields={
                    "structure": [
                        {
                            "code": "not_a_member",
                            "message": _("A participant card cannot speak for a structure."),
                        }
                    ]
                }
            )
    elif (
        structure is not None
        and not Membership.objects.filter(structure=structure, user=by).exists()
    ):
        raise errors.ValidationFailed(
            fields={
                "structure": [
                    {
                        "code": "not_a_member",
                        "message": _("You must be a member of this structure."),
                    }
                ]
            }
        )


def _add_to_endorsement_count(contribution: Contribution, delta: int) -> None:
    """In SQL (F()), in the caller's transaction: the stored counter never drifts from the
    rows, whatever the caller's copy of the contribution holds."""
    Contribution.objects.filter(pk=contribution.pk).update(
        endorsement_count=F("endorsement_count") + delta
    )


def _endorsement_of(
    *,
    contribution: Contribution,
    by: User,
    structure: Structure | None,
    card: ParticipantCard | None,
) -> Endorsement | None:
    queryset = Endorsement.objects.filter(contribution=contribution)
    if card is not None:
        return queryset.filter(card=card).first()
    if structure is not None:
        return queryset.filter(structure=structure).first()
    return queryset.filter(user=by, structure__isnull=True).first()


@transaction.atomic
def endorsement_add(
    *,
    by: User,
    contribution: Contribution,
    structure: Structure | None = None,
    on_behalf_of_card: ParticipantCard | None = None,
) -> Endorsement:
    """ "We see it too" on a published problem: once per person and once per structure.

    Idempotent: endorsing again returns the existing endorsement (a structure already
    endorsed by another member counts once). Locks the contribution row first (the order of
    comment writes too), so adds and removes on a problem take turns; the partial unique
    indexes still settle any other race. A new row adds one to `endorsement_count`.
    """
    contribution = _locked(contribution)
    _ensure_endorsable(contribution)
    _endorser_checks(
        by=by, contribution=contribution, structure=structure, on_behalf_of_card=on_behalf_of_card
    )
    existing = _endorsement_of(
        contribution=contribution, by=by, structure=structure, card=on_behalf_of_card
    )
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                contribution=contribution,
                user=None if on_behalf_of_card is not None else by,
                card=on_behalf_of_card,
                structure=structure,
                entered_by=by,
            )
    except IntegrityError:
        found = _endorsement_of(
            contribution=contribution, by=by, structure=structure, card=on_behalf_of_card
        )
        if found is None:
            raise errors.Conflict() from None
        return found
    _add_to_endorsement_count(contribution, 1)
    return endorsement


@transaction.atomic
def endorsement_remove(
    *,
    by: User,
    contribution: Contribution,
    structure: Structure | None = None,
    on_behalf_of_card: ParticipantCard | None = None,
) -> None:
    """Take an endorsement back; removing one that does not exist is a no-op.

    Locks the contribution row first; a row really deleted takes one off
    `endorsement_count`.
    """
    contribution = _locked(contribution)
    _endorser_checks(
        by=by, contribution=contribution, structure=structure, on_behalf_of_card=on_behalf_of_card
    )
    found = _endorsement_of(
        contribution=contribution, by=by, structure=structure, card=on_behalf_of_card
    )
    if found is not None:
        deleted, _by_model = Endorsement.objects.filter(pk=found.pk).delete()
        if deleted:
            _add_to_endorsement_count(contribution, -1)
