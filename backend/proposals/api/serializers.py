"""Proposals API serializers: strict inputs, separate outputs that never show e-mails."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import User
from backend.consultations.models import Theme
from backend.core.serializers import SafeDateTimeField, StrictInputSerializer
from backend.proposals.models import (
    BODY_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    PARTNERS_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    AgeBracket,
    ConsentNote,
    Contribution,
    ContributionKind,
    ContributionStatus,
    ContributionVersion,
    Origin,
    ParticipantCard,
    Public,
)
from backend.proposals.selectors import contribution_comment_counts
from backend.proposals.services import MAX_ANSWERS
from backend.structures.models import Structure
from backend.territories.models import Territory

INT_MAX = 2_147_483_647


def _text(limit: int, *, required: bool = True, blank: bool = False) -> serializers.CharField:
    # Text is stored as people typed it: no trimming.
    kwargs: dict[str, Any] = {"max_length": limit, "trim_whitespace": False}
    if not required:
        kwargs["required"] = False
    if blank:
        kwargs["allow_blank"] = True
    return serializers.CharField(**kwargs)


class CommentCountsOutput(serializers.Serializer[Any]):
    """Visible comments of a contribution: {"total", "for", "against", "neutral"}."""

    total = serializers.IntegerField()
    against = serializers.IntegerField()
    neutral = serializers.IntegerField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `for` is a Python keyword: it cannot be a class attribute.
        fields = super().get_fields()
        fields["for"] = serializers.IntegerField()
        return fields


class ContributionCreateInput(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    title = _text(TITLE_MAX_LENGTH)
    body = _text(BODY_MAX_LENGTH)
    summary_easy_read = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH,
        trim_whitespace=False,
        allow_blank=True,
        required=False,
        default="",
    )
    theme = serializers.ChoiceField(
        choices=Theme.choices, allow_blank=True, required=False, default=""
    )
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    publics = serializers.ListField(
        child=serializers.ChoiceField(choices=Public.choices),
        max_length=len(Public),
        required=False,
        default=list,
    )
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX),
        max_length=MAX_ANSWERS,
        required=False,
        default=list,
    )
    expected_partners = serializers.CharField(
        max_length=PARTNERS_MAX_LENGTH,
        trim_whitespace=False,
        allow_blank=True,
        required=False,
        default="",
    )
    estimated_cost_eur = serializers.IntegerField(
        min_value=0, max_value=INT_MAX, allow_null=True, required=False, default=None
    )
    origin = serializers.ChoiceField(choices=Origin.choices, required=False, default=Origin.WEB)
    on_behalf_of_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    on_behalf_of_card = serializers.PrimaryKeyRelatedField(
        queryset=ParticipantCard.objects.all(), allow_null=True, required=False, default=None
    )
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(), allow_null=True, required=False, default=None
    )
    captured_at = SafeDateTimeField(
        allow_null=True,
        required=False,
        default=None,
        help_text="When the words were taken down: only for an entry made for someone else.",
    )
    on_behalf_consent = serializers.ChoiceField(
        choices=ConsentNote.choices,
        required=False,
        default="",
        help_text="With on_behalf_of_user: how that person agreed (required then).",
    )
    publish = serializers.BooleanField(required=False, default=True)


class ContributionUpdateInput(StrictInputSerializer):
    title = _text(TITLE_MAX_LENGTH, required=False)
    body = _text(BODY_MAX_LENGTH, required=False)
    summary_easy_read = _text(SUMMARY_MAX_LENGTH, required=False, blank=True)
    theme = serializers.ChoiceField(choices=Theme.choices, allow_blank=True, required=False)
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all(), required=False)
    publics = serializers.ListField(
        child=serializers.ChoiceField(choices=Public.choices),
        max_length=len(Public),
        required=False,
    )
    answers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX),
        max_length=MAX_ANSWERS,
        required=False,
    )
    expected_partners = _text(PARTNERS_MAX_LENGTH, required=False, blank=True)
    estimated_cost_eur = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False)


class EndorsementInput(StrictInputSerializer):
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(), allow_null=True, required=False, default=None
    )
    on_behalf_of_card = serializers.PrimaryKeyRelatedField(
        queryset=ParticipantCard.objects.all(), allow_null=True, required=False, default=None
    )


class ParticipantCardCreateInput(StrictInputSerializer):
    label = _text(LABEL_MAX_LENGTH)  # type: ignore[assignment]
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), allow_null=True, required=False, default=None
    )
    age_bracket = serializers.ChoiceField(
        choices=AgeBracket.choices, required=False, default=AgeBracket.UNKNOWN
    )
    consent_given = serializers.BooleanField()
    consent_note = serializers.ChoiceField(choices=ConsentNote.choices)


class ParticipantCardOutput(serializers.Serializer[Any]):
    """Facilitators only, and only what they need to pick the card again."""

    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]


class ContributionPersonOutput(serializers.Serializer[Any]):
    """An author: {"kind": "user", "id", "display_name"} or {"kind": "card", "label"}."""

    kind = serializers.CharField(help_text="user or card")
    id = serializers.IntegerField(required=False)
    display_name = serializers.CharField(required=False)
    label = serializers.CharField(required=False)  # type: ignore[assignment]


class ContributionTypistOutput(serializers.Serializer[Any]):
    display_name = serializers.CharField()


class ContributionTerritoryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ContributionStructureOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    is_verified = serializers.BooleanField(
        help_text="Checked by staff; show an unverified structure as declared by its members."
    )


class ContributionMergedIntoOutput(serializers.Serializer[Any]):
    """The cluster a contribution was merged into (GET /api/v1/clusters/{id}/)."""

    id = serializers.IntegerField()
    title = serializers.CharField()


class ContributionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    status = serializers.ChoiceField(choices=ContributionStatus.choices)
    title = serializers.CharField(allow_null=True)
    body = serializers.CharField(allow_null=True)
    summary_easy_read = serializers.CharField(allow_null=True)
    hidden_reason = serializers.CharField()
    theme = serializers.CharField()
    territory = ContributionTerritoryOutput()
    publics = serializers.ListField(child=serializers.ChoiceField(choices=Public.choices))
    answers = serializers.ListField(child=serializers.IntegerField(), source="answer_ids")
    expected_partners = serializers.CharField()
    estimated_cost_eur = serializers.IntegerField(allow_null=True)
    origin = serializers.ChoiceField(choices=Origin.choices)
    on_behalf_consent = serializers.CharField(
        help_text="How the person published for agreed (oral, written, guardian); empty unless "
        "a facilitator published in the name of an account."
    )
    author = serializers.SerializerMethodField()
    entered_by = serializers.SerializerMethodField()
    structure = ContributionStructureOutput(allow_null=True)
    endorsement_count = serializers.IntegerField()
    endorsed_by_me = serializers.SerializerMethodField()
    endorsed_for_my_structures = serializers.SerializerMethodField()
    comment_counts = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    captured_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(ContributionMergedIntoOutput(allow_null=True))
    def get_merged_into(self, obj: Contribution) -> dict[str, Any] | None:
        cluster_id = getattr(obj, "merged_into_id", None)
        if cluster_id is None:
            return None
        return {"id": cluster_id, "title": getattr(obj, "merged_into_title", "")}

    @extend_schema_field(ContributionPersonOutput)
    def get_author(self, obj: Contribution) -> dict[str, Any]:
        if obj.author_card is not None:
            return {"kind": "card", "label": obj.author_card.label}
        author = obj.author
        return {
            "kind": "user",
            "id": obj.author_id,
            "display_name": author.display_name if author else "",
        }

    @extend_schema_field(ContributionTypistOutput(allow_null=True))
    def get_entered_by(self, obj: Contribution) -> dict[str, Any] | None:
        if obj.entered_by_id == obj.author_id:
            return None
        return {"display_name": obj.entered_by.display_name}

    @extend_schema_field(serializers.BooleanField())
    def get_endorsed_by_me(self, obj: Contribution) -> bool:
        return bool(getattr(obj, "endorsed_by_me", False))

    @extend_schema_field(
        serializers.ListField(
            child=serializers.IntegerField(),
            help_text="ids of the caller's structures that endorsed this problem (withdraw "
            "with DELETE .../endorsement/?structure=<id>); empty when anonymous",
        )
    )
    def get_endorsed_for_my_structures(self, obj: Contribution) -> list[int]:
        return list(getattr(obj, "endorsed_for_my_structures", None) or [])

    @extend_schema_field(CommentCountsOutput)
    def get_comment_counts(self, obj: Contribution) -> dict[str, int]:
        return contribution_comment_counts(obj)

    def to_representation(self, instance: Contribution) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.status == ContributionStatus.HIDDEN:
            # The moderator's reason is shown in place of the text.
            data.update(title=None, body=None, summary_easy_read=None)
        return data


class ContributionVersionOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    summary_easy_read = serializers.CharField()
    edited_at = serializers.DateTimeField()
    edited_by = serializers.SerializerMethodField()

    @extend_schema_field(ContributionTypistOutput(allow_null=True))
    def get_edited_by(self, obj: ContributionVersion) -> dict[str, Any] | None:
        if obj.edited_by is None:
            return None
        return {"display_name": obj.edited_by.display_name}
