"""Every write on the regional programme, by concern; re-exported here for callers."""

from backend.programmes.services.actions import (
    regional_action_create,
    regional_action_decide,
    regional_action_update,
    regional_source_link,
    regional_source_unlink,
)
from backend.programmes.services.followup import (
    follow_up_note_add,
    indicator_add,
    indicator_measure,
    milestone_add,
    milestone_reach,
    regional_action_set_progress,
    regional_action_set_status,
)
from backend.programmes.services.funding import funder_set, regional_action_set_funding
from backend.programmes.services.programmes import (
    partner_add,
    programme_create,
    programme_organizer_add,
    programme_publish,
    programme_round_add,
    programme_rounds_replicate,
    programme_set_stage,
    programme_update,
)
from backend.programmes.services.publication import regional_plan_publish

__all__ = [
    "follow_up_note_add",
    "funder_set",
    "indicator_add",
    "indicator_measure",
    "milestone_add",
    "milestone_reach",
    "partner_add",
    "programme_create",
    "programme_organizer_add",
    "programme_publish",
    "programme_round_add",
    "programme_rounds_replicate",
    "programme_set_stage",
    "programme_update",
    "regional_action_create",
    "regional_action_decide",
    "regional_action_set_funding",
    "regional_action_set_progress",
    "regional_action_set_status",
    "regional_action_update",
    "regional_plan_publish",
    "regional_source_link",
    "regional_source_unlink",
]
