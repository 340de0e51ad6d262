"""Bearer token authentication for mobile and script clients."""

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.request import Request

from backend.accounts.models import AccessToken, User
from backend.accounts.selectors import access_token_get_by_raw
from backend.accounts.services import access_token_touch
from backend.core import errors


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
        token = access_token_get_by_raw(raw=raw)
        if token is None:
            raise errors.AuthenticationFailed()
        access_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'
