"""Notifications API serializers (names unique across the API for drf-spectacular)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.comments.api.serializers import CommentOutput
from backend.comments.models import BODY_MAX_LENGTH, Comment, Stance
from backend.core.serializers import StrictInputSerializer
from backend.notifications.models import DigestFrequency, DigestLanguage, NotificationKind
from backend.programmes.models import FollowUpStatus

# The regional programme's follow-up statuses (its own enum in the document).
_FOLLOW_UP = ", ".join(FollowUpStatus.values)


class NotificationListQueryInput(serializers.Serializer[Any]):
    """The list's own filter (page and page_size are the paginator's)."""

    unread = serializers.ChoiceField(choices=["true", "false"], required=False)


class NotificationOutput(serializers.Serializer[Any]):
    """Built by realtime.notification_payload: the websocket frame carries the same object."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    message = serializers.CharField(help_text="what happened, in the caller's language")
    action_kind = serializers.ChoiceField(choices=["candidate_action", "regional_action"])
    action_id = serializers.IntegerField(
        help_text="GET /api/v1/candidate-actions/{id}/ or /api/v1/regional-actions/{id}/"
    )
    action_title = serializers.CharField(help_text="the action's title when it happened")
    consultation = serializers.IntegerField(allow_null=True)
    programme = serializers.IntegerField(allow_null=True)
    decision = serializers.CharField(
        allow_null=True,
        help_text="for *_decided: the candidate action's or regional action's decision",
    )
    answer = serializers.CharField(
        allow_null=True,
        help_text="the organizers' public answer (decisions), or why it was abandoned",
    )
    status = serializers.CharField(allow_null=True, help_text=f"follow-up status: {_FOLLOW_UP}")
    previous_status = serializers.CharField(allow_null=True, help_text=_FOLLOW_UP)
    contributions = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="the caller's own contributions that fed the action",
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return dict(instance)


class NotificationUnreadCountOutput(serializers.Serializer[Any]):
    unread = serializers.IntegerField()


class NotificationsMarkedReadOutput(serializers.Serializer[Any]):
    marked = serializers.IntegerField(help_text="how many were unread")
    unread = serializers.IntegerField()


class NotificationPreferenceOutput(serializers.Serializer[Any]):
    in_app = serializers.BooleanField(help_text="always true: in-app notifications are always on")
    email_digest = serializers.ChoiceField(choices=DigestFrequency.choices)
    language = serializers.ChoiceField(choices=DigestLanguage.choices)
    last_digest_at = serializers.DateTimeField(allow_null=True)


class NotificationPreferenceUpdateInput(StrictInputSerializer):
    email_digest = serializers.ChoiceField(choices=DigestFrequency.choices, required=False)
    language = serializers.ChoiceField(choices=DigestLanguage.choices, required=False)


class DigestUnsubscribeOutput(serializers.Serializer[Any]):
    email_digest = serializers.ChoiceField(choices=DigestFrequency.choices)


class ActionCommentCreateInput(StrictInputSerializer):
    # Text is stored as people typed it: no trimming.
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False, default=Stance.NEUTRAL)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Comment.objects.all(), allow_null=True, required=False, default=None
    )


class ActionCommentOutput(CommentOutput):
    """A comment on a candidate action (`consultation` set) or a regional action (null)."""

    consultation = serializers.IntegerField(source="consultation_id", allow_null=True)
    contribution = None  # type: ignore[assignment]
    target_kind = serializers.ChoiceField(choices=["candidate_action", "regional_action"])
    candidate_action = serializers.IntegerField(source="candidate_action_id", allow_null=True)
    regional_action = serializers.IntegerField(source="regional_action_id", allow_null=True)

    @extend_schema_field(serializers.BooleanField())
    def get_is_editable(self, obj: Comment) -> bool:
        return False  # editing and deleting an action's comment: not in this version
