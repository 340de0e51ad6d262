"""Bearer token authentication for mobile and script clients."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from backend.accounts.models import AccessToken, User
from backend.accounts.tokens import token_digest
from backend.core import errors

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
