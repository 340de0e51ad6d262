"""Revoking a person's access tokens whenever their password changes, wherever it changes."""

from typing import Any

from django.utils.translation import gettext as _


class AccessTokensRevokedOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its `password_changed` hook, not as a rule.

    Django calls `password_changed` after saving a newly set password, from every path: the
    API, the admin's password form, `manage.py changepassword`, a shell. It is not called when
    Django only re-hashes the same password with a newer hasher. Sessions already end with a
    password change (their hash covers it); access tokens end here, except the one the person
    used to change it through the API (`User.access_token_kept_on_password_change`).
    """

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def get_help_text(self) -> str:
        return _("Changing the password signs out every other device.")

    def password_changed(self, password: str, user: Any = None) -> None:
        from backend.accounts.services import access_tokens_revoke_on_password_change

        if user is not None and user.pk is not None:
            access_tokens_revoke_on_password_change(user=user)
