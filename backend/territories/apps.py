"""Territories: région > département > EPCI > commune > quartier."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "backend.territories"
    verbose_name = _("Territories")
