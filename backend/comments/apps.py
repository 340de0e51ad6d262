"""Comments: threaded, with a stance, on contributions (and later on candidate actions)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "backend.comments"
    verbose_name = _("Comments")
