"""Published plan: versioned snapshots of the action plan, their formats, the open-data archive."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "backend.plans"
    verbose_name = _("Published plan")

    def ready(self) -> None:
        from backend.core import hooks
        from backend.plans.services.artifacts import artifact_builds_housekeeping

        hooks.register(hooks.HOUSEKEEPING, artifact_builds_housekeeping)
