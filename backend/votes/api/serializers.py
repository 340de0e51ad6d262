"""Votes API serializers: strict inputs, outputs without voters' identities."""

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.core.serializers import SafeDateTimeField, StrictInputSerializer
from backend.structures.models import Structure
from backend.votes.models import (
    PAPER_REFERENCE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    BallotLine,
    BallotOrigin,
    VoteMethod,
)
from backend.votes.selectors.counting import Grouping
from backend.votes.services import MAX_ITEMS, MAX_PAPER_LINES, SMALLINT_MAX


class VoteOptionsInput(StrictInputSerializer):
    max_supports = serializers.IntegerField(
        required=False, min_value=1, help_text="support: at most this many supports per person"
    )
    threshold = serializers.IntegerField(
        required=False, min_value=1, help_text="support: supports that mark an item as reached"
    )
    dot_budget = serializers.IntegerField(
        required=False, min_value=1, help_text="dots: points each person spreads (required)"
    )
    dot_max_per_item = serializers.IntegerField(
        required=False, min_value=1, help_text="dots: at most this many points on one item"
    )


class VoteCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    method = serializers.ChoiceField(choices=VoteMethod.choices)
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=MAX_ITEMS,
        help_text="ids of published proposals of the consultation",
    )
    options = VoteOptionsInput(required=False, default=dict)
    one_structure_one_voice = serializers.BooleanField(required=False, default=False)


class VoteItemOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class VoteOptionsOutput(serializers.Serializer[Any]):
    max_supports = serializers.IntegerField(required=False)
    threshold = serializers.IntegerField(required=False)
    dot_budget = serializers.IntegerField(required=False)
    dot_max_per_item = serializers.IntegerField(required=False)


class VoteOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    title = serializers.CharField()
    method = serializers.ChoiceField(choices=VoteMethod.choices)
    options = VoteOptionsOutput()
    items = VoteItemOutput(many=True, source="items.all")
    one_structure_one_voice = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class BallotCastInput(StrictInputSerializer):
    choices = serializers.DictField(
        child=serializers.IntegerField(min_value=-SMALLINT_MAX, max_value=SMALLINT_MAX),
        help_text="item id -> value: 1 for support or approval; the grade index 0 (Excellent) "
        "to 6 (To reject) for majority judgment; points for dots; the rank (1 best) for "
        "ranking; 1, -1 or 0 for agree, disagree, pass. Items left out have no line.",
    )
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.all(), allow_null=True, required=False, default=None
    )
    origin = serializers.ChoiceField(
        choices=BallotOrigin.choices, required=False, default=BallotOrigin.WEB
    )

    def validate_choices(self, value: dict[str, int]) -> dict[int, int]:
        parsed: dict[int, int] = {}
        for key, choice in value.items():
            if not key.isascii() or not key.isdigit() or len(key) > 18:
                raise serializers.ValidationError(
                    _("Item ids are whole numbers."), code="invalid_item"
                )
            parsed[int(key)] = choice
        return parsed


class BallotOutput(serializers.Serializer[Any]):
    vote = serializers.IntegerField()
    choices = serializers.DictField(child=serializers.IntegerField())
    structure = serializers.IntegerField(allow_null=True)
    origin = serializers.ChoiceField(choices=BallotOrigin.choices, allow_null=True)
    cast_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def ballot_cast_input(data: Any) -> dict[str, Any]:
    """`BallotCastInput`'s validated data for a request body, checked by plain code when the
    body is the common one (`choices` of whole numbers within range keyed by item ids, and
    maybe a known `origin`), and by the serializer otherwise: its errors are the serializer's.
    Every body the plain path accepts, the serializer accepts with the same result."""
    if type(data) is dict and data.keys() <= _PLAIN_FIELDS:
        choices, origin = data.get("choices"), data.get("origin", _DEFAULT_ORIGIN)
        if type(choices) is dict and type(origin) is str and origin in _ORIGINS:
            parsed: dict[int, int] = {}
            for key, value in choices.items():
                if (
                    type(value) is not int
                    or not -SMALLINT_MAX <= value <= SMALLINT_MAX
                    or not _ITEM_ID.fullmatch(key)
                ):
                    break
                parsed[int(key)] = value
            else:
                return {"choices": parsed, "structure": None, "origin": origin}
    serializer = BallotCastInput(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_PLAIN_FIELDS = frozenset({"choices", "origin"})
_ORIGINS = frozenset(BallotOrigin.values)
# The text, not the enum member: the check below wants exactly a str.
_DEFAULT_ORIGIN: str = BallotOrigin.WEB.value
_ITEM_ID = re.compile(r"[0-9]{1,18}")
_DATETIME = serializers.DateTimeField()


def ballot_output(*, vote_id: int, lines: list[BallotLine]) -> dict[str, Any]:
    """`BallotOutput(ballot_data(...)).data` without a serializer instance per response (the
    ballot is written on every PUT): the same keys, types and timestamp format."""
    data = ballot_data(vote_id=vote_id, lines=lines)
    for name in ("cast_at", "updated_at"):
        if data[name] is not None:
            data[name] = _DATETIME.to_representation(data[name])
    return data


def ballot_data(*, vote_id: int, lines: list[BallotLine]) -> dict[str, Any]:
    """One voter's lines as one ballot (empty when there are none)."""
    first = lines[0] if lines else None
    return {
        "vote": vote_id,
        "choices": {str(line.item_id): line.value for line in lines},
        "structure": first.structure_id if first else None,
        "origin": first.origin if first else None,
        "cast_at": min(line.cast_at for line in lines) if lines else None,
        "updated_at": max(line.updated_at for line in lines) if lines else None,
    }


class PaperBallotLineInput(StrictInputSerializer):
    """One paper ballot line (documentation: the service checks every line itself)."""

    card = serializers.IntegerField(required=False, help_text="participant card id")
    card_label = serializers.CharField(required=False, help_text="or the card's label")
    item = serializers.IntegerField()
    value = serializers.IntegerField()
    paper_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=PAPER_REFERENCE_MAX_LENGTH
    )
    captured_at = SafeDateTimeField(required=False)


