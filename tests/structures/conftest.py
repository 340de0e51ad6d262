"""Structures fixtures: the territory tree, personas and one structure built by the services."""

from collections.abc import Callable

import pytest

from backend.accounts.models import User
from backend.structures.models import MemberRole, Structure, StructureType
from backend.structures.services import membership_add, structure_create
from tests.territories.conftest import (  # noqa: F401  (fixtures reused here)
    Tree,
    tree,
)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    """The person who created the structure: its first administrator."""
    return make_user(display_name="Awa Admin", email="awa@exemple.fr")


@pytest.fixture
def member(make_user: Callable[..., User]) -> User:
    return make_user(display_name="Marc Membre", email="marc@exemple.fr")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user(display_name="Olga Dehors")


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    """A Region organizer with admin access."""
    return make_user(display_name="Organisatrice Région", is_staff=True)


@pytest.fixture
def structure(tree: Tree, admin: User, member: User) -> Structure:  # noqa: F811
    created = structure_create(
        creator=admin,
        name="Emmaüs Connect Grenoble",
        type=StructureType.ASSOCIATION,
        territory=tree.grenoble,
        description="Connexions Solidaires.",
        website="https://emmaus-connect.org",
    )
    membership_add(structure=created, by=admin, user=member, role=MemberRole.MEMBER)
    return created
