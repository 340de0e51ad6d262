"""Administration of regional programmes (French labels come from the models' catalogue).

Writes with rules (links, funding, publication, follow-up) go through the API; the admin
edits programmes, their organizers, rounds, partners and funders, and shows the rest."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.programmes.models import (
    FollowUpEntry,
    Funder,
    Partner,
    Programme,
    ProgrammeOrganizer,
    ProgrammeRound,
    RegionalAction,
    RegionalActionSource,
    RegionalPlanVersion,
)


class OrganizerInline(admin.TabularInline):
    model = ProgrammeOrganizer
    raw_id_fields = ["user"]
    extra = 0


class RoundInline(admin.TabularInline):
    model = ProgrammeRound
    raw_id_fields = ["consultation", "added_by"]
    extra = 0


class PartnerInline(admin.TabularInline):
    model = Partner
    raw_id_fields = ["structure"]
    extra = 0


class FunderInline(admin.TabularInline):
    model = Funder
    raw_id_fields = ["structure"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "stage", "status", "deadline"]
    list_filter = ["stage", "status"]
    search_fields = ["title"]
    raw_id_fields = ["territory", "created_by"]
    filter_horizontal = ["target_territories"]
    inlines = [OrganizerInline, RoundInline, PartnerInline, FunderInline]


class SourceInline(admin.TabularInline):
    model = RegionalActionSource
    raw_id_fields = ["candidate_action", "contribution", "added_by", "removed_by"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegionalAction)
class RegionalActionAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "decision", "status", "progress_percent"]
    list_filter = ["decision", "status"]
    search_fields = ["title"]
    raw_id_fields = ["programme", "lead_structure", "created_by"]
    filter_horizontal = ["partner_structures"]
    inlines = [SourceInline]


@admin.register(FollowUpEntry)
class FollowUpEntryAdmin(admin.ModelAdmin):
    list_display = ["action", "kind", "at", "by"]
    list_filter = ["kind"]
    readonly_fields = ["action", "kind", "at", "by", "note", "data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegionalPlanVersion)
class RegionalPlanVersionAdmin(admin.ModelAdmin):
    list_display = ["programme", "number", "published_at", "is_over_budget", "is_forced"]
    exclude = ["archive"]
    readonly_fields = [
        "programme",
        "number",
        "published_at",
        "published_by",
        "note",
        "snapshot",
        "snapshot_sha256",
        "archive_sha256",
        "is_over_budget",
        "is_forced",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
