"""Profiles: what a person sees of themselves (account, territory, the structures they belong
to). It composes accounts and structures, so it sits above both; sign-in and registration
answer with the profile, so they are served here too."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "backend.profiles"
    verbose_name = _("Profiles")
