"""Votes: ballots over a consultation's proposals, online and on paper."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "backend.votes"
    verbose_name = _("Votes")
