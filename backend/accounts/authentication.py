"""Bearer token authentication for mobile and script clients."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request

from backend.accounts.models import AccessToken, User
from backend.accounts.tokens import token_digest
from backend.core import errors

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class CsrfCodedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication; a failed CSRF check answers `csrf_failed`, not the
    generic `permission_denied`, so a web client knows what to fix."""

    def enforce_csrf(self, request: Any) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise errors.CsrfFailed() from error


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise errors.AuthenticationFailed()
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise errors.AuthenticationFailed() from exc
        token = AccessToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
        if token is None or not token.user.is_active:
            raise errors.AuthenticationFailed()
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
