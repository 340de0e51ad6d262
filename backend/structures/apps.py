"""Structures: the field actors' organisations and their members."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuresConfig(AppConfig):
    name = "backend.structures"
    verbose_name = _("Structures")
