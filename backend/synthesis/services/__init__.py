"""Writes of the synthesis, by concern: merges and their undoing (`merges`), candidate
actions, their sources and decisions (`actions`), the organizer's own answers to contributions
(`answers`); limits and the contribution lock they share are in `common`. Import from here:
`from backend.synthesis.services import contributions_merge`."""

from backend.synthesis.services.actions import (
    action_source_add,
    action_source_remove,
    candidate_action_create,
    candidate_action_decide,
    candidate_action_update,
)
from backend.synthesis.services.answers import (
    contribution_answer_set,
)
from backend.synthesis.services.common import (
    MAX_MERGE,
    MAX_SOURCES,
    MAX_TERRITORIES,
)
from backend.synthesis.services.merges import (
    contributions_merge,
    merge_undo,
)

__all__ = [
    "MAX_MERGE",
    "MAX_SOURCES",
    "MAX_TERRITORIES",
    "action_source_add",
    "action_source_remove",
    "candidate_action_create",
    "candidate_action_decide",
    "candidate_action_update",
    "contribution_answer_set",
    "contributions_merge",
    "merge_undo",
]
