"""Published plan endpoints: publish, the latest version, versions, CSV, open-data archive."""

from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.selectors import consultation_get
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.conditional import (
    CONDITIONAL_PARAMETERS,
    DOWNLOAD_PARAMETERS,
    NOT_MODIFIED,
    conditional_response,
)
from backend.plans import selectors, services
from backend.plans.api.serializers import (
    ArtifactBuildOutput,
    PlanPublishInput,
    PlanVersionDetailOutput,
    PlanVersionOutput,
)
from backend.plans.downloads import artifact_response
from backend.plans.models import ArtifactBuild, ArtifactKind, PlanVersion
from backend.plans.selectors.artifacts import (
    artifact_build_get,
    artifact_get,
    open_data_rows,
    open_data_state,
)
from backend.plans.services.artifacts import (
    artifact_build_request,
    open_data_artifact_build,
    plan_version_artifact,
)

TAGS = ["plan"]
RETRY_AFTER_SECONDS = 5


def _detail(request: Request, version: PlanVersion) -> dict[str, Any]:
    return dict(PlanVersionDetailOutput(version, context={"request": request}).data)


def _accepted(request: Request, build: ArtifactBuild) -> Response:
    return Response(
        ArtifactBuildOutput(build, context={"request": request}).data,
        status=status.HTTP_202_ACCEPTED,
        headers={
            "Retry-After": str(RETRY_AFTER_SECONDS),
            "Location": reverse("artifact-build-detail", args=[build.pk]),
        },
    )


CSV_DESCRIPTION = (
    "One row per (action, source contribution); an action without a source has one row with "
    "empty source cells. Columns: version, action_id, action_title, decision, decision_label, "
    "public_answer, themes (|-separated), territories (|-separated), source_contribution_id, "
    "source_kind, source_title (empty when the source is hidden or withdrawn), "
    "source_relation, source_via_cluster, source_justification, distinct_supporters. "
    "UTF-8, CRLF line ends. 404 plan_not_published before the first publication."
)
CSV_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="The plan"),
    304: NOT_MODIFIED,
}


class PlanLatestView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_plan_retrieve",
        tags=TAGS,
        summary="The latest published version of the action plan, with its snapshot",
        description="The snapshot follows frontend-contract/plan.schema.json. `html_url` is "
        "the readable page (French, printable). 404 plan_not_published before the first "
        "publication.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: PlanVersionDetailOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        version = selectors.plan_version_get(consultation=consultation)
        return conditional_response(request, _detail(request, version))


