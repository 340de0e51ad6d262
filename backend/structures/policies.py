"""Who may manage a structure: its administrators, and staff."""

from django.contrib.auth.models import AnonymousUser

from backend.accounts.models import User
from backend.structures.models import MemberRole, Membership, Structure


def can_manage_structure(*, user: User | AnonymousUser, structure: Structure) -> bool:
    """Edit the structure and its members: staff, or an administrator of it (one query)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(
        structure=structure, user_id=user.pk, role=MemberRole.ADMIN
    ).exists()


def can_verify_structure(*, user: User | AnonymousUser) -> bool:
    """Staff (Region or City) check that a structure is who it says."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)
