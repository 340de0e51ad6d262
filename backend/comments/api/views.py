"""Comment endpoints: public reads of a contribution's thread, signed-in writes."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.comments import selectors, services
from backend.comments.api.serializers import CommentCreateInput, CommentOutput, CommentUpdateInput
from backend.comments.models import Comment
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional_response
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.proposals.selectors import contribution_get

TAGS = ["comments"]


def _output(request: Request, comment_id: int) -> dict[str, Any]:
    """The comment as the caller sees it, read again after a write."""
    comment = selectors.comment_get(comment_id=comment_id, user=request.user)
    return dict(CommentOutput(comment, context={"request": request}).data)


class ContributionCommentListView(GenericAPIView[Comment]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Comment.objects.none()

    @extend_schema(
        operation_id="contribution_comments_list",
        tags=TAGS,
        summary="The comments of a contribution, oldest first (a flat list with parent ids)",
        description="Build the thread from `parent` and `depth`. Deleted and hidden comments "
        "stay in the list as placeholders (`body` null) so that their replies keep their place.",
        responses=CommentOutput(many=True),
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        page = self.paginate_queryset(
            selectors.comment_list_for_contribution(contribution=contribution)
        )
        context = {"request": request, "now": timezone.now()}
        return self.get_paginated_response(CommentOutput(page, many=True, context=context).data)

    @extend_schema(
        operation_id="contribution_comments_create",
        tags=TAGS,
        summary="Comment on a published contribution, or reply to a comment",
        description="Follows the phase gate (phase_closed). `on_behalf_of_card` and the "
        "origins workshop, paper and phone are for the consultation's facilitators "
        "(permission_denied). Replies go at most 3 levels deep (field code too_deep).",
        request=CommentCreateInput,
        responses={201: CommentOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = contribution_get(contribution_id=contribution_id, user=request.user)
        data = parse_input(CommentCreateInput, request)
        comment = services.comment_create(
            by=signed_in_user(request), contribution=contribution, **data
        )
        return Response(_output(request, comment.pk), status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="comments_retrieve",
        tags=TAGS,
        summary="Get a comment (with an ETag)",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: CommentOutput, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, comment_id: int) -> Response:
        return conditional_response(request, _output(request, comment_id))

    @extend_schema(
        operation_id="comments_update",
        tags=TAGS,
        summary="Change a comment's text or stance (its author, within 15 minutes)",
        request=CommentUpdateInput,
        responses=CommentOutput,
    )
    def patch(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id, user=request.user)
        data = parse_input(CommentUpdateInput, request)
        services.comment_edit(by=signed_in_user(request), comment=comment, **data)
        return Response(_output(request, comment_id))

    @extend_schema(
        operation_id="comments_destroy",
        tags=TAGS,
        summary="Delete a comment (its author); it stays as a placeholder in the thread",
        description="Answers 200 with the placeholder (`status: deleted`, `body: null`): the "
        "comment remains in its thread.",
        request=None,
        responses={200: CommentOutput},
    )
    def delete(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_get(comment_id=comment_id, user=request.user)
        services.comment_delete(by=signed_in_user(request), comment=comment)
        return Response(_output(request, comment_id))
