"""Writes on live workshops, by concern: the room (`rooms`), its activities (`activities`),
who takes part (`participants`), answers (`answers`), ideas and their moderation (`ideas`),
and the event log (`events`).

Every change that clients must see logs a sequenced event (events.emit_sequenced) in its own
transaction; answers only mark the activity's results dirty (full-state, coalesced).
"""

from backend.workshops.services.activities import (
    MAX_DURATION_SECONDS,
    MAX_POLL_CHOICES,
    activities_expire_due,
    activity_create,
    activity_expire,
    activity_results_show,
    activity_start,
    activity_stop,
)
from backend.workshops.services.answers import (
    workshop_ballot_submit,
    workshop_poll_answer,
)
from backend.workshops.services.events import (
    emit_sequenced,
)
from backend.workshops.services.ideas import (
    IDEA_TITLE_LENGTH,
    idea_moderate,
    idea_submit,
)
from backend.workshops.services.participants import (
    participant_for_card,
    participant_join,
    participant_void,
    participants_join_new,
)
from backend.workshops.services.rooms import (
    JOIN_CODE_ALPHABET,
    ensure_runs,
    workshop_close,
    workshop_create,
    workshop_open,
)

__all__ = [
    "IDEA_TITLE_LENGTH",
    "JOIN_CODE_ALPHABET",
    "MAX_DURATION_SECONDS",
    "MAX_POLL_CHOICES",
    "activities_expire_due",
    "activity_create",
    "activity_expire",
    "activity_results_show",
    "activity_start",
    "activity_stop",
    "emit_sequenced",
    "ensure_runs",
    "idea_moderate",
    "idea_submit",
    "participant_for_card",
    "participant_join",
    "participant_void",
    "participants_join_new",
    "workshop_ballot_submit",
    "workshop_close",
    "workshop_create",
    "workshop_open",
    "workshop_poll_answer",
]