class PaperBallotImportInput(StrictInputSerializer):
    lines = PaperBallotLineInput(many=True)


class PaperBallotImportEnvelopeInput(StrictInputSerializer):
    """What the view parses: the lines stay raw so that every bad one is reported at once."""

    lines = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, max_length=MAX_PAPER_LINES
    )


class PaperBallotImportOutput(serializers.Serializer[Any]):
    lines = serializers.IntegerField(help_text="lines recorded (created or replaced)")
    cards = serializers.IntegerField(help_text="participant cards concerned")


class VoteResultsQueryInput(serializers.Serializer[Any]):
    by = serializers.ChoiceField(
        choices=[("person", "person"), ("structure", "structure")],
        required=False,
        help_text="person: every voter counts; structure: one structure, one voice (the lines "
        "cast for a structure count once, the latest per item). Default: the vote's setting.",
    )


class VoteResultBreakdownQueryInput(serializers.Serializer[Any]):
    by = serializers.ChoiceField(choices=[(g.value, g.value) for g in Grouping])
    counted_by = serializers.ChoiceField(
        choices=[("person", "person"), ("structure", "structure")], required=False
    )


class VoteResultEntryOutput(serializers.Serializer[Any]):
    """One item's line of a result; the fields present depend on the method."""

    item = serializers.IntegerField()
    rank = serializers.IntegerField(required=False, help_text="1 = best; ties share a rank")
    count = serializers.IntegerField(required=False, help_text="support, approval")
    has_reached_threshold = serializers.BooleanField(required=False, help_text="support")
    points = serializers.IntegerField(required=False, help_text="dots")
    voter_count = serializers.IntegerField(required=False, help_text="dots: voters with points")
    majority_grade = serializers.IntegerField(
        required=False, allow_null=True, help_text="majority judgment: 0 Excellent .. 6 To reject"
    )
    profile = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="majority judgment: judgments per grade, Excellent first; ungraded = To reject",
    )
    better_count = serializers.IntegerField(required=False)
    worse_count = serializers.IntegerField(required=False)
    agree = serializers.IntegerField(required=False)
    disagree = serializers.IntegerField(required=False)
    passed = serializers.IntegerField(required=False)
    total = serializers.IntegerField(required=False)


class VoteBordaEntryOutput(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    rank = serializers.IntegerField()
    points = serializers.IntegerField()


class VoteResultBodyOutput(serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=VoteMethod.choices)
    voter_count = serializers.IntegerField()
    threshold = serializers.IntegerField(required=False, allow_null=True)
    entries = VoteResultEntryOutput(many=True, help_text="best first (agree: in item order)")
    preferences = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        required=False,
        help_text="ranking: d[i][j], voters preferring item i to item j (items ascending)",
    )
    borda = VoteBordaEntryOutput(many=True, required=False, help_text="ranking: second reading")


class VoteResultOutput(VoteResultBodyOutput):
    vote = serializers.IntegerField()
    counted_by = serializers.ChoiceField(choices=[("person", "person"), ("structure", "structure")])
    is_final = serializers.BooleanField(help_text="true once the vote is closed")
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="when the frozen result was computed (null: live count)"
    )
    ballots_digest = serializers.CharField(
        allow_null=True, help_text="SHA-256 (hex) of the published ballot file, once closed"
    )


class VoteResultGroupOutput(serializers.Serializer[Any]):
    key = serializers.CharField(
        help_text="origin: online, workshop or paper; structure_type: a structure type or "
        "none; territory: the id of the consultation territory's child the voter lives in, "
        "the consultation territory's id, unknown or outside"
    )
    result = VoteResultBodyOutput()


class VoteResultBreakdownOutput(serializers.Serializer[Any]):
    vote = serializers.IntegerField()
    by = serializers.ChoiceField(choices=[(g.value, g.value) for g in Grouping])
    counted_by = serializers.ChoiceField(choices=[("person", "person"), ("structure", "structure")])
    is_final = serializers.BooleanField()
    groups = VoteResultGroupOutput(many=True)
