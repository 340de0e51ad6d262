"""Reads on accounts: a person, access tokens, a bearer token's owner (the profile, which
shows structures too, is `backend.profiles.selectors`)."""

from django.db.models import QuerySet

from backend.accounts.models import AccessToken, User
from backend.accounts.tokens import token_digest
from backend.core import errors


def user_get(*, user_id: int) -> User:
    """One user by id, or 404 not_found."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise errors.NotFound()
    return user


def access_token_list(*, user: User) -> QuerySet[AccessToken]:
    """The user's access tokens, newest first (the digest is never shown)."""
    return AccessToken.objects.filter(user=user).order_by("-created_at", "-id")


def user_find_by_email(*, email: str) -> User | None:
    """The active account with this address (case-insensitive), if any."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def access_token_get_by_raw(*, raw: str) -> AccessToken | None:
    """The token whose digest matches `raw`, with its user (one query), if it is still valid
    (its account active). Both REST bearer authentication and websockets use it."""
    token = AccessToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    return token
