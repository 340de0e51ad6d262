"""The organizers' own answers to contributions."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, raise_if_errors
from backend.proposals.models import Contribution
from backend.synthesis.models import (
    ANSWER_MAX_LENGTH,
    ContributionAnswer,
)
from backend.synthesis.policies import ensure_can_decide
from backend.synthesis.services.common import _lock_contributions


@transaction.atomic
def contribution_answer_set(
    *, by: User, contribution: Contribution, text: str
) -> ContributionAnswer:
    """The organizers' own answer to a contribution (why it was not retained, typically when
    no action takes it up). Replaces the previous one.

    Gate: MERGE and the organizer role. Lock: the contribution row. No realtime event: the
    answer is read with the contribution.
    """
    consultation = contribution.consultation
    ensure_can_decide(user=by, consultation=consultation)
    fields: FieldErrors = {}
    check_text(fields, "text", text, limit=ANSWER_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    _lock_contributions(
        fields, name="contribution", consultation=consultation, ids=[contribution.pk]
    )
    if fields:
        raise errors.Conflict(_("Only published contributions receive an answer."))
    now = timezone.now()
    answer, _created = ContributionAnswer.objects.update_or_create(
        contribution=contribution,
        defaults={"text": text.strip(), "answered_by": by, "updated_at": now},
        create_defaults={
            "text": text.strip(),
            "answered_by": by,
            "answered_at": now,
            "updated_at": now,
        },
    )
    return answer
