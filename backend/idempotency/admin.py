"""Read-only admin for idempotency records, to inspect what a retried request replays."""

from django.contrib import admin
from django.http import HttpRequest

from backend.idempotency.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "scope", "method", "path", "state", "response_status", "expires_at"]
    list_filter = ["state", "method"]
    search_fields = ["key", "scope", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
