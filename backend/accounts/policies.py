"""Who may do what with accounts and access tokens."""

from backend.accounts.models import AccessToken, User


def can_revoke_access_token(*, user: User, obj: AccessToken) -> bool:
    """A token can be revoked by its owner only (staff use the admin site)."""
    return user.is_active and obj.user_id == user.pk
