"""Structures fixtures: one structure built by the services, with its owner and a member."""

import pytest

from backend.accounts.models import User
from backend.structures.models import MemberRole, Structure, StructureType
from backend.structures.services import membership_add, structure_create
from tests.fixtures.territories import Tree


@pytest.fixture
def structure(tree: Tree, owner: User, member: User) -> Structure:
    created = structure_create(
        creator=owner,
        name="Emmaüs Connect Grenoble",
        type=StructureType.ASSOCIATION,
        territory=tree.grenoble,
        description="Connexions Solidaires.",
        website="https://emmaus-connect.org",
    )
    membership_add(structure=created, by=owner, user=member, role=MemberRole.MEMBER)
    return created
