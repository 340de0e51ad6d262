"""Where the plan snapshot used to live: it is a selector now
(`backend.plans.selectors.snapshot`); these names stay importable from here."""

from backend.plans.selectors.snapshot import PlanState, plan_snapshot, plan_state

__all__ = ["PlanState", "plan_snapshot", "plan_state"]
