"""Administration of reports and of the moderation log (read-only: decisions go through the
services, so that every one is logged)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.moderation.models import ModerationAction, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reason", "consultation", "created_at", "resolution", "resolved_at"]
    list_filter = ["target_kind", "reason", "resolution"]
    search_fields = ["text"]
    raw_id_fields = ["consultation", "contribution", "comment", "reporter", "resolved_by"]
    date_hierarchy = "created_at"


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "action", "reason", "moderator", "consultation", "created_at"]
    list_filter = ["action", "target_kind"]
    search_fields = ["reason"]
    raw_id_fields = ["consultation", "contribution", "comment", "moderator"]
    date_hierarchy = "created_at"
