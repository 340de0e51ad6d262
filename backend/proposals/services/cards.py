"""Participant cards: the people a facilitator types contributions for."""

from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import ensure_allowed
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import (
    LABEL_MAX_LENGTH,
    AgeBracket,
    ConsentNote,
    ParticipantCard,
)
from backend.proposals.services.common import _check_territory
from backend.territories.models import Territory


@transaction.atomic
def participant_card_create(
    *,
    by: User,
    consultation: Consultation,
    label: str,
    consent_given: bool,
    consent_note: str,
    territory: Territory | None = None,
    age_bracket: str = AgeBracket.UNKNOWN,
) -> ParticipantCard:
    """A pseudonymous card for someone a facilitator speaks for (ENTER_ON_BEHALF gate)."""
    ensure_allowed(user=by, consultation=consultation, verb=Verb.ENTER_ON_BEHALF)
    fields: FieldErrors = {}
    check_text(fields, "label", label, limit=LABEL_MAX_LENGTH, blank=False, single_line=True)
    if not consent_given:
        field_error(
            fields,
            "consent_given",
            "consent_required",
            _("The person's consent is needed before speaking for them."),
        )
    if consent_note not in ConsentNote.values:
        field_error(fields, "consent_note", "invalid_choice", _("Unknown kind of consent."))
    if age_bracket not in AgeBracket.values:
        field_error(fields, "age_bracket", "invalid_choice", _("Unknown age bracket."))
    if territory is not None:
        _check_territory(fields, consultation=consultation, territory=territory)
    raise_if_errors(fields)
    return ParticipantCard.objects.create(
        consultation=consultation,
        label=label,
        territory=territory,
        age_bracket=age_bracket,
        consent_given=True,
        consent_note=consent_note,
        created_by=by,
    )
