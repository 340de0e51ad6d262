"""Synthesis endpoints: merges and clusters, the merge log, candidate actions, their sources,
decisions and scores, contributions' traceable answers and the unanswered check."""

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.policies import can_view_consultation
from backend.consultations.selectors import consultation_get
from backend.core import errors
from backend.core.api.requests import parse_input, signed_in_user
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.proposals.models import Contribution, ContributionStatus
from backend.proposals.selectors import contribution_get
from backend.synthesis import selectors, services
from backend.synthesis.api.serializers import (
    ActionSourceInput,
    ActionSourceOutput,
    CandidateActionCreateInput,
    CandidateActionDecisionInput,
    CandidateActionDetailOutput,
    CandidateActionOutput,
    CandidateActionScoresOutput,
    CandidateActionUpdateInput,
    ClusterMergeInput,
    ClusterMergeOutput,
    ClusterOutput,
    ContributionAnswerInput,
    ContributionTraceableAnswerOutput,
    MergeLogEntryOutput,
    MergeUndoInput,
    UnansweredContributionOutput,
)
from backend.synthesis.models import ActionSource, CandidateAction, Cluster, MergeLogEntry
from backend.synthesis.policies import ensure_can_decide, ensure_can_merge

TAGS = ["synthesis"]


# --- output builders (plain data from the selectors' prefetched objects) --------------


def _title_if_public(contribution: Contribution) -> str | None:
    return contribution.title if contribution.status == ContributionStatus.PUBLISHED else None


def cluster_data(cluster: Cluster, support: selectors.ClusterSupportView | None) -> dict[str, Any]:
    members = getattr(cluster, "active_members", [])
    return {
        "id": cluster.pk,
        "consultation": cluster.consultation_id,
        "title": cluster.title,
        "created_at": cluster.created_at,
        "is_dissolved": not members,
        "members": [
            {
                "contribution": m.contribution_id,
                "title": _title_if_public(m.contribution),
                "kind": m.contribution.kind,
                "status": m.contribution.status,
                "added_by_merge": m.added_by_merge_id,
                "added_at": m.added_at,
            }
            for m in members
        ],
        "distinct_supporters": support.distinct_supporters if support else 0,
        "summed_supports": support.summed_supports if support else 0,
    }


def clusters_data(clusters: Sequence[Cluster]) -> list[dict[str, Any]]:
    supports = selectors.cluster_supports(clusters=clusters)
    return [cluster_data(cluster, supports.get(cluster.pk)) for cluster in clusters]


def merge_entry_data(entry: MergeLogEntry) -> dict[str, Any]:
    undone_by = list(entry.undone_by.all())
    return {
        "id": entry.pk,
        "consultation": entry.consultation_id,
        "cluster": entry.cluster_id,
        "cluster_title": entry.cluster.title,
        "kind": entry.kind,
        "contributions": [
            {"id": c.pk, "title": c.title}
            for c in sorted(entry.contributions.all(), key=lambda c: c.pk)
        ],
        "by": entry.by.display_name if entry.by else None,
        "at": entry.at,
        "reason": entry.reason,
        "undoes": entry.undoes_id,
        "undone_by": undone_by[0].pk if undone_by else None,
    }


def source_data(source: ActionSource) -> dict[str, Any]:
    if source.contribution is not None:
        title = _title_if_public(source.contribution)
        contributions = [source.contribution_id]
    else:
        assert source.cluster is not None
        title = source.cluster.title
        members = getattr(source.cluster, "active_members", [])
        contributions = [m.contribution_id for m in members]
    return {
        "id": source.pk,
        "contribution": source.contribution_id,
        "cluster": source.cluster_id,
        "title": title,
        "relation": source.relation,
        "justification": source.justification,
        "contributions": contributions,
    }


def action_data(action: CandidateAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "consultation": action.consultation_id,
        "title": action.title,
        "description": action.description,
        "easy_read_summary": action.easy_read_summary,
        "themes": list(action.themes),
        "territories": sorted(t.pk for t in action.territories.all()),
        "sources": [source_data(source) for source in action.sources.all()],
        "decision": action.decision,
        "public_answer": action.public_answer,
        "decided_at": action.decided_at,
        "created_at": action.created_at,
        "updated_at": action.updated_at,
    }


