"""Who may change the territorial hierarchy."""

from django.contrib.auth.models import AnonymousUser

from backend.accounts.models import User


def can_create_territory(*, user: User | AnonymousUser) -> bool:
    """Only staff (Region or City organizers with admin access) shape the hierarchy."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)
