"""Administration of contributions (read-mostly: writes go through the services and the API)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.proposals.models import Contribution, ContributionVersion, Endorsement, ParticipantCard


class ContributionVersionInline(admin.TabularInline):
    model = ContributionVersion
    extra = 0
    can_delete = False
    readonly_fields = ["number", "title", "body", "summary_easy_read", "edited_by", "edited_at"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "origin", "consultation", "published_at"]
    list_filter = ["kind", "status", "origin", "theme"]
    search_fields = ["title", "body"]
    raw_id_fields = ["author", "entered_by", "author_card", "structure", "territory", "answers"]
    # The counters are kept by the services only.
    readonly_fields = [
        "created_at",
        "updated_at",
        "published_at",
        "endorsement_count",
        "comment_count",
    ]
    inlines = [ContributionVersionInline]


@admin.register(ParticipantCard)
class ParticipantCardAdmin(admin.ModelAdmin):
    list_display = ["label", "consultation", "age_bracket", "consent_note", "created_at"]
    list_filter = ["age_bracket", "consent_note"]
    raw_id_fields = ["consultation", "territory", "created_by"]


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    """Read-only: an endorsement added or deleted here would bypass the stored counter."""

    list_display = ["contribution", "user", "card", "structure", "created_at"]
    raw_id_fields = ["contribution", "user", "card", "structure", "entered_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