class PlanVersionListView(GenericAPIView[PlanVersion]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = PlanVersion.objects.none()

    @extend_schema(
        operation_id="consultation_plan_versions_list",
        tags=TAGS,
        summary="The published versions of the plan, newest first (without snapshots)",
        responses=PlanVersionOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(selectors.plan_version_list(consultation=consultation))
        data = PlanVersionOutput(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="consultation_plan_publish",
        tags=TAGS,
        summary="Publish the plan: freeze a new numbered version (organizers, restitution)",
        description="Freezes the candidate actions (sources, decisions, scores, merit "
        "profiles) and every published contribution's answer. 409 plan_incomplete while a "
        "published contribution has no answer (no own answer and no link to a decided "
        "action) or an action has no decision, with the ids in `details`; `force: true` "
        "publishes anyway and marks the version. 409 phase_closed outside the restitution "
        "phase. Emits `plan.published`. A consultation of more than "
        "PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS contributions (2,000 by default) is published by "
        "a background job: the request checks the same gate, note and missing answers (same "
        "errors), then answers 202 with the job (`Location`, `Retry-After`); follow it at "
        "`GET /api/v1/artifact-builds/{id}/` or by the `artifact_build.*` websocket events "
        "until `status` is `done` (`plan_number` is the new version) or `failed` "
        "(`error_code`: what the request would have answered). Each request is a publication: "
        "two requests publish two versions, as in the request.",
        request=PlanPublishInput,
        responses={
            201: PlanVersionDetailOutput,
            202: OpenApiResponse(
                response=ArtifactBuildOutput, description="Being published by a background job"
            ),
        },
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        data = parse_input(PlanPublishInput, request)
        outcome = services.plan_publish_start(
            by=signed_in_user(request), consultation=consultation, **data
        )
        if isinstance(outcome, ArtifactBuild):
            return _accepted(request, outcome)
        return Response(_detail(request, outcome), status=status.HTTP_201_CREATED)


class PlanVersionDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_plan_version_retrieve",
        tags=TAGS,
        summary="One published version of the plan, with its snapshot",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: PlanVersionDetailOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, consultation_id: int, number: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        version = selectors.plan_version_get(consultation=consultation, number=number)
        return conditional_response(request, _detail(request, version))


class PlanLatestCsvView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_plan_csv_retrieve",
        tags=TAGS,
        summary="The latest published plan as CSV",
        description=CSV_DESCRIPTION,
        parameters=DOWNLOAD_PARAMETERS,
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request, consultation_id: int) -> HttpResponseBase:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        version = selectors.plan_version_get(consultation=consultation)
        return _csv(request, version)


class PlanVersionCsvView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_plan_version_csv_retrieve",
        tags=TAGS,
        summary="One published version of the plan as CSV",
        description=CSV_DESCRIPTION,
        parameters=DOWNLOAD_PARAMETERS,
        responses=CSV_RESPONSES,
    )
    def get(self, request: Request, consultation_id: int, number: int) -> HttpResponseBase:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        version = selectors.plan_version_get(consultation=consultation, number=number)
        return _csv(request, version)


def _csv(request: Request, version: PlanVersion) -> HttpResponseBase:
    """Built once per version and served from storage (see services.artifacts)."""
    artifact = plan_version_artifact(version=version, kind=ArtifactKind.PLAN_CSV)
    return artifact_response(request, artifact=artifact)


class OpenDataArchiveView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="consultation_open_data_retrieve",
        tags=TAGS,
        summary="The consultation's open-data archive (ZIP, Licence Ouverte 2.0)",
        description="README.md (French: every file and column), LICENCE.txt, "
        "contributions.csv, comments.csv, votes.csv, ballots/vote-<id>.csv (the anonymized "
        "ballot file of each closed vote, as published), actions.csv and links.csv (from the "
        "latest published plan), and polis/comments.csv, polis/votes.csv, "
        "polis/participants-votes.csv in the Pol.is export layout. Public data only: people "
        "as numeric pseudonyms, no e-mail, no report, hidden and withdrawn texts left out. "
        "The bytes depend only on the data: the ETag (SHA-256) is stable for a given state. "
        "The archive is built once per state of the data and served from storage (with "
        "Content-Length). When the data changed and the archive is large, it is built by a "
        "background job: 202 with the build (follow it at `GET /api/v1/artifact-builds/{id}/` "
        "or by the `artifact_build.*` websocket events, then ask again); `Retry-After` "
        "gives seconds to wait.",
        parameters=DOWNLOAD_PARAMETERS,
        responses={
            (200, "application/zip"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The archive"
            ),
            202: OpenApiResponse(
                response=ArtifactBuildOutput, description="Being built: ask again when done"
            ),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request: Request, consultation_id: int) -> HttpResponseBase:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        state = open_data_state(consultation=consultation)
        artifact = artifact_get(
            consultation=consultation, kind=ArtifactKind.OPEN_DATA, state_key=state.key
        )
        if (
            artifact is None
            and open_data_rows(consultation=consultation) <= settings.ARTIFACTS_INLINE_MAX_ROWS
        ):
            artifact = open_data_artifact_build(consultation=consultation, state=state)
        if artifact is None:
            build = artifact_build_request(consultation=consultation, state=state)
            return _accepted(request, build)
        return artifact_response(request, artifact=artifact)


class ArtifactBuildDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="artifact_builds_retrieve",
        tags=TAGS,
        summary="A background build of a consultation's published files, with its progress",
        description="`done`/`total` steps; `status` queued, running, done or failed. "
        "Anyone may read it (the files are public data).",
        responses=ArtifactBuildOutput,
    )
    def get(self, request: Request, build_id: int) -> Response:
        build = artifact_build_get(build_id=build_id)
        consultation_get(consultation_id=build.consultation_id, user=request.user)
        return Response(ArtifactBuildOutput(build, context={"request": request}).data)
