"""Administration of plan versions: read-only (a version is frozen; publish through the API)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.plans.models import PlanVersion


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    list_display = ["consultation", "number", "published_at", "published_by", "is_forced"]
    list_filter = ["is_forced"]
    search_fields = ["consultation__title", "note"]
    raw_id_fields = ["consultation", "published_by"]
    readonly_fields = [
        "consultation",
        "number",
        "published_at",
        "published_by",
        "note",
        "snapshot",
        "snapshot_sha256",
        "is_forced",
    ]
    date_hierarchy = "published_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
