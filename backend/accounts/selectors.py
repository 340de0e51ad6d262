"""Reads on accounts: a person, access tokens, a bearer token's owner (the profile, which
shows structures too, is `backend.profiles.selectors`)."""

from django.db import connection
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
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_WITH_USER_SQL, [token_digest(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(_TOKEN_COLUMNS)
    token = AccessToken.from_db(connection.alias, _TOKEN_COLUMNS, row[:split])
    token.user = User.from_db(connection.alias, _USER_COLUMNS, row[split:])
    if not token.user.is_active:
        return None
    return token


# Every request with a bearer token runs this lookup: one precomposed statement read into the
# same model instances as `AccessToken.objects.select_related("user").get(digest=...)` (no
# field of either model has a database converter), without composing the query each time.
_TOKEN_COLUMNS = [field.attname for field in AccessToken._meta.concrete_fields]
_USER_COLUMNS = [field.attname for field in User._meta.concrete_fields]
_TOKEN_WITH_USER_SQL = (
    "SELECT "  # noqa: S608 (constant identifiers)
    + ", ".join(
        [f't."{field.column}"' for field in AccessToken._meta.concrete_fields]
        + [f'u."{field.column}"' for field in User._meta.concrete_fields]
    )
    + f' FROM "{AccessToken._meta.db_table}" t JOIN "{User._meta.db_table}" u '
    + f'ON u."id" = t."{AccessToken._meta.get_field("user").column}" '
    + 'WHERE t."digest" = %s'
)
