"""Moderation endpoints: reports by anyone signed in, the queue and actions for moderators,
and the public log."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.consultations.selectors import consultation_get
from backend.core.api.requests import parse_input, signed_in_user
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.moderation import selectors, services
from backend.moderation.api.serializers import (
    ModerationActionOutput,
    ModerationQueueItemOutput,
    ModerationTargetInput,
    ReportCreateInput,
    ReportDismissInput,
    ReportOutput,
)
from backend.moderation.models import ModerationAction, Report
from backend.proposals.selectors import contribution_get

TAGS = ["moderation"]


def _report_response(report: Report, created: bool) -> Response:
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(ReportOutput(report).data, status=code)


def _action_response(action: ModerationAction) -> Response:
    return Response(ModerationActionOutput(action).data)


REPORT_DESCRIPTION = (
    "Anyone signed in. Reporting again while one's report on it is open returns that report "
    "(200). A hidden target: already_hidden; a withdrawn contribution or a deleted comment: "
    "not_moderatable."
)


class ContributionReportView(APIView):
    @extend_schema(
        operation_id="contributions_reports_create",
        tags=TAGS,
        summary="Report a contribution to the moderators",
        description=REPORT_DESCRIPTION,
        request=ReportCreateInput,
        responses={201: ReportOutput, 200: ReportOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        data = parse_input(ReportCreateInput, request)
        report, created = services.report_create(
            by=signed_in_user(request), contribution=contribution, **data
        )
        return _report_response(report, created)


class CommentReportView(APIView):
    @extend_schema(
        operation_id="comments_reports_create",
        tags=TAGS,
        summary="Report a comment to the moderators",
        description=REPORT_DESCRIPTION,
        request=ReportCreateInput,
        responses={201: ReportOutput, 200: ReportOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get_for_report(comment_id=comment_id, user=request.user)
        data = parse_input(ReportCreateInput, request)
        report, created = services.report_create(
            by=signed_in_user(request), comment=comment, **data
        )
        return _report_response(report, created)


class ModerationQueueView(GenericAPIView[Report]):
    queryset = Report.objects.none()

    @extend_schema(
        operation_id="moderation_queue_list",
        tags=TAGS,
        summary="Reported contributions and comments awaiting a decision, oldest first",
        description="Moderators and organizers of the consultation.",
        responses=ModerationQueueItemOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MODERATE)
        page: Any = self.paginate_queryset(selectors.moderation_queue(consultation=consultation))
        items = selectors.moderation_queue_items(page)
        return self.get_paginated_response(ModerationQueueItemOutput(items, many=True).data)


class _ModerationActionView(APIView):
    def target_action(self, request: Request, consultation_id: int, *, hide: bool) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.MODERATE)
        data = parse_input(ModerationTargetInput, request)
        contribution, comment = selectors.moderation_target_get(
            consultation=consultation,
            target_kind=data["target_kind"],
            target_id=data["target_id"],
        )
        service = services.content_hide if hide else services.content_restore
        action = service(
            by=signed_in_user(request),
            contribution=contribution,
            comment=comment,
            reason=data["reason"],
        )
        return _action_response(action)


class ModerationHideView(_ModerationActionView):
    @extend_schema(
        operation_id="moderation_hide",
        tags=TAGS,
        summary="Hide a contribution or a comment, with a public reason",
        description="Moderators and organizers. Its open reports are resolved; the action is "
        "logged. Hidden already: already_hidden.",
        request=ModerationTargetInput,
        responses=ModerationActionOutput,
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        return self.target_action(request, consultation_id, hide=True)


class ModerationRestoreView(_ModerationActionView):
    @extend_schema(
        operation_id="moderation_restore",
        tags=TAGS,
        summary="Restore a hidden contribution or comment, with a public reason",
        description="Moderators and organizers. Not hidden: not_hidden.",
        request=ModerationTargetInput,
        responses=ModerationActionOutput,
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        return self.target_action(request, consultation_id, hide=False)


class ReportDismissView(APIView):
    @extend_schema(
        operation_id="reports_dismiss",
        tags=TAGS,
        summary="Dismiss a report (and the other open reports on the same content)",
        description="Moderators and organizers; the reason is optional and public. Handled "
        "already: report_resolved.",
        request=ReportDismissInput,
        responses=ModerationActionOutput,
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = selectors.report_get(report_id=report_id)
        data = parse_input(ReportDismissInput, request)
        action = services.report_dismiss(by=signed_in_user(request), report=report, **data)
        return _action_response(action)


class ModerationLogView(GenericAPIView[ModerationAction]):
    permission_classes = [AllowAny]
    queryset = ModerationAction.objects.none()

    @extend_schema(
        operation_id="moderation_log_list",
        tags=TAGS,
        summary="The public moderation log of a consultation, newest first",
        description="Who (display name), when, what and why; never who reported.",
        responses=ModerationActionOutput(many=True),
    )
    def get(self, request: Request, consultation_id: int) -> Response:
        consultation = consultation_get(consultation_id=consultation_id, user=request.user)
        page = self.paginate_queryset(selectors.moderation_log(consultation=consultation))
        return self.get_paginated_response(ModerationActionOutput(page, many=True).data)
