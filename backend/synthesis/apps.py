"""Synthesis: non-destructive merges, candidate actions, their scores and decisions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "backend.synthesis"
    label = "synthesis"
    verbose_name = _("Synthesis")
