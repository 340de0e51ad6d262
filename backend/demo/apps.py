"""Demo data for the Grenoble pilot (management command `load_demo`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "backend.demo"
    verbose_name = _("Demo data")
