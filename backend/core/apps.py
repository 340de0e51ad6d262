"""Shared pieces: errors, authentication helpers, pagination, API conventions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "backend.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from backend.core import lookups, openapi  # noqa: F401  (registers schema extensions)

        lookups.register()
