"""Live workshops API serializers: strict inputs; outputs mirror frontend-contract/live/."""

from typing import Any

from rest_framework import serializers

from backend.core.serializers import SafeDateTimeField, StrictInputSerializer
from backend.proposals.models import ContributionKind
from backend.territories.models import Territory
from backend.votes.models import VoteMethod
from backend.votes.services import MAX_ITEMS
from backend.workshops.models import (
    IDEA_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActivityKind,
    ActivityStatus,
    IdeaStatus,
    WorkshopStatus,
)
from backend.workshops.services import MAX_DURATION_SECONDS, MAX_POLL_CHOICES


class WorkshopCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    place = serializers.CharField(max_length=PLACE_MAX_LENGTH, required=False, default="")
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True, default=None
    )
    scheduled_at = SafeDateTimeField(required=False, allow_null=True, default=None)


class WorkshopOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField()
    title = serializers.CharField()
    place = serializers.CharField()
    territory = serializers.IntegerField(allow_null=True)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=WorkshopStatus.choices)
    join_code = serializers.CharField(allow_null=True)
    join_url = serializers.CharField(allow_null=True, help_text="/live/<code>/ (for a QR code)")
    current_activity = serializers.IntegerField(allow_null=True)
    last_seq = serializers.IntegerField()
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class WorkshopJoinOutput(serializers.Serializer[Any]):
    workshop = WorkshopOutput()
    websocket = serializers.CharField(help_text="path of the workshop's websocket")


class WorkshopVoteInput(StrictInputSerializer):
    method = serializers.ChoiceField(choices=VoteMethod.choices)
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=MAX_ITEMS
    )
    options = serializers.DictField(child=serializers.IntegerField(), required=False, default=dict)


class WorkshopPollInput(StrictInputSerializer):
    multiple = serializers.BooleanField(required=False, default=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=TITLE_MAX_LENGTH),
        allow_empty=False,
        max_length=MAX_POLL_CHOICES,
    )


class ActivityCreateInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    duration_seconds = serializers.IntegerField(
        min_value=1, max_value=MAX_DURATION_SECONDS, required=False, allow_null=True, default=None
    )
    idea_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ContributionKind.choices),
        required=False,
        default=list,
        max_length=2,
    )
    vote = WorkshopVoteInput(required=False, allow_null=True, default=None)
    poll = WorkshopPollInput(required=False, allow_null=True, default=None)


class ActivityVoteItemOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ActivityVoteOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    method = serializers.ChoiceField(choices=VoteMethod.choices)
    options = serializers.DictField(child=serializers.IntegerField())
    items = ActivityVoteItemOutput(many=True)


class ActivityPollChoiceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # the choice label


class ActivityPollOutput(serializers.Serializer[Any]):
    multiple = serializers.BooleanField()
    choices = ActivityPollChoiceOutput(many=True)


class ActivityOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    workshop = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField()
    position = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ActivityStatus.choices)
    duration_seconds = serializers.IntegerField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    results_visible = serializers.BooleanField()
    idea_kinds = serializers.ListField(child=serializers.CharField())
    vote = ActivityVoteOutput(allow_null=True)
    poll = ActivityPollOutput(allow_null=True)


class ActivityResultsVisibilityInput(StrictInputSerializer):
    visible = serializers.BooleanField()


class ActivityResultsOutput(serializers.Serializer[Any]):
    type = serializers.CharField()
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    answered = serializers.IntegerField()
    final = serializers.BooleanField()
    visible = serializers.BooleanField()
    results = serializers.DictField(
        help_text="poll: {choices: [{id, label, count}]}; vote: the engine's result; "
        "idea_capture: {pending, approved, rejected}"
    )
    computed_at = serializers.DateTimeField()


class ActivityAnswerInput(StrictInputSerializer):
    card = serializers.IntegerField(min_value=1, help_text="the participant card answered for")
    choices = serializers.JSONField(
        required=False, help_text="vote: {item id: value}; poll: [choice ids]"
    )
    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False)
    text = serializers.CharField(max_length=IDEA_MAX_LENGTH, required=False)


class ActivityAnswerOutput(serializers.Serializer[Any]):
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    choices = serializers.JSONField(required=False)
    ideas = serializers.ListField(child=serializers.DictField(), required=False)


class IdeaOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=IdeaStatus.choices)
    author_name = serializers.CharField()
    contribution = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class IdeaListQueryInput(StrictInputSerializer):
    status = serializers.ChoiceField(choices=IdeaStatus.choices, required=False)


class IdeaModerateInput(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    text = serializers.CharField(max_length=IDEA_MAX_LENGTH, required=False)
    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False)
