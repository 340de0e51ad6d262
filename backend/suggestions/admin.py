"""Administration of suggestion runs (read-only: runs are started from the API)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.suggestions.models import SuggestionRun


@admin.register(SuggestionRun)
class SuggestionRunAdmin(admin.ModelAdmin):
    list_display = ["id", "consultation", "threshold", "status", "done", "total", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["consultation", "created_by"]
    readonly_fields = [
        "consultation",
        "threshold",
        "status",
        "done",
        "total",
        "contribution_count",
        "result",
        "calibration",
        "error",
        "task_id",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
