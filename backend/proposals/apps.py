"""Proposals: problems and proposals (contributions) with their provenance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "backend.proposals"
    verbose_name = _("Contributions")
