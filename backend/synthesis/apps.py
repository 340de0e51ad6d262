"""Synthesis: non-destructive merges, candidate actions, their scores and decisions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "backend.synthesis"
    label = "synthesis"
    verbose_name = _("Synthesis")

    def ready(self) -> None:
        from backend.proposals.selectors import contribution_details_extend
        from backend.synthesis.selectors import annotate_merged_into

        contribution_details_extend(annotate_merged_into)
