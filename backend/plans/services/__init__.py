"""Writes on the plan: publishing a version (`publish`), building its published files
(`artifacts`)."""

from backend.plans.services.publish import plan_publish, plan_publish_start

__all__ = ["plan_publish", "plan_publish_start"]
