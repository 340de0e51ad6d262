"""Accounts: people, their profile and their access tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    verbose_name = _("Accounts")
