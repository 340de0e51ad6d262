"""Writes on accounts: registration, sign-in, profile, password and access tokens."""

from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.domain import email_normalize, token_name_normalize
from backend.accounts.lockout import account_locked
from backend.accounts.models import AccessToken, User
from backend.accounts.policies import can_revoke_access_token
from backend.accounts.tokens import token_generate
from backend.core import errors
from backend.territories.models import Territory

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _password_errors(
    *, field: str, password: str, user: User
) -> dict[str, list[dict[str, str]]] | None:
    """Django's password validators, as field errors keeping each validator's code."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        return {
            field: [
                {"code": error.code or "invalid", "message": " ".join(error.messages)}
                for error in exc.error_list
            ]
        }
    return None


def _email_taken() -> errors.ValidationFailed:
    return errors.ValidationFailed(
        fields={
            "email": [
                {
                    "code": "email_taken",
                    "message": _("This e-mail address is already used by an account."),
                }
            ]
        }
    )


@transaction.atomic
def user_register(
    *, email: str, password: str, display_name: str, territory: Territory | None = None
) -> User:
    """Create an account signed in by e-mail; the password goes through Django's validators.

    The e-mail address is unique case-insensitively: checked first for a clear error, and
    the unique index on lower(email) settles a race between two registrations.
    """
    user = User(email=email_normalize(email), display_name=display_name, territory=territory)
    if User.objects.filter(email__iexact=user.email).exists():
        raise _email_taken()
    password_errors = _password_errors(field="password", password=password, user=user)
    if password_errors:
        raise errors.ValidationFailed(fields=password_errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise _email_taken() from exc
    return user


def user_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """The active account with these credentials, or InvalidCredentials; AccountLocked (429)
    after too many wrong passwords for this address (django-axes records each failure and
    refuses a locked account before checking its password).

    May rewrite the password hash when the hasher settings have changed (Django does it).
    Not atomic on purpose: the record of a failure must outlive the refusal.
    """
    user = authenticate(request, email=email_normalize(email), password=password)
    if not isinstance(user, User):
        if getattr(request, "axes_locked_out", False):
            raise account_locked()
        raise errors.InvalidCredentials(_("The e-mail address or the password is not correct."))
    # A success clears the account's failures, for token sign-ins too (django-axes does it on
    # user_logged_in, which only session sign-ins send).
    AxesProxyHandler.user_logged_in(sender=User, request=request, user=user)
    return user


@transaction.atomic
def user_login(*, request: HttpRequest, user: User) -> None:
    """Open a session for `user`: new session key, new CSRF token, last_login updated."""
    login(request, user, backend=MODEL_BACKEND)


@transaction.atomic
def user_logout(*, request: HttpRequest, token: AccessToken | None = None) -> None:
    """End the session; a request signed with an access token revokes that token."""
    if token is not None:
        AccessToken.objects.filter(pk=token.pk).delete()
    logout(request)


@transaction.atomic
def user_update_profile(*, user: User, display_name: str, territory: Territory | None) -> User:
    """Change the name shown to others and the territory the person acts in."""
    user.display_name = display_name
    user.territory = territory
    user.save(update_fields=["display_name", "territory"])
    return user


@transaction.atomic
def user_change_password(
    *,
    user: User,
    old_password: str,
    new_password: str,
    request: HttpRequest | None = None,
    keep_token: AccessToken | None = None,
) -> None:
    """Change the password after checking the current one.

    Side effects: every other session ends (Django ties sessions to the password hash; the
    session of `request`, if any, is kept), and every access token but `keep_token` is
    revoked (by the password_changed hook, as for any password change), so a stolen password
    or token stops working everywhere.
    """
    if not user.check_password(old_password):
        raise errors.ValidationFailed(
            fields={
                "old_password": [
                    {
                        "code": "password_incorrect",
                        "message": _("The current password is not correct."),
                    }
                ]
            }
        )
    password_errors = _password_errors(field="new_password", password=new_password, user=user)
    if password_errors:
        raise errors.ValidationFailed(fields=password_errors)
    user.set_password(new_password)
    user.access_token_kept_on_password_change = keep_token.pk if keep_token else None
    try:
        user.save(update_fields=["password"])
    finally:
        user.access_token_kept_on_password_change = None
    if request is not None and request.user.is_authenticated and request.user.pk == user.pk:
        update_session_auth_hash(request, user)


@transaction.atomic
def access_tokens_revoke_on_password_change(*, user: User) -> int:
    """Delete the person's access tokens after a password change, but the one named by
    `user.access_token_kept_on_password_change`; the number deleted."""
    tokens = AccessToken.objects.filter(user_id=user.pk)
    if user.access_token_kept_on_password_change is not None:
        tokens = tokens.exclude(pk=user.access_token_kept_on_password_change)
    deleted, _counts = tokens.delete()
    return deleted


@transaction.atomic
def access_token_create(*, user: User, name: str) -> tuple[AccessToken, str]:
    """A new personal access token; the raw value is returned here once and never stored."""
    new = token_generate()
    token = AccessToken.objects.create(
        user=user, name=token_name_normalize(name), prefix=new.prefix, digest=new.digest
    )
    return token, new.raw


@transaction.atomic
def access_token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of the user's tokens; someone else's token is reported as not found."""
    token = AccessToken.objects.filter(pk=token_id).first()
    if token is None or not can_revoke_access_token(user=user, obj=token):
        raise errors.NotFound()
    token.delete()


def access_token_touch(*, token: AccessToken, now: datetime | None = None) -> None:
    """Record that the token was just used, at most once per LAST_USED_RESOLUTION (a
    conditional single-row UPDATE, no lock; `token` itself is left as read)."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
