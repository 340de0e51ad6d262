"""Administration of comments (read-mostly: writes go through the services and the API)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "stance", "status", "origin", "contribution", "created_at"]
    list_filter = ["status", "stance", "origin"]
    search_fields = ["body"]
    raw_id_fields = [
        "consultation",
        "parent",
        "author",
        "author_card",
        "entered_by",
    ]
    # Status and target change through the services only (they keep the contribution's
    # stored count of visible comments).
    readonly_fields = [
        "target_kind",
        "contribution",
        "status",
        "depth",
        "created_at",
        "edited_at",
        "deleted_at",
    ]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("excerpt"))
    def excerpt(self, obj: Comment) -> str:
        return str(obj)
