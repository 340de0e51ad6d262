"""Regional programme: rounds grouped into one regional plan, costed, funded, followed up."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "backend.programmes"
    verbose_name = _("Regional programme")
