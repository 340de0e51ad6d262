"""Administration of comments (read-mostly: writes go through the services and the API)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "stance", "status", "origin", "contribution", "created_at"]
    list_filter = ["status", "stance", "origin"]
    search_fields = ["body"]
    raw_id_fields = [
        "consultation",
        "contribution",
        "parent",
        "author",
        "author_card",
        "entered_by",
    ]
    readonly_fields = ["target_kind", "depth", "created_at", "edited_at", "deleted_at"]
    date_hierarchy = "created_at"

    @admin.display(description=_("excerpt"))
    def excerpt(self, obj: Comment) -> str:
        return str(obj)
