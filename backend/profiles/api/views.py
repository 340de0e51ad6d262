"""Profile API: registering and signing in (both answer with the profile) and /me."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import services
from backend.accounts.api.permissions import CsrfProtected, CsrfProtectedWhenOpeningSession
from backend.accounts.api.serializers import (
    AuthLoginInput,
    AuthRegisterInput,
    UserProfileUpdateInput,
)
from backend.accounts.api.views import AUTH_TAG, AUTH_THROTTLE_SCOPE, ME_TAG
from backend.core.api.requests import parse_input, signed_in_user
from backend.profiles import selectors
from backend.profiles.api.serializers import UserProfileOutput


def profile_response(user_id: int, status: int = 200) -> Response:
    return Response(
        UserProfileOutput(selectors.user_get_profile(user_id=user_id)).data, status=status
    )


class RegisterView(APIView):
    """Create an account, and sign it in with a session unless asked not to."""

    authentication_classes: list[type] = []
    permission_classes = [CsrfProtectedWhenOpeningSession]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = AUTH_THROTTLE_SCOPE

    @extend_schema(
        operation_id="auth_register",
        tags=[AUTH_TAG],
        request=AuthRegisterInput,
        responses={201: UserProfileOutput},
        description=(
            "Web clients (`session`: true, the default) send the CSRF token from GET "
            "/auth/csrf/ in X-CSRFToken and are signed in by a session cookie (403 "
            "csrf_failed without it). Token clients send `session: false`: no CSRF token, "
            "no cookie; they then create a token with POST /auth/tokens/. Weak passwords are "
            "rejected with the code of Django's validator (password_too_short, "
            "password_too_common, ...); a used e-mail address with email_taken."
        ),
    )
    def post(self, request: Request) -> Response:
        data = parse_input(AuthRegisterInput, request)
        user = services.user_register(
            email=data["email"],
            password=data["password"],
            display_name=data["display_name"],
            territory=data["territory"],
        )
        if data["session"]:
            services.user_login(request=request._request, user=user)
        return profile_response(user.pk, status=201)


class LoginView(APIView):
    """Sign in with e-mail and password and open a session (web clients)."""

    authentication_classes: list[type] = []
    permission_classes = [CsrfProtected]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = AUTH_THROTTLE_SCOPE

    @extend_schema(
        operation_id="auth_login",
        tags=[AUTH_TAG],
        request=AuthLoginInput,
        responses={200: UserProfileOutput},
        description=(
            "Send the CSRF token from GET /auth/csrf/ in X-CSRFToken. Signing in rotates "
            "the CSRF token: read the new csrftoken cookie afterwards. Wrong credentials "
            "give 401 invalid_credentials."
        ),
    )
    def post(self, request: Request) -> Response:
        data = parse_input(AuthLoginInput, request)
        user = services.user_authenticate(
            request=request._request, email=data["email"], password=data["password"]
        )
        services.user_login(request=request._request, user=user)
        return profile_response(user.pk)


class MeView(APIView):
    """The signed-in person's profile."""

    @extend_schema(operation_id="me_get", tags=[ME_TAG], responses=UserProfileOutput)
    def get(self, request: Request) -> Response:
        return profile_response(signed_in_user(request).pk)

    @extend_schema(
        operation_id="me_update",
        tags=[ME_TAG],
        request=UserProfileUpdateInput,
        responses=UserProfileOutput,
    )
    def patch(self, request: Request) -> Response:
        user = signed_in_user(request)
        data = parse_input(UserProfileUpdateInput, request)
        services.user_update_profile(
            user=user,
            display_name=data.get("display_name", user.display_name),
            territory=data.get("territory", user.territory),
        )
        return profile_response(user.pk)
