"""Suggestions API serializers: the draft to compare, similar contributions, suggestion runs."""

from typing import Any

from rest_framework import serializers

from backend.core.serializers import StrictInputSerializer
from backend.proposals.models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ContributionKind,
)
from backend.suggestions.models import RunStatus
from backend.suggestions.selectors import (
    DEFAULT_MIN_SCORE,
    DEFAULT_SIMILAR_COUNT,
    MAX_SIMILAR_COUNT,
)

INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807
MAX_EXCLUDED = 50


class SuggestionCalibrationOutput(serializers.Serializer[Any]):
    """Every property is present, or none (no organizer decision was taken into account)."""

    requested_threshold = serializers.FloatField(required=False)
    threshold = serializers.FloatField(required=False)
    must_link = serializers.IntegerField(required=False, help_text="pairs kept together")
    cannot_link = serializers.IntegerField(required=False, help_text="pairs kept apart")
    contradictions_at_default = serializers.IntegerField(required=False)
    contradictions_at_threshold = serializers.IntegerField(required=False)


class SimilarContributionsInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, allow_blank=True)
    body = serializers.CharField(
        max_length=BODY_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    kind = serializers.ChoiceField(
        choices=ContributionKind.choices, required=False, allow_null=True, default=None
    )
    exclude = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX),
        max_length=MAX_EXCLUDED,
        required=False,
        default=list,
        help_text="Ids to leave out (the contribution being edited).",
    )
    k = serializers.IntegerField(
        min_value=1, max_value=MAX_SIMILAR_COUNT, required=False, default=DEFAULT_SIMILAR_COUNT
    )
    min_score = serializers.FloatField(
        min_value=0.0, max_value=1.0, required=False, default=DEFAULT_MIN_SCORE
    )


class SimilarityWhyOutput(serializers.Serializer[Any]):
    terms = serializers.ListField(
        child=serializers.CharField(),
        help_text="Words both texts use, the rarest in the consultation first (at most 5).",
    )
    concepts = serializers.ListField(
        child=serializers.CharField(),
        help_text="Domain concepts both texts mention (at most 4), e.g. « caf », « logement ».",
    )
    lexical = serializers.FloatField(
        allow_null=True,
        help_text="Cosine of the word-stem view, 0 to 1; null when the two texts are not both "
        "in French (then only the semantic view counts).",
    )
    semantic = serializers.FloatField(
        help_text="Cosine of the multilingual sentence embeddings (centered on the "
        "consultation), -1 to 1.",
    )


class SimilarContributionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    score = serializers.FloatField(
        help_text="Similarity, 0 to 1: the mean of the word-stem and semantic cosines for two "
        "French texts, the semantic cosine otherwise."
    )
    confidence = serializers.FloatField(
        help_text="How likely the two say the same thing, 0 to 1 (0.5 at the merge threshold)."
    )
    why = SimilarityWhyOutput()


class SimilarContributionsOutput(serializers.Serializer[Any]):
    results = SimilarContributionOutput(many=True)


class SuggestionRunCreateInput(StrictInputSerializer):
    threshold = serializers.FloatField(
        min_value=0.0,
        max_value=1.0,
        required=False,
        allow_null=True,
        default=None,
        help_text="Average-linkage cut, strictly between 0 and 1 (default: the engine's).",
    )


class SuggestionRunMemberOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True, help_text="Null unless still published.")
    kind = serializers.ChoiceField(choices=ContributionKind.choices, allow_null=True)
    status = serializers.CharField(
        help_text="The contribution's status now: published, withdrawn, hidden, or deleted."
    )


class SuggestionRunClusterOutput(serializers.Serializer[Any]):
    representative_id = serializers.IntegerField()
    cohesion = serializers.FloatField(help_text="Mean pairwise similarity of the members.")
    confidence = serializers.FloatField(
        allow_null=True,
        help_text="How likely the members say the same thing, 0 to 1 (0.5 at the threshold "
        "used); null for runs computed before confidences existed.",
    )
    shared_terms = serializers.ListField(
        child=serializers.CharField(), help_text="Words most members use, rarest first."
    )
    shared_concepts = serializers.ListField(
        child=serializers.CharField(), help_text="Domain concepts most members mention."
    )
    members = SuggestionRunMemberOutput(many=True)
    already_merged_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Members already together in a cluster of the synthesis.",
    )


class SuggestionRunOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    threshold = serializers.FloatField(help_text="The threshold asked for.")
    status = serializers.ChoiceField(choices=RunStatus.choices)
    done = serializers.IntegerField()
    total = serializers.IntegerField(help_text="0 until the job has started.")
    contribution_count = serializers.IntegerField()
    calibration = SuggestionCalibrationOutput(
        help_text="What organizer merge decisions changed (threshold used, overrides); "
        "empty (no property) when none were taken into account."
    )
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    attempts = serializers.IntegerField(
        help_text="Workers that took the run: more than 1 when a worker was lost mid-run and "
        "the run was queued again."
    )
    lease_expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="While running: when the run is taken back unless its worker renews the "
        "lease (it does every third of the lease while alive). Null otherwise.",
    )


class SuggestionRunDetailOutput(SuggestionRunOutput):
    clusters = SuggestionRunClusterOutput(
        many=True, help_text="Largest first; empty until the run is done."
    )
