"""Reads on the published plan: versions (`versions`), what publishing reads and freezes
(`snapshot`), the open-data archive (`opendata`) and the stored artifacts (`artifacts`)."""

from backend.plans.selectors.versions import (
    plan_version_csv,
    plan_version_get,
    plan_version_list,
)

__all__ = ["plan_version_csv", "plan_version_get", "plan_version_list"]
