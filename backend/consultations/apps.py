"""Consultations: co-construction rounds, their phases, roles and the phase gate."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "backend.consultations"
    verbose_name = _("Consultations")
