"""Suggestion endpoints: similar contributions for a draft, suggested-cluster runs."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.consultations.selectors import consultation_get
from backend.core.api.requests import parse_input, signed_in_user
from backend.suggestions import selectors, services
from backend.suggestions.api.serializers import (
    SimilarContributionsInput,
    SimilarContributionsOutput,
    SuggestionRunClusterOutput,
    SuggestionRunCreateInput,
    SuggestionRunDetailOutput,
    SuggestionRunOutput,
)
from backend.suggestions.models import SuggestionRun

TAGS = ["suggestions"]
SIMILAR_THROTTLE_SCOPE = "similar"


def _run_detail(run: SuggestionRun) -> dict[str, Any]:
    clusters = SuggestionRunClusterOutput(selectors.run_clusters(run), many=True).data
    return {**SuggestionRunOutput(run).data, "clusters": clusters}


class SimilarContributionsView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = SIMILAR_THROTTLE_SCOPE

    @extend_schema(
        operation_id="similar_contributions",
        tags=TAGS,
        summary="Published contributions similar to a draft (shown before posting a duplicate)",
        description="Anyone who may see the consultation. Up to `k` (default 5, at most 20) "
        "published problems and proposals, best first, with a `score` of at least `min_score` "
        "(default 0.05), a `confidence` and `why` (shared words and concepts, the cosine of "
        "each view). The draft may be in any language or SMS spelling: a multilingual "
        "sentence encoder compares meanings, word stems compare French wording. `kind` keeps "
        "one kind, `exclude` leaves ids out (the contribution being edited). Throttled per "
        "caller (`SIMILAR_THROTTLE_RATE`).",
        request=SimilarContributionsInput,
        responses=SimilarContributionsOutput,
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = selectors.consultation_for_lookup(
            consultation_id=consultation_id, user=request.user
        )
        data = parse_input(SimilarContributionsInput, request)
        hits = selectors.similar_contribution_list(
            consultation=consultation, user=request.user, **data
        )
        return Response(SimilarContributionsOutput({"results": hits}).data)


class SuggestionRunListView(GenericAPIView[SuggestionRun]):
    permission_classes = [IsAuthenticated]
    filter_backends: list[Any] = []
    queryset = SuggestionRun.objects.none()

    @extend_schema(
        operation_id="suggestion_runs_list",
        tags=TAGS,
        summary="The suggested-cluster runs of a consultation, newest first",
        description="Organizers and facilitators of the consultation. Without the clusters: "
        "read one run for them.",
        responses=SuggestionRunOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(
            selectors.suggestion_run_list(consultation=consultation, user=request.user)
        )
        return self.get_paginated_response(SuggestionRunOutput(page, many=True).data)

    @extend_schema(
        operation_id="suggestion_runs_create",
        tags=TAGS,
        summary="Compute the suggested clusters of near-duplicates, in the background",
        description="Organizers and facilitators of the consultation, in any phase. Answers "
        "202 with the queued run; follow `done`/`total` over REST or the websocket events "
        "`suggestion_run.progress` and `suggestion_run.finished`. Merges organizers already "
        "accepted or undid are learned from (see `calibration`). Each cluster carries a "
        "`confidence` and what its members share (`shared_terms`, `shared_concepts`).",
        request=SuggestionRunCreateInput,
        responses={202: SuggestionRunOutput},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        data = parse_input(SuggestionRunCreateInput, request)
        run = services.suggestion_run_start(
            by=signed_in_user(request), consultation=consultation, **data
        )
        run.refresh_from_db()
        return Response(SuggestionRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class SuggestionRunDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="suggestion_runs_retrieve",
        tags=TAGS,
        summary="A suggested-cluster run: its progress, then its clusters with their members",
        responses=SuggestionRunDetailOutput,
    )
    def get(self, request: Request, run_id: int) -> Response:
        run = selectors.suggestion_run_get(run_id=run_id, user=request.user)
        return Response(_run_detail(run))
