"""Invitations: a role on a consultation or a structure membership offered by e-mail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "backend.invitations"
    verbose_name = _("Invitations")
