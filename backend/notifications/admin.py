"""Administration of notifications (read-only: they are written by the services from domain
events; preferences change through the API or the one-click unsubscribe)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.notifications.models import Notification, NotificationPreference


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "action_title", "read_at", "emailed_at"]
    list_filter = ["kind", "created_at"]
    search_fields = ["action_title", "recipient__display_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "email_digest", "language", "last_digest_at", "updated_at"]
    list_filter = ["email_digest", "language"]
    list_select_related = ["user"]
