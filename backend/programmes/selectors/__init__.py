"""Every read on the regional programme, by concern; re-exported here for callers."""

from backend.programmes.selectors.actions import (
    follow_up_timeline,
    regional_action_audience,
    regional_action_figures,
    regional_action_get,
    regional_action_list,
    regional_action_rounds,
    regional_source_get,
    regional_source_log,
    territorial_action_suggestions,
)
from backend.programmes.selectors.coverage import programme_coverage
from backend.programmes.selectors.funding import programme_budget
from backend.programmes.selectors.plan import (
    regional_plan_build,
    regional_plan_csv,
    regional_plan_version_get,
    regional_plan_version_list,
)
from backend.programmes.selectors.programmes import (
    programme_dashboard,
    programme_find_visible,
    programme_get,
    programme_list,
)

__all__ = [
    "follow_up_timeline",
    "programme_budget",
    "programme_coverage",
    "programme_dashboard",
    "programme_find_visible",
    "programme_get",
    "programme_list",
    "regional_action_audience",
    "regional_action_figures",
    "regional_action_get",
    "regional_action_list",
    "regional_action_rounds",
    "regional_plan_build",
    "regional_plan_csv",
    "regional_plan_version_get",
    "regional_plan_version_list",
    "regional_source_get",
    "regional_source_log",
    "territorial_action_suggestions",
]
