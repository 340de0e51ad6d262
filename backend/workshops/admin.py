"""Administration of live workshops (read-mostly: the room changes through the services, which
log and announce every change)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.workshops.models import Activity, Idea, Participant, Workshop, WorkshopEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "consultation", "place", "status", "join_code", "scheduled_at"]
    list_filter = ["status"]
    search_fields = ["title", "place", "join_code"]
    raw_id_fields = ["consultation", "territory", "created_by", "current_activity"]
    readonly_fields = ["status", "join_code", "last_seq", "created_at", "opened_at", "closed_at"]

    # Opening and closing go through the services (join code, events, votes closed).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "workshop", "kind", "position", "status", "results_visible"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["workshop", "vote"]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "workshop", "user", "card", "created_at"]
    raw_id_fields = ["workshop", "user", "card"]
    exclude = ["resume_token_digest"]


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "activity", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["text"]
    raw_id_fields = ["activity", "participant", "contribution", "moderated_by"]


@admin.register(WorkshopEvent)
class WorkshopEventAdmin(ReadOnlyAdmin):
    list_display = ["workshop", "seq", "type", "audience", "created_at"]
    list_filter = ["type", "audience"]
    raw_id_fields = ["workshop"]
