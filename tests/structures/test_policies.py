"""Who may manage a structure: persona matrix."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.accounts.models import User
from backend.structures.models import Structure
from backend.structures.policies import can_manage_structure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", True), ("staff", True), ("member", False), ("outsider", False)],
)
def test_can_manage_structure(
    request: pytest.FixtureRequest, structure: Structure, persona: str, expected: bool
) -> None:
    user: User = request.getfixturevalue(persona)
    assert can_manage_structure(user=user, structure=structure) is expected


def test_anonymous_and_inactive_people_cannot_manage(structure: Structure, owner: User) -> None:
    assert not can_manage_structure(user=AnonymousUser(), structure=structure)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert not can_manage_structure(user=owner, structure=structure)
