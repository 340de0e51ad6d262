"""Live workshops API serializers: strict inputs; outputs mirror frontend-contract/live/."""

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from backend.core.serializers import ScheduleDateTimeField, StrictInputSerializer
from backend.proposals.models import ContributionKind
from backend.territories.models import Territory
from backend.votes.api.serializers import VoteResultBodyOutput
from backend.votes.models import VoteMethod
from backend.votes.services import MAX_ITEMS
from backend.workshops.models import (
    IDEA_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ActivityKind,
    ActivityStatus,
    IdeaStatus,
    Participation,
    WorkshopStatus,
)
from backend.workshops.services import MAX_DURATION_SECONDS, MAX_POLL_CHOICES


class WorkshopCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    place = serializers.CharField(max_length=PLACE_MAX_LENGTH, required=False, default="")
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True, default=None
    )
    scheduled_at = ScheduleDateTimeField(required=False, allow_null=True, default=None)
    participation = serializers.ChoiceField(
        choices=Participation.choices,
        required=False,
        default=Participation.DEVICE,
        help_text="Who may answer without being vouched for: accounts (signed in only), "
        "device (one participant card per device, the default), open (every new phone).",
    )


class WorkshopOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField()
    title = serializers.CharField()
    place = serializers.CharField()
    territory = serializers.IntegerField(allow_null=True)
    scheduled_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=WorkshopStatus.choices)
    join_code = serializers.CharField(
        allow_null=True,
        help_text="Only for the workshop's facilitators (and in the room): null for others.",
    )
    join_url = serializers.CharField(allow_null=True, help_text="/live/<code>/ (for a QR code)")
    participation = serializers.ChoiceField(choices=Participation.choices)
    current_activity = serializers.IntegerField(allow_null=True)
    last_seq = serializers.IntegerField()
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class WorkshopJoinOutput(serializers.Serializer[Any]):
    workshop = WorkshopOutput()
    websocket = serializers.CharField(help_text="path of the workshop's websocket")
    device_token = serializers.CharField(
        help_text="This device's signed id (also set as the npt_workshop_device cookie): "
        "send it as `device_token` in the websocket `join` if the client keeps no cookies."
    )


class WorkshopParticipantOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    card = serializers.IntegerField(allow_null=True)
    signed_in = serializers.BooleanField()
    anonymous = serializers.BooleanField(
        help_text="A card made by a phone joining by itself (nobody vouched for it)"
    )
    voided_at = serializers.DateTimeField(allow_null=True)
    joined_at = serializers.DateTimeField()


class ActivityResultsParticipationOutput(serializers.Serializer[Any]):
    policy = serializers.ChoiceField(choices=Participation.choices)
    identified = serializers.IntegerField(help_text="accounts, and cards a facilitator answers for")
    anonymous = serializers.IntegerField(help_text="cards of phones that joined by themselves")


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


class ActivityPollResultChoiceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ActivityPollResultsOutput(serializers.Serializer[Any]):
    choices = ActivityPollResultChoiceOutput(many=True)


class ActivityVoteResultsOutput(VoteResultBodyOutput):
    """The vote engine's result (as GET /api/v1/votes/{id}/results/, without computed_at)."""

    vote = serializers.IntegerField()
    counted_by = serializers.ChoiceField(choices=[("person", "person"), ("structure", "structure")])
    is_final = serializers.BooleanField()
    ballots_digest = serializers.CharField(allow_null=True)


class ActivityIdeaResultsOutput(serializers.Serializer[Any]):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()


ACTIVITY_RESULTS = PolymorphicProxySerializer(
    component_name="ActivityResultsPayload",
    serializers=[ActivityPollResultsOutput, ActivityVoteResultsOutput, ActivityIdeaResultsOutput],
    resource_type_field_name=None,
)


class ActivityResultsOutput(serializers.Serializer[Any]):
    type = serializers.CharField()
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    answered = serializers.IntegerField()
    participation = ActivityResultsParticipationOutput()
    final = serializers.BooleanField()
    visible = serializers.BooleanField()
    results = serializers.SerializerMethodField(
        help_text="poll: {choices: [{id, label, count}]}; vote: the engine's result; "
        "idea_capture: {pending, approved, rejected}"
    )
    computed_at = serializers.DateTimeField()

    @extend_schema_field(ACTIVITY_RESULTS)
    def get_results(self, obj: dict[str, Any]) -> dict[str, Any]:
        return dict(obj["results"])


VOTE_CHOICES_SCHEMA = {
    "type": "object",
    "description": "vote: {item id: value}",
    "propertyNames": {"pattern": "^[0-9]+$"},
    "additionalProperties": {"type": "integer"},
}
POLL_CHOICES_SCHEMA = {
    "type": "array",
    "description": "poll: the chosen choice ids",
    "items": {"type": "integer"},
}


@extend_schema_field({"oneOf": [VOTE_CHOICES_SCHEMA, POLL_CHOICES_SCHEMA]})
class AnswerChoicesField(serializers.JSONField):
    """vote: {item id: value}; poll: [choice ids] (checked by the view for the activity)."""


class ActivityAnswerInput(StrictInputSerializer):
    card = serializers.IntegerField(min_value=1, help_text="the participant card answered for")
    choices = AnswerChoicesField(
        required=False, help_text="vote: {item id: value}; poll: [choice ids]"
    )
    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False)
    text = serializers.CharField(max_length=IDEA_MAX_LENGTH, required=False)


class IdeaOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=IdeaStatus.choices)
    author_name = serializers.CharField()
    contribution = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class ActivityAnswerOutput(serializers.Serializer[Any]):
    activity = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    choices = AnswerChoicesField(required=False)
    ideas = IdeaOutput(many=True, required=False)


class IdeaListQueryInput(serializers.Serializer[Any]):
    """Query string of the idea list (pagination parameters are read by the paginator)."""

    status = serializers.ChoiceField(choices=IdeaStatus.choices, required=False)


class IdeaModerateInput(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    text = serializers.CharField(max_length=IDEA_MAX_LENGTH, required=False)
    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False)
