"""Only active staff shape the hierarchy."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.accounts.models import User
from backend.territories.policies import can_create_territory

pytestmark = pytest.mark.django_db


def test_staff_may_create_territories(staff: User) -> None:
    assert can_create_territory(user=staff)


def test_other_people_may_not(participant: User, make_user: Callable[..., User]) -> None:
    assert not can_create_territory(user=participant)
    assert not can_create_territory(user=AnonymousUser())
    assert not can_create_territory(user=make_user(is_staff=True, is_active=False))
