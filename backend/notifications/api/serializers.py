"""Notifications API serializers (names unique across the API for drf-spectacular)."""

from typing import Any

from rest_framework import serializers

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
