"""Reads of a person's profile: the account, its territory and its structure memberships."""

from django.db.models import Prefetch, QuerySet

from backend.accounts.models import User
from backend.core import errors
from backend.structures.models import Membership


def user_profile_queryset() -> QuerySet[User]:
    """Users with what the profile shows: territory, and memberships with their structure."""
    memberships = Membership.objects.select_related("structure").order_by(
        "structure__name", "structure_id"
    )
    return User.objects.select_related("territory").prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )


def user_get_profile(*, user_id: int) -> User:
    """One user with the profile data, in two queries whatever the number of memberships."""
    user = user_profile_queryset().filter(pk=user_id).first()
    if user is None:
        raise errors.NotFound()
    return user