def _action_detail(request: Request, action_id: int) -> dict[str, Any]:
    action = selectors.candidate_action_get(action_id=action_id, user=request.user)
    data = {**action_data(action), "scores": selectors.action_scores_get(action=action)}
    return dict(CandidateActionDetailOutput(data).data)


def _cluster_output(request: Request, cluster_id: int) -> dict[str, Any]:
    cluster = selectors.cluster_get(cluster_id=cluster_id, user=request.user)
    return dict(ClusterOutput(clusters_data([cluster])[0]).data)


# --- clusters and merges --------------------------------------------------------------


class ConsultationClusterListView(GenericAPIView[Cluster]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Cluster.objects.none()

    @extend_schema(
        operation_id="consultation_clusters_list",
        tags=TAGS,
        summary="Clusters of merged contributions, with distinct and summed supporters",
        responses=ClusterOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(selectors.cluster_list(consultation=consultation)) or []
        return self.get_paginated_response(ClusterOutput(clusters_data(page), many=True).data)

    @extend_schema(
        operation_id="consultation_clusters_merge",
        tags=TAGS,
        summary="Merge contributions into a new cluster, or into `into_cluster`",
        description="Organizers and facilitators, during the synthesis phase. Nothing is "
        "deleted; contributions already voted on may be merged. A contribution already in "
        "a cluster: 409 already_merged. The answer names the merge log entry (to undo it).",
        request=ClusterMergeInput,
        responses={201: ClusterMergeOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_can_merge(user=request.user, consultation=consultation)
        data = parse_input(ClusterMergeInput, request)
        into = data.get("into_cluster")
        entry = services.contributions_merge(
            by=signed_in_user(request),
            consultation=consultation,
            contribution_ids=data["contributions"],
            reason=data["reason"],
            into_cluster=Cluster(pk=into) if into is not None else None,
            title=data["title"],
        )
        body = {"merge": entry.pk, "cluster": _cluster_output(request, entry.cluster_id)}
        return Response(ClusterMergeOutput(body).data, status=status.HTTP_201_CREATED)


class ClusterDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="clusters_retrieve",
        tags=TAGS,
        summary="A cluster: its current members and distinct supporters",
        responses=ClusterOutput,
    )
    def get(self, request: Request, cluster_id: int) -> Response:
        return Response(_cluster_output(request, cluster_id))


class MergeUndoView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="merges_undo",
        tags=TAGS,
        summary="Undo a merge (split): its contributions leave the cluster",
        description="Merges of one cluster are undone latest first (409 merge_not_latest); "
        "twice: 409 merge_already_undone. Answers the split's log entry.",
        request=MergeUndoInput,
        responses={201: MergeLogEntryOutput},
    )
    def post(self, request: Request, merge_id: int) -> Response:
        entry = selectors.merge_entry_get(merge_id=merge_id)
        if not can_view_consultation(user=request.user, obj=entry.consultation):
            raise errors.NotFound()
        ensure_can_merge(user=request.user, consultation=entry.consultation)
        data = parse_input(MergeUndoInput, request)
        split = services.merge_undo(
            by=signed_in_user(request), merge_entry=entry, reason=data["reason"]
        )
        logged = selectors.merge_log_list(consultation=entry.consultation).get(pk=split.pk)
        return Response(
            MergeLogEntryOutput(merge_entry_data(logged)).data, status=status.HTTP_201_CREATED
        )


class ConsultationMergeLogView(GenericAPIView[MergeLogEntry]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = MergeLogEntry.objects.none()

    @extend_schema(
        operation_id="consultation_merge_log_list",
        tags=TAGS,
        summary="The public log of merges and splits (who, when, why), newest first",
        responses=MergeLogEntryOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(selectors.merge_log_list(consultation=consultation)) or []
        return self.get_paginated_response(
            MergeLogEntryOutput([merge_entry_data(entry) for entry in page], many=True).data
        )


# --- candidate actions ----------------------------------------------------------------


class ConsultationCandidateActionListView(GenericAPIView[CandidateAction]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = CandidateAction.objects.none()

    @extend_schema(
        operation_id="consultation_candidate_actions_list",
        tags=TAGS,
        summary="The candidate actions of a consultation, with their sources",
        responses=CandidateActionOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = (
            self.paginate_queryset(selectors.candidate_action_list(consultation=consultation)) or []
        )
        return self.get_paginated_response(
            CandidateActionOutput([action_data(action) for action in page], many=True).data
        )

    @extend_schema(
        operation_id="consultation_candidate_actions_create",
        tags=TAGS,
        summary="Write a candidate action, by hand or from clusters",
        description="Organizers and facilitators, during the synthesis phase.",
        request=CandidateActionCreateInput,
        responses={201: CandidateActionDetailOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_can_merge(user=request.user, consultation=consultation)
        data = parse_input(CandidateActionCreateInput, request)
        action = services.candidate_action_create(
            by=signed_in_user(request),
            consultation=consultation,
            title=data["title"],
            description=data["description"],
            easy_read_summary=data["easy_read_summary"],
            themes=data["themes"],
            territory_ids=data["territories"],
            cluster_ids=data["clusters"],
            contribution_ids=data["contributions"],
        )
        return Response(_action_detail(request, action.pk), status=status.HTTP_201_CREATED)


class CandidateActionDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="candidate_actions_retrieve",
        tags=TAGS,
        summary="A candidate action with its sources and scores",
        responses=CandidateActionDetailOutput,
    )
    def get(self, request: Request, action_id: int) -> Response:
        return Response(_action_detail(request, action_id))

    @extend_schema(
        operation_id="candidate_actions_partial_update",
        tags=TAGS,
        summary="Change a candidate action's text, themes or territories",
        request=CandidateActionUpdateInput,
        responses=CandidateActionDetailOutput,
    )
    def patch(self, request: Request, action_id: int) -> Response:
        action = selectors.candidate_action_get(action_id=action_id, user=request.user)
        ensure_can_merge(user=request.user, consultation=action.consultation)
        data = parse_input(CandidateActionUpdateInput, request)
        services.candidate_action_update(
            by=signed_in_user(request),
            action=action,
            title=data.get("title"),
            description=data.get("description"),
            easy_read_summary=data.get("easy_read_summary"),
            themes=data.get("themes"),
            territory_ids=data.get("territories"),
        )
        return Response(_action_detail(request, action_id))


class CandidateActionSourceListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="candidate_actions_sources_create",
        tags=TAGS,
        summary="Link a contribution or a cluster to the action (idempotent: relinking "
        "updates the relation and justification)",
        request=ActionSourceInput,
        responses={200: ActionSourceOutput},
    )
    def post(self, request: Request, action_id: int) -> Response:
        action = selectors.candidate_action_get(action_id=action_id, user=request.user)
        ensure_can_merge(user=request.user, consultation=action.consultation)
        data = parse_input(ActionSourceInput, request)
        source = services.action_source_add(
            by=signed_in_user(request),
            action=action,
            relation=data["relation"],
            contribution_id=data.get("contribution"),
            cluster_id=data.get("cluster"),
            justification=data["justification"],
        )
        refreshed = selectors.candidate_action_get(action_id=action_id, user=request.user)
        linked = next(s for s in refreshed.sources.all() if s.pk == source.pk)
        return Response(ActionSourceOutput(source_data(linked)).data)


class CandidateActionSourceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="candidate_actions_sources_destroy",
        tags=TAGS,
        summary="Unlink a source from the action",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, action_id: int, source_id: int) -> Response:
        action = selectors.candidate_action_get(action_id=action_id, user=request.user)
        source = next((s for s in action.sources.all() if s.pk == source_id), None)
        if source is None:
            raise errors.NotFound()
        services.action_source_remove(by=signed_in_user(request), source=source)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CandidateActionDecisionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="candidate_actions_decision_update",
        tags=TAGS,
        summary="Decide on the action, with a public answer (organizers)",
        description="`public_answer` is required for not_retained and retained_with_changes. "
        "Facilitators may build actions but not decide (403).",
        request=CandidateActionDecisionInput,
        responses=CandidateActionDetailOutput,
    )
    def put(self, request: Request, action_id: int) -> Response:
        action = selectors.candidate_action_get(action_id=action_id, user=request.user)
        ensure_can_decide(user=request.user, consultation=action.consultation)
        data = parse_input(CandidateActionDecisionInput, request)
        services.candidate_action_decide(
            by=signed_in_user(request),
            action=action,
            decision=data["decision"],
            public_answer=data["public_answer"],
        )
        return Response(_action_detail(request, action_id))


class CandidateActionScoresView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="candidate_actions_scores_retrieve",
        tags=TAGS,
        summary="The action's scores, each with how it was computed",
        responses=CandidateActionScoresOutput,
    )
    def get(self, request: Request, action_id: int) -> Response:
        action = selectors.candidate_action_get(action_id=action_id, user=request.user)
        return Response(
            CandidateActionScoresOutput(selectors.action_scores_get(action=action)).data
        )


# --- answers --------------------------------------------------------------------------


def _answer_output(contribution: Contribution) -> dict[str, Any]:
    answer = selectors.contribution_answer_get(contribution=contribution)
    merged = (
        {"id": answer.merged_into_cluster_id, "title": answer.merged_into_title}
        if answer.merged_into_cluster_id is not None
        else None
    )
    data = {
        "contribution": answer.contribution_id,
        "merged_into": merged,
        "actions": [
            {
                "action": a.action_id,
                "title": a.title,
                "decision": a.decision,
                "public_answer": a.public_answer,
                "decided_at": a.decided_at,
                "relation": a.relation,
                "justification": a.justification,
                "through_cluster": a.through_cluster_id,
            }
            for a in answer.actions
        ],
        "own_answer": answer.own_answer,
        "own_answer_at": answer.own_answer_at,
        "is_answered": answer.is_answered,
    }
    return dict(ContributionTraceableAnswerOutput(data).data)


class ContributionAnswerView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="contributions_answer_retrieve",
        tags=TAGS,
        summary="What became of the contribution: the actions it fed, or the answer given",
        responses=ContributionTraceableAnswerOutput,
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        return Response(_answer_output(contribution))

    @extend_schema(
        operation_id="contributions_answer_update",
        tags=TAGS,
        summary="Set the organizers' own answer (why it was not retained)",
        request=ContributionAnswerInput,
        responses=ContributionTraceableAnswerOutput,
    )
    def put(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        ensure_can_decide(user=request.user, consultation=contribution.consultation)
        data = parse_input(ContributionAnswerInput, request)
        services.contribution_answer_set(
            by=signed_in_user(request), contribution=contribution, text=data["text"]
        )
        return Response(_answer_output(contribution))


class ConsultationUnansweredContributionListView(GenericAPIView[Contribution]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Contribution.objects.none()

    @extend_schema(
        operation_id="consultation_unanswered_contributions_list",
        tags=TAGS,
        summary="Published contributions still without an answer (the check before the plan)",
        description="A contribution is answered by a decided action it fed (directly or "
        "through its cluster) or by the organizers' own answer. Hidden and withdrawn "
        "contributions are left out.",
        responses=UnansweredContributionOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = (
            self.paginate_queryset(
                selectors.contributions_without_answer(consultation=consultation)
            )
            or []
        )
        clusters = selectors.merged_into_map(contribution_ids=[c.pk for c in page])
        rows = [
            {
                "id": c.pk,
                "kind": c.kind,
                "title": c.title,
                "merged_into": clusters[c.pk].pk if c.pk in clusters else None,
            }
            for c in page
        ]
        return self.get_paginated_response(UnansweredContributionOutput(rows, many=True).data)
