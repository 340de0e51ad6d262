"""Comments API serializers: strict inputs, outputs that never show e-mails nor removed text."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.comments.models import BODY_MAX_LENGTH, Comment, CommentStatus, Stance
from backend.comments.policies import can_edit_comment
from backend.core.serializers import StrictInputSerializer
from backend.proposals.models import Origin, ParticipantCard


class CommentCreateInput(StrictInputSerializer):
    # Text is stored as people typed it: no trimming.
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False, default=Stance.NEUTRAL)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Comment.objects.all(), allow_null=True, required=False, default=None
    )
    on_behalf_of_card = serializers.PrimaryKeyRelatedField(
        queryset=ParticipantCard.objects.all(), allow_null=True, required=False, default=None
    )
    origin = serializers.ChoiceField(choices=Origin.choices, required=False, default=Origin.WEB)


class CommentUpdateInput(StrictInputSerializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=False, required=False)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False)


class CommentAuthorOutput(serializers.Serializer[Any]):
    """{"kind": "user", "id", "display_name"} or {"kind": "card", "label"}."""

    kind = serializers.CharField(help_text="user or card")
    id = serializers.IntegerField(required=False)
    display_name = serializers.CharField(required=False)
    label = serializers.CharField(required=False)  # type: ignore[assignment]


class CommentTypistOutput(serializers.Serializer[Any]):
    display_name = serializers.CharField()


class CommentOutput(serializers.Serializer[Any]):
    """Pass the request in the context to get `is_editable` for the caller."""

    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    contribution = serializers.IntegerField(source="contribution_id")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", allow_null=True
    )
    depth = serializers.IntegerField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    body = serializers.CharField(allow_null=True, help_text="null when deleted or hidden")
    status = serializers.ChoiceField(choices=CommentStatus.choices)
    hidden_reason = serializers.CharField(
        allow_null=True, help_text="the moderator's public reason, when hidden"
    )
    origin = serializers.ChoiceField(choices=Origin.choices)
    author = serializers.SerializerMethodField()
    entered_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    is_editable = serializers.SerializerMethodField()

    @extend_schema_field(CommentAuthorOutput(allow_null=True))
    def get_author(self, obj: Comment) -> dict[str, Any] | None:
        if obj.status == CommentStatus.DELETED:
            return None
        if obj.author_card is not None:
            return {"kind": "card", "label": obj.author_card.label}
        if obj.author is None:
            return None
        return {"kind": "user", "id": obj.author_id, "display_name": obj.author.display_name}

    @extend_schema_field(CommentTypistOutput(allow_null=True))
    def get_entered_by(self, obj: Comment) -> dict[str, Any] | None:
        """Who typed it for a participant card (null when the author typed it)."""
        if obj.status == CommentStatus.DELETED or obj.author_card_id is None:
            return None
        if obj.entered_by is None:
            return None
        return {"display_name": obj.entered_by.display_name}

    @extend_schema_field(serializers.BooleanField())
    def get_is_editable(self, obj: Comment) -> bool:
        request = self.context.get("request")
        if request is None:
            return False
        now = self.context.get("now") or timezone.now()
        return can_edit_comment(user=request.user, obj=obj, now=now)

    def to_representation(self, instance: Comment) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.status != CommentStatus.VISIBLE:
            data["body"] = None
        data["hidden_reason"] = (
            instance.hidden_reason if instance.status == CommentStatus.HIDDEN else None
        )
        return data
