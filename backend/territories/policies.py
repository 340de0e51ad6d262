"""Who may change the territorial hierarchy."""

from backend.core.users import AnyUser


def can_create_territory(*, user: AnyUser) -> bool:
    """Only staff (Region or City organizers with admin access) shape the hierarchy."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)
