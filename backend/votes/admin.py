"""Administration of votes and ballot lines (read-mostly: writes go through the services)."""

from django.contrib import admin
from django.http import HttpRequest

from backend.votes.models import BallotLine, Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["title", "method", "consultation", "one_structure_one_voice", "closed_at"]
    list_filter = ["method", "one_structure_one_voice"]
    search_fields = ["title"]
    raw_id_fields = ["consultation", "created_by", "items"]
    readonly_fields = ["created_at", "closed_at", "result_computed_at", "ballots_digest"]
    # The frozen result and the published ballot file are never edited by hand.
    exclude = ["ballots_csv"]


@admin.register(BallotLine)
class BallotLineAdmin(admin.ModelAdmin):
    list_display = ["vote", "item", "voter_user", "voter_card", "value", "origin", "cast_at"]
    list_filter = ["origin"]
    search_fields = ["paper_reference"]
    raw_id_fields = ["vote", "item", "voter_user", "voter_card", "structure", "entered_by"]
    readonly_fields = ["cast_at", "updated_at"]
    date_hierarchy = "cast_at"

    # Ballots change through ballot_cast and the paper import only (one line per item).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
