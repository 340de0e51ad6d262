"""Published plan: versioned snapshots of the action plan, their formats, the open-data archive."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "backend.plans"
    verbose_name = _("Published plan")
