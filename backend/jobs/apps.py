"""Jobs: the periodic background jobs (lease checks, housekeeping) and their schedule."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "backend.jobs"
    verbose_name = _("Background jobs")
