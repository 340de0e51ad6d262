"""Accounts API: the CSRF token, signing out, access tokens and the password (signing in,
registering and the profile answer with the profile: `backend.profiles.api`)."""

from typing import Any

from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import selectors, services
from backend.accounts.api.serializers import (
    AccessTokenCreatedOutput,
    AccessTokenCreateInput,
    AccessTokenOutput,
    CsrfTokenOutput,
    PasswordChangeInput,
)
from backend.accounts.models import AccessToken
from backend.core.api.requests import parse_input, signed_in_user
from backend.core.filters import StrictOrderingFilter

AUTH_TAG = "auth"
ME_TAG = "me"
AUTH_THROTTLE_SCOPE = "auth"


def request_token(request: Request) -> AccessToken | None:
    """The access token the request was signed with, if any."""
    return request.auth if isinstance(request.auth, AccessToken) else None


class CsrfView(APIView):
    """Set the CSRF cookie and return its token, before signing in with the session."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="auth_csrf", tags=[AUTH_TAG], responses=CsrfTokenOutput)
    def get(self, request: Request) -> Response:
        return Response(CsrfTokenOutput({"csrf_token": get_token(request._request)}).data)


class LogoutView(APIView):
    """End the session; with an access token, revoke that token."""

    @extend_schema(
        operation_id="auth_logout",
        tags=[AUTH_TAG],
        request=None,
        responses={204: OpenApiResponse(description="Signed out.")},
    )
    def post(self, request: Request) -> Response:
        services.user_logout(request=request._request, token=request_token(request))
        return Response(status=204)


class AccessTokenListCreateView(GenericAPIView[AccessToken]):
    """Sign in for mobile and script clients (create a token), and list one's tokens."""

    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["created_at", "last_used_at", "name"]
    ordering = ["-created_at"]
    throttle_scope = AUTH_THROTTLE_SCOPE

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return []

    def get_queryset(self) -> Any:
        return selectors.access_token_list(user=signed_in_user(self.request))

    @extend_schema(
        operation_id="access_token_list",
        tags=[AUTH_TAG],
        description="My access tokens, newest first; the token itself is never shown again.",
        responses=AccessTokenOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AccessTokenOutput(page, many=True).data)

    @extend_schema(
        operation_id="access_token_create",
        tags=[AUTH_TAG],
        request=AccessTokenCreateInput,
        responses={201: AccessTokenCreatedOutput},
        description=(
            "Sign in with e-mail and password and get a personal access token, shown in the "
            "response this once; send it as `Authorization: Bearer <token>`. Wrong "
            "credentials give 401 invalid_credentials."
        ),
    )
    def post(self, request: Request) -> Response:
        data = parse_input(AccessTokenCreateInput, request)
        user = services.user_authenticate(
            request=request._request, email=data["email"], password=data["password"]
        )
        token, raw = services.access_token_create(user=user, name=data["name"])
        return Response(AccessTokenCreatedOutput(token, context={"raw": raw}).data, status=201)


class AccessTokenDetailView(APIView):
    """Revoke one of one's access tokens."""

    @extend_schema(
        operation_id="access_token_revoke",
        tags=[AUTH_TAG],
        responses={204: OpenApiResponse(description="Revoked.")},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        services.access_token_revoke(user=signed_in_user(request), token_id=token_id)
        return Response(status=204)


class PasswordChangeView(APIView):
    """Change one's password; other sessions and access tokens stop working."""

    # The current-password check would otherwise let a stolen session guess the password.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "password_check"

    @extend_schema(
        operation_id="me_password_change",
        tags=[ME_TAG],
        request=PasswordChangeInput,
        responses={204: OpenApiResponse(description="Password changed.")},
        description=(
            "Wrong current password: 400 with field old_password, code password_incorrect. "
            "Every other session and every access token but the one used (if any) is revoked. "
            "Limited to PASSWORD_CHECK_THROTTLE_RATE attempts per account (default 10 an "
            "hour): 429 throttled beyond."
        ),
    )
    def post(self, request: Request) -> Response:
        data = parse_input(PasswordChangeInput, request)
        services.user_change_password(
            user=signed_in_user(request),
            old_password=data["old_password"],
            new_password=data["new_password"],
            request=request._request,
            keep_token=request_token(request),
        )
        return Response(status=204)
