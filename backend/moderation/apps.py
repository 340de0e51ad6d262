"""Moderation: reports, the moderators' queue, hiding and restoring, and the public log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "backend.moderation"
    verbose_name = _("Moderation")
