"""Comments: threaded, with a stance, on contributions (and later on candidate actions)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "backend.comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from backend.comments.selectors import annotate_comment_counts
        from backend.proposals.selectors import contribution_details_extend

        contribution_details_extend(annotate_comment_counts)
