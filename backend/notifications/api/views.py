"""Notification endpoints: the signed-in person's notifications and preferences; the
one-click unsubscribe link of the e-mail digest (no sign-in: the token is the proof); the
comments of candidate and regional actions (public reads, signed-in writes)."""

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.comments.models import Comment
from backend.core.api.requests import parse_input, parse_query, signed_in_user
from backend.core.parsers import JSONParser
from backend.idempotency.api.decorators import (
    IDEMPOTENCY_PARAMETERS,
    IDEMPOTENCY_RESPONSES,
    idempotent,
)
from backend.notifications import selectors, services
from backend.notifications.api.serializers import (
    ActionCommentCreateInput,
    ActionCommentOutput,
    DigestUnsubscribeOutput,
    NotificationListQueryInput,
    NotificationOutput,
    NotificationPreferenceOutput,
    NotificationPreferenceUpdateInput,
    NotificationsMarkedReadOutput,
    NotificationUnreadCountOutput,
)
from backend.notifications.models import Notification, NotificationPreference
from backend.notifications.realtime import notification_payload
from backend.programmes.selectors.actions import regional_action_get
from backend.synthesis.selectors import candidate_action_get

TAGS = ["notifications"]
COMMENT_TAGS = ["comments"]


def _preference_output(preference: NotificationPreference) -> dict[str, Any]:
    return dict(
        NotificationPreferenceOutput(
            {
                "in_app": True,
                "email_digest": preference.email_digest,
                "language": preference.language,
                "last_digest_at": preference.last_digest_at,
            }
        ).data
    )


class NotificationListView(GenericAPIView[Notification]):
    filter_backends: list[Any] = []
    queryset = Notification.objects.none()

    @extend_schema(
        operation_id="me_notifications_list",
        tags=TAGS,
        summary="My notifications, newest first (the loop back to contributors)",
        description="What happened to the actions my contributions fed: taken up in a "
        "candidate action, retained or not (with the answer), the follow-up status of a "
        "regional action. `unread=true` lists the unread ones only. New ones also arrive "
        "over the websocket `/ws/v1/me/notifications/` (`notification.created`).",
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.STR, enum=["true", "false"], required=False)
        ],
        responses=NotificationOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        query = parse_query(NotificationListQueryInput, request)
        unread = {"true": True, "false": False}.get(query.get("unread", ""))
        page = self.paginate_queryset(
            selectors.notification_list(user=signed_in_user(request), unread=unread)
        )
        return self.get_paginated_response([notification_payload(n) for n in page or []])


class NotificationUnreadCountView(APIView):
    @extend_schema(
        operation_id="me_notifications_unread_count",
        tags=TAGS,
        summary="How many of my notifications are unread (for a badge)",
        responses=NotificationUnreadCountOutput,
    )
    def get(self, request: Request) -> Response:
        count = selectors.notification_unread_count(user=signed_in_user(request))
        return Response(NotificationUnreadCountOutput({"unread": count}).data)


class NotificationReadView(APIView):
    @extend_schema(
        operation_id="me_notification_read",
        tags=TAGS,
        summary="Mark one of my notifications read (again: no change)",
        description="Someone else's notification: 404 not_found.",
        request=None,
        responses=NotificationOutput,
    )
    def post(self, request: Request, notification_id: int) -> Response:
        user = signed_in_user(request)
        notification = selectors.notification_get(user=user, notification_id=notification_id)
        notification = services.notification_mark_read(by=user, notification=notification)
        return Response(notification_payload(notification))


class NotificationsReadAllView(APIView):
    @extend_schema(
        operation_id="me_notifications_read_all",
        tags=TAGS,
        summary="Mark all my notifications read",
        request=None,
        responses=NotificationsMarkedReadOutput,
    )
    def post(self, request: Request) -> Response:
        marked = services.notifications_mark_all_read(by=signed_in_user(request))
        return Response(NotificationsMarkedReadOutput({"marked": marked, "unread": 0}).data)


class NotificationPreferenceView(APIView):
    @extend_schema(
        operation_id="me_notification_preferences_retrieve",
        tags=TAGS,
        summary="My notification preferences",
        description="In-app notifications are always on. The e-mail digest groups the unread "
        "notifications no digest carried yet: `weekly` by default, `daily` or `never`; in "
        "`language` (French by default).",
        responses=NotificationPreferenceOutput,
    )
    def get(self, request: Request) -> Response:
        preference = selectors.notification_preference_get(user=signed_in_user(request))
        return Response(_preference_output(preference))

    @extend_schema(
        operation_id="me_notification_preferences_update",
        tags=TAGS,
        summary="Change my e-mail digest frequency or language",
        request=NotificationPreferenceUpdateInput,
        responses=NotificationPreferenceOutput,
    )
    def patch(self, request: Request) -> Response:
        data = parse_input(NotificationPreferenceUpdateInput, request)
        preference = services.notification_preference_update(by=signed_in_user(request), **data)
        return Response(_preference_output(preference))


