"""Administration of the synthesis (read-only: merges, splits, sources and decisions go
through the services, which check the phase, lock and log publicly)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.synthesis.models import (
    ActionSource,
    CandidateAction,
    Cluster,
    ClusterMember,
    ContributionAnswer,
    MergeLogEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ClusterMemberInline(ReadOnlyInline):
    model = ClusterMember
    fk_name = "cluster"
    fields = ["contribution", "added_by_merge", "added_at", "removed_at", "removed_by_split"]
    raw_id_fields = ["contribution", "added_by_merge", "removed_by_split"]


@admin.register(Cluster)
class ClusterAdmin(ReadOnlyAdmin):
    list_display = ["title", "consultation", "created_by", "created_at"]
    search_fields = ["title"]
    raw_id_fields = ["consultation", "created_by"]
    inlines = [ClusterMemberInline]


@admin.register(MergeLogEntry)
class MergeLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "cluster", "consultation", "by", "at", "reason"]
    list_filter = ["kind"]
    search_fields = ["reason", "cluster__title"]
    raw_id_fields = ["consultation", "cluster", "contributions", "by", "undoes"]
    date_hierarchy = "at"


class ActionSourceInline(ReadOnlyInline):
    model = ActionSource
    fields = ["contribution", "cluster", "relation", "justification", "created_by", "created_at"]
    raw_id_fields = ["contribution", "cluster", "created_by"]


@admin.register(CandidateAction)
class CandidateActionAdmin(ReadOnlyAdmin):
    list_display = ["title", "consultation", "decision", "decided_at", "updated_at"]
    list_filter = ["decision"]
    search_fields = ["title", "description"]
    raw_id_fields = ["consultation", "created_by", "decided_by", "territories"]
    inlines = [ActionSourceInline]


@admin.register(ContributionAnswer)
class ContributionAnswerAdmin(ReadOnlyAdmin):
    list_display = ["contribution", "answered_by", "updated_at"]
    search_fields = ["text"]
    raw_id_fields = ["contribution", "answered_by"]
