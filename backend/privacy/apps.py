"""Personal data: what a person can download about themselves, and erasure by anonymization."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "backend.privacy"
    verbose_name = _("Personal data")
