"""Writes on contributions, by concern: creation with provenance, publishing, edits and
withdrawal (`contributions`), participant cards (`cards`), endorsements (`endorsements`);
the checks they share are in `common`. Import from here: `from backend.proposals.services
import contribution_create`."""

from backend.proposals.services.cards import (
    participant_card_create,
)
from backend.proposals.services.common import (
    CAPTURED_AT_TOLERANCE,
    EDITABLE_STATUSES,
    MAX_ANSWERS,
)
from backend.proposals.services.contributions import (
    contribution_create,
    contribution_edit,
    contribution_publish,
    contribution_withdraw,
)
from backend.proposals.services.endorsements import (
    endorsement_add,
    endorsement_remove,
)

__all__ = [
    "CAPTURED_AT_TOLERANCE",
    "EDITABLE_STATUSES",
    "MAX_ANSWERS",
    "contribution_create",
    "contribution_edit",
    "contribution_publish",
    "contribution_withdraw",
    "endorsement_add",
    "endorsement_remove",
    "participant_card_create",
]