ONE_CLICK_BODY = inline_serializer(
    "DigestUnsubscribeOneClickInput",
    fields={
        "List-Unsubscribe": serializers.ChoiceField(choices=["One-Click"], required=False),
    },
)


class DigestUnsubscribeView(APIView):
    """RFC 8058: mail clients POST `List-Unsubscribe=One-Click` to the link of the
    `List-Unsubscribe` header, without cookies; the signed token names the person."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="notification_unsubscribe_retrieve",
        tags=TAGS,
        summary="Check an unsubscribe link (changes nothing)",
        description="A GET never unsubscribes (mail scanners follow links): the page a "
        "person opens from the e-mail shows a button that POSTs. Unknown token: 404 "
        "unsubscribe_link_invalid.",
        auth=[],
        responses=DigestUnsubscribeOutput,
    )
    def get(self, request: Request, token: str) -> Response:
        preference = selectors.notification_preference_for_token(token=token)
        return Response(DigestUnsubscribeOutput({"email_digest": preference.email_digest}).data)

    @extend_schema(
        operation_id="notification_unsubscribe_create",
        tags=TAGS,
        summary="One-click unsubscribe from the e-mail digest (RFC 8058), without signing in",
        description="The digest's `List-Unsubscribe` link. Body as mail clients send it "
        "(`List-Unsubscribe=One-Click`, form-encoded), or empty. The digest becomes "
        "`never`; in-app notifications go on. Idempotent. Unknown token: 404 "
        "unsubscribe_link_invalid.",
        auth=[],
        request={
            "application/x-www-form-urlencoded": ONE_CLICK_BODY,
            "multipart/form-data": ONE_CLICK_BODY,
        },
        responses=DigestUnsubscribeOutput,
    )
    def post(self, request: Request, token: str) -> Response:
        preference = services.digest_unsubscribe(token=token)
        return Response(DigestUnsubscribeOutput({"email_digest": preference.email_digest}).data)


class _ActionCommentListView(GenericAPIView[Comment]):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Comment.objects.none()

    def _page(self, request: Request, comments: Any) -> Response:
        page = self.paginate_queryset(comments)
        context = {"request": request, "now": timezone.now()}
        return self.get_paginated_response(
            ActionCommentOutput(page, many=True, context=context).data
        )

    def _created(self, request: Request, comment: Comment) -> Response:
        return Response(
            ActionCommentOutput(comment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class CandidateActionCommentListView(_ActionCommentListView):
    @extend_schema(
        operation_id="candidate_action_comments_list",
        tags=COMMENT_TAGS,
        summary="The comments of a candidate action, oldest first (flat, with parent ids)",
        responses=ActionCommentOutput(many=True),
    )
    def get(self, request: Request, action_id: int) -> Response:
        action = candidate_action_get(action_id=action_id, user=request.user)
        return self._page(request, selectors.candidate_action_comment_list(action=action))

    @extend_schema(
        operation_id="candidate_action_comments_create",
        tags=COMMENT_TAGS,
        summary="Comment on a candidate action, or reply to a comment on it",
        description="Any signed-in person, while the round is in synthesis or restitution "
        "(409 phase_closed otherwise; consultation_not_open when it is archived). Replies go "
        "at most 3 levels deep (field code too_deep).",
        request=ActionCommentCreateInput,
        responses={201: ActionCommentOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, action_id: int) -> Response:
        action = candidate_action_get(action_id=action_id, user=request.user)
        data = parse_input(ActionCommentCreateInput, request)
        comment = services.candidate_action_comment_create(
            by=signed_in_user(request), action=action, **data
        )
        return self._created(request, comment)


class RegionalActionCommentListView(_ActionCommentListView):
    @extend_schema(
        operation_id="regional_action_comments_list",
        tags=COMMENT_TAGS,
        summary="The comments of a regional action, oldest first (flat, with parent ids)",
        responses=ActionCommentOutput(many=True),
    )
    def get(self, request: Request, action_id: int) -> Response:
        action = regional_action_get(action_id=action_id, user=request.user)
        return self._page(request, selectors.regional_action_comment_list(action=action))

    @extend_schema(
        operation_id="regional_action_comments_create",
        tags=COMMENT_TAGS,
        summary="Comment on a regional action, or reply to a comment on it",
        description="Any signed-in person, while the programme is published and at the "
        "consolidation or adopted stage (409 programme_stage_closed otherwise).",
        request=ActionCommentCreateInput,
        responses={201: ActionCommentOutput, **IDEMPOTENCY_RESPONSES},
        parameters=IDEMPOTENCY_PARAMETERS,
    )
    @idempotent
    def post(self, request: Request, action_id: int) -> Response:
        action = regional_action_get(action_id=action_id, user=request.user)
        data = parse_input(ActionCommentCreateInput, request)
        comment = services.regional_action_comment_create(
            by=signed_in_user(request), action=action, **data
        )
        return self._created(request, comment)
