"""What the contribution writes share: limits, input checks, the row lock."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation, Theme
from backend.core.validation import FieldErrors, check_text, field_error
from backend.proposals.models import (
    PARTNERS_MAX_LENGTH,
    ConsentNote,
    Contribution,
    ContributionKind,
    ContributionStatus,
    ParticipantCard,
    Public,
)
from backend.proposals.policies import is_self_origin
from backend.territories.models import Territory

# Clocks of phones and workshop laptops drift: "captured in the future" within this is fine.
CAPTURED_AT_TOLERANCE = timedelta(minutes=5)
MAX_ANSWERS = 20
EDITABLE_STATUSES = (ContributionStatus.DRAFT, ContributionStatus.PUBLISHED)


def _submit_verb(kind: str) -> Verb:
    return Verb.SUBMIT_PROBLEM if kind == ContributionKind.PROBLEM else Verb.SUBMIT_PROPOSAL


def _check_territory(
    fields: FieldErrors, *, consultation: Consultation, territory: Territory
) -> None:
    if not territory.path.startswith(consultation.territory.path):
        field_error(
            fields,
            "territory",
            "not_in_consultation_territory",
            _("The territory must be the consultation's territory or inside it."),
        )


def _check_theme(fields: FieldErrors, *, consultation: Consultation, theme: str) -> None:
    if not theme:
        return
    if theme not in Theme.values:
        field_error(fields, "theme", "invalid_choice", _("Unknown theme."))
    elif consultation.themes and theme not in consultation.themes:
        field_error(
            fields,
            "theme",
            "theme_not_in_consultation",
            _("This consultation does not carry this theme."),
        )


def _check_kind_fields(
    fields: FieldErrors,
    *,
    kind: str,
    publics: Sequence[str],
    answers: Sequence[int],
    expected_partners: str,
    estimated_cost_eur: int | None,
) -> None:
    if kind == ContributionKind.PROPOSAL and publics:
        field_error(
            fields, "publics", "problems_only", _("Only problems name the publics affected.")
        )
    unknown = [public for public in publics if public not in Public.values]
    if unknown:
        field_error(fields, "publics", "invalid_choice", _("Unknown public."))
    if kind == ContributionKind.PROBLEM:
        proposal_only = {
            "answers": bool(answers),
            "expected_partners": bool(expected_partners),
            "estimated_cost_eur": estimated_cost_eur is not None,
        }
        for name, given in proposal_only.items():
            if given:
                field_error(fields, name, "proposals_only", _("Only proposals have this field."))
    if len(answers) > MAX_ANSWERS:
        field_error(
            fields,
            "answers",
            "max_length",
            _("Ensure this field has no more than %(limit)d elements.") % {"limit": MAX_ANSWERS},
        )
    check_text(
        fields, "expected_partners", expected_partners, limit=PARTNERS_MAX_LENGTH, blank=True
    )
    if estimated_cost_eur is not None and estimated_cost_eur < 0:
        field_error(
            fields,
            "estimated_cost_eur",
            "min_value",
            _("Ensure this value is greater than or equal to 0."),
        )


def _answered_problems(
    fields: FieldErrors, *, consultation: Consultation, answers: Sequence[int]
) -> list[Contribution]:
    wanted = list(dict.fromkeys(answers))
    if not wanted:
        return []
    found = list(
        Contribution.objects.filter(
            pk__in=wanted,
            consultation=consultation,
            kind=ContributionKind.PROBLEM,
            status=ContributionStatus.PUBLISHED,
        )
    )
    if len(found) != len(wanted):
        field_error(
            fields,
            "answers",
            "not_a_problem",
            _("Each answered item must be a published problem of this consultation."),
        )
    return found


def _check_captured_at(
    fields: FieldErrors, *, consultation: Consultation, captured_at: datetime, now: datetime
) -> None:
    if captured_at > now + CAPTURED_AT_TOLERANCE:
        field_error(fields, "captured_at", "in_the_future", _("This date cannot be in the future."))
        return
    first = consultation.phases.aggregate(first=Min("starts_at"))["first"]
    if first is not None and captured_at < first:
        field_error(
            fields,
            "captured_at",
            "before_consultation",
            _("This date cannot be before the consultation's first phase."),
        )


def _check_on_behalf(
    fields: FieldErrors,
    *,
    origin: str,
    on_behalf_of_user: User | None,
    on_behalf_of_card: ParticipantCard | None,
    on_behalf_consent: str,
    captured_at: datetime | None,
) -> None:
    """A card is spoken for through a facilitator's origin; an account only with its owner's
    recorded consent; a capture date only on an entry made for someone else."""
    if on_behalf_of_card is not None and is_self_origin(origin):
        field_error(
            fields,
            "origin",
            "card_needs_facilitator_origin",
            _("An entry for a participant card comes from a workshop, paper or the phone."),
        )
    if on_behalf_of_user is not None and on_behalf_consent not in ConsentNote.values:
        field_error(
            fields,
            "on_behalf_consent",
            "consent_required",
            _("Record how the person agreed before publishing in their name."),
        )
    if on_behalf_of_user is None and on_behalf_consent:
        field_error(
            fields,
            "on_behalf_consent",
            "not_on_behalf",
            _("A consent is recorded only when publishing in someone else's name."),
        )
    on_behalf = on_behalf_of_user is not None or on_behalf_of_card is not None
    if captured_at is not None and not on_behalf and is_self_origin(origin):
        field_error(
            fields,
            "captured_at",
            "not_on_behalf",
            _("Only an entry made for someone else carries its own capture date."),
        )


def _locked(contribution: Contribution) -> Contribution:
    return (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("consultation", "consultation__territory")
        .get(pk=contribution.pk)
    )
