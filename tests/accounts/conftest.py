"""Accounts fixtures: the participant registers herself through the real service, and
memberships in structures of Grenoble."""

from collections.abc import Callable

import pytest

from backend.accounts.models import User
from backend.accounts.services import user_register
from backend.structures.models import MemberRole, Membership, Structure, StructureType
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create
from tests.fixtures.personas import PASSWORD


@pytest.fixture
def grenoble(db: None) -> Territory:
    isere = territory_create(kind=TerritoryKind.DEPARTEMENT, name="Isère", insee_code="38")
    return territory_create(
        kind=TerritoryKind.COMMUNE, name="Grenoble", insee_code="38185", parent=isere
    )


@pytest.fixture
def participant(db: None) -> User:
    """Here the participant registered herself (user_register), typing her address in mixed
    case: the accounts tests are about that registration."""
    return user_register(
        email="Camille.Martin@Exemple.fr", password=PASSWORD, display_name="Camille Martin"
    )


@pytest.fixture
def make_membership(grenoble: Territory) -> Callable[..., Membership]:
    """Membership in a new structure (written directly: the structures app owns its services)."""
    counter = {"n": 0}

    def make(*, user: User, role: str = MemberRole.MEMBER, name: str = "") -> Membership:
        counter["n"] += 1
        structure = Structure.objects.create(
            name=name or f"Structure {counter['n']}",
            slug=f"structure-{counter['n']}",
            type=StructureType.ASSOCIATION,
            territory=grenoble,
        )
        return Membership.objects.create(structure=structure, user=user, role=role)

    return make
