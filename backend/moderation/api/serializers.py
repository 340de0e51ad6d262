"""Moderation inputs and outputs (reporters are never exposed outside the queue's counts)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.serializers import StrictInputSerializer
from backend.moderation.models import (
    ACTION_REASON_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    ActionKind,
    ModerationAction,
    Report,
    ReportReason,
    Resolution,
    TargetKind,
)
from backend.moderation.selectors import QueueItem


class ReportCreateInput(StrictInputSerializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    text = serializers.CharField(
        max_length=REPORT_TEXT_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ModerationTargetInput(StrictInputSerializer):
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=ACTION_REASON_MAX_LENGTH)


class ReportDismissInput(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=ACTION_REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReportOutput(serializers.Serializer[Any]):
    """The caller's own report (nobody else's is ever returned)."""

    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_id = serializers.SerializerMethodField()
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_target_id(self, obj: Report) -> int:
        return int(obj.contribution_id or obj.comment_id or 0)

    @extend_schema_field(serializers.ChoiceField(choices=Resolution.choices, allow_null=True))
    def get_resolution(self, obj: Report) -> str | None:
        return obj.resolution or None


class ModerationModeratorOutput(serializers.Serializer[Any]):
    display_name = serializers.CharField()


class ModerationActionOutput(serializers.Serializer[Any]):
    """One entry of the public log: who (display name), when, what, why."""

    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    action = serializers.ChoiceField(choices=ActionKind.choices)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target_id = serializers.SerializerMethodField()
    contribution = serializers.SerializerMethodField(
        help_text="The contribution concerned (for a comment: the one it is on)."
    )
    reason = serializers.CharField()
    moderator = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField())
    def get_target_id(self, obj: ModerationAction) -> int:
        return int(obj.contribution_id or obj.comment_id or 0)

    @extend_schema_field(serializers.IntegerField())
    def get_contribution(self, obj: ModerationAction) -> int:
        if obj.contribution_id is not None:
            return obj.contribution_id
        return int(obj.comment.contribution_id or 0) if obj.comment is not None else 0

    @extend_schema_field(ModerationModeratorOutput(allow_null=True))
    def get_moderator(self, obj: ModerationAction) -> dict[str, Any] | None:
        if obj.moderator is None:
            return None
        return {"display_name": obj.moderator.display_name}


class ModerationQueueTargetOutput(serializers.Serializer[Any]):
    """What the moderator needs to decide: the text even if it is hidden, and its state."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    contribution = serializers.IntegerField(
        allow_null=True, help_text="For a comment: the contribution it is on."
    )
    kind = serializers.CharField(allow_null=True, help_text="problem or proposal (contributions)")
    title = serializers.CharField(allow_null=True)
    body = serializers.CharField()
    author_display_name = serializers.CharField()
    hidden_reason = serializers.CharField()


class ModerationQueueItemOutput(serializers.Serializer[Any]):
    target_kind = serializers.ChoiceField(choices=TargetKind.choices)
    target = serializers.SerializerMethodField()
    report_count = serializers.IntegerField()
    report_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Open reports, newest first."
    )
    # A plain string child: a second enum over ReportReason would need a settings override.
    latest_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Reasons (spam, abuse, personal_data, off_topic, other) of the latest open "
        "reports, newest first.",
    )
    latest_texts = serializers.ListField(
        child=serializers.CharField(), help_text="Their non-empty details, newest first."
    )
    first_reported_at = serializers.DateTimeField()
    last_reported_at = serializers.DateTimeField()

    @extend_schema_field(ModerationQueueTargetOutput)
    def get_target(self, item: QueueItem) -> dict[str, Any]:
        if item.contribution is not None:
            contribution = item.contribution
            author = (
                contribution.author_card.label
                if contribution.author_card is not None
                else (contribution.author.display_name if contribution.author else "")
            )
            return {
                "id": contribution.pk,
                "status": contribution.status,
                "contribution": None,
                "kind": contribution.kind,
                "title": contribution.title,
                "body": contribution.body,
                "author_display_name": author,
                "hidden_reason": contribution.hidden_reason,
            }
        comment = item.comment
        assert comment is not None
        if comment.author_card is not None:
            author = comment.author_card.label
        else:
            author = comment.author.display_name if comment.author is not None else ""
        return {
            "id": comment.pk,
            "status": comment.status,
            "contribution": comment.contribution_id,
            "kind": None,
            "title": None,
            "body": comment.body,
            "author_display_name": author,
            "hidden_reason": comment.hidden_reason,
        }
