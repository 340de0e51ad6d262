"""Synthesis API serializers: strict inputs, and outputs built from the selectors' data."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.consultations.models import Theme
from backend.core.serializers import StrictInputSerializer
from backend.proposals.api.serializers import ContributionMergedIntoOutput
from backend.synthesis.models import (
    ANSWER_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Decision,
    MergeKind,
    SourceRelation,
)
from backend.synthesis.services import MAX_MERGE, MAX_SOURCES, MAX_TERRITORIES


class ClusterMergeInput(StrictInputSerializer):
    contributions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=MAX_MERGE,
        help_text="ids of published contributions of the consultation (two at least for a "
        "new cluster)",
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    into_cluster = serializers.IntegerField(
        min_value=1, required=False, help_text="merge into this existing cluster"
    )
    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="a new cluster's title (default: the first contribution's)",
    )


class MergeUndoInput(StrictInputSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class ClusterMemberOutput(serializers.Serializer[Any]):
    contribution = serializers.IntegerField()
    title = serializers.CharField(allow_null=True, help_text="null when no longer published")
    kind = serializers.CharField()
    status = serializers.CharField()
    added_by_merge = serializers.IntegerField()
    added_at = serializers.DateTimeField()


class ClusterOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()
    is_dissolved = serializers.BooleanField(help_text="every merge into it was undone")
    members = ClusterMemberOutput(many=True)
    distinct_supporters = serializers.IntegerField(
        help_text="people who endorsed or supported at least one member, each counted once"
    )
    summed_supports = serializers.IntegerField(
        help_text="the naive sum over members (counts twice someone supporting two)"
    )


class ClusterMergeOutput(serializers.Serializer[Any]):
    merge = serializers.IntegerField(help_text="id of the merge log entry (to undo it)")
    cluster = ClusterOutput()


class MergeLogContributionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MergeLogEntryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField()
    cluster = serializers.IntegerField()
    cluster_title = serializers.CharField()
    kind = serializers.ChoiceField(choices=MergeKind.choices)
    contributions = MergeLogContributionOutput(many=True)
    by = serializers.CharField(allow_null=True, help_text="display name of who did it")
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    undoes = serializers.IntegerField(allow_null=True, help_text="for a split: the merge")
    undone_by = serializers.IntegerField(allow_null=True, help_text="for a merge: its split")


class CandidateActionCreateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    easy_read_summary = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH, required=False, default="", allow_blank=True
    )
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices),
        required=False,
        default=list,
        max_length=len(Theme.choices),
    )
    territories = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_TERRITORIES,
    )
    clusters = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_SOURCES,
        help_text="build from these clusters: the cluster and each member become sources",
    )
    contributions = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=MAX_SOURCES,
        help_text="contributions linked by hand (problems: answers_problem; proposals: comes_from)",
    )


class CandidateActionUpdateInput(StrictInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH, required=False)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )
    easy_read_summary = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True
    )
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices),
        required=False,
        max_length=len(Theme.choices),
    )
    territories = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=MAX_TERRITORIES
    )


class ActionSourceInput(StrictInputSerializer):
    contribution = serializers.IntegerField(min_value=1, required=False)
    cluster = serializers.IntegerField(min_value=1, required=False)
    relation = serializers.ChoiceField(choices=SourceRelation.choices)
    justification = serializers.CharField(
        max_length=JUSTIFICATION_MAX_LENGTH, required=False, default="", allow_blank=True
    )


class CandidateActionDecisionInput(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    public_answer = serializers.CharField(
        max_length=ANSWER_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="required for not_retained and retained_with_changes",
    )


class ContributionAnswerInput(StrictInputSerializer):
    text = serializers.CharField(max_length=ANSWER_MAX_LENGTH)


class ActionSourceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    contribution = serializers.IntegerField(allow_null=True)
    cluster = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(
        allow_null=True, help_text="the contribution's or cluster's title (null if hidden)"
    )
    relation = serializers.ChoiceField(choices=SourceRelation.choices)
    justification = serializers.CharField()
    contributions = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="a cluster source: its current members; a contribution source: itself",
    )


class CandidateActionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    easy_read_summary = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    territories = serializers.ListField(child=serializers.IntegerField())
    sources = ActionSourceOutput(many=True)
    decision = serializers.ChoiceField(choices=Decision.choices)
    public_answer = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_field(
    {
        "type": "object",
        "description": "The method's parameters by name; their shapes depend on `method` "
        "(open on purpose: a method may gain parameters within v1).",
        "additionalProperties": True,
    }
)
class ScoreParametersField(serializers.DictField):
    """A score method's parameters (their shape depends on the method)."""


class ScoreExplanationOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    method = serializers.CharField()
    description = serializers.CharField()
    parameters = ScoreParametersField()


class SegmentSupportOutput(serializers.Serializer[Any]):
    segment = serializers.CharField()
    supporters = serializers.IntegerField()
    share = serializers.FloatField()


class SupportBySegmentOutput(serializers.Serializer[Any]):
    """Distinct supporters per segment (structure type, or territory) and how balanced."""

    dimension = serializers.CharField()
    method = serializers.CharField(help_text="distinct_supporters_per_segment")
    segments = SegmentSupportOutput(many=True)
    reached = serializers.ListField(child=serializers.CharField())
    reached_count = serializers.IntegerField()
    universe = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField()
    unclassified = serializers.IntegerField()
    balance = serializers.FloatField()
    balance_method = serializers.CharField(help_text="normalized_shannon_entropy")
    min_max_ratio = serializers.FloatField()


class TerritoryLevelCoverageOutput(serializers.Serializer[Any]):
    depth = serializers.IntegerField(help_text="0: the root territory")
    direct = serializers.IntegerField()
    rolled_up = serializers.IntegerField()


class TerritoryCoverageOutput(serializers.Serializer[Any]):
    method = serializers.CharField(help_text="materialized_path_rollup")
    direct = serializers.ListField(child=serializers.CharField(), help_text="materialized paths")
    rolled_up = serializers.ListField(child=serializers.CharField())
    territory_ids = serializers.ListField(child=serializers.IntegerField())
    levels = TerritoryLevelCoverageOutput(many=True)


class CandidateActionVoteOutput(serializers.Serializer[Any]):
    vote = serializers.IntegerField()
    title = serializers.CharField()
    method = serializers.CharField()
    is_final = serializers.BooleanField()
    items = serializers.ListField(
        child=serializers.IntegerField(), help_text="the action's sources put to this vote"
    )


class CandidateActionScoresOutput(serializers.Serializer[Any]):
    action = serializers.IntegerField()
    distinct_supporters = serializers.IntegerField()
    summed_supports = serializers.IntegerField()
    distinct_structures = serializers.IntegerField()
    distinct_structure_types = serializers.IntegerField()
    territories_covered = serializers.IntegerField()
    consensus = serializers.FloatField(
        allow_null=True, help_text="geometric mean over opinion groups; null without reactions"
    )
    sources = serializers.IntegerField(help_text="distinct source contributions")
    explanations = ScoreExplanationOutput(many=True)
    territory_coverage = TerritoryCoverageOutput()
    support_by_structure_type = SupportBySegmentOutput()
    support_by_territory = SupportBySegmentOutput()
    support_sentence = serializers.CharField(help_text="French, e.g. soutenue par des CCAS")
    votes = CandidateActionVoteOutput(
        many=True,
        help_text="votes the sources were put to: results at /api/v1/votes/{vote}/results/",
    )


class CandidateActionDetailOutput(CandidateActionOutput):
    scores = CandidateActionScoresOutput()


class FedActionOutput(serializers.Serializer[Any]):
    action = serializers.IntegerField()
    title = serializers.CharField()
    decision = serializers.ChoiceField(choices=Decision.choices)
    public_answer = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    relation = serializers.ChoiceField(choices=SourceRelation.choices)
    justification = serializers.CharField()
    through_cluster = serializers.IntegerField(allow_null=True)


class ContributionTraceableAnswerOutput(serializers.Serializer[Any]):
    contribution = serializers.IntegerField()
    merged_into = ContributionMergedIntoOutput(
        allow_null=True, help_text="{id, title} of the active cluster, if merged"
    )
    actions = FedActionOutput(many=True)
    own_answer = serializers.CharField(allow_null=True)
    own_answer_at = serializers.DateTimeField(allow_null=True)
    is_answered = serializers.BooleanField()


class UnansweredContributionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    merged_into = serializers.IntegerField(allow_null=True)
