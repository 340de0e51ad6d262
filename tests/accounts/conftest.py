"""Fixtures of the accounts tests: people registered through the real services."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.accounts.services import user_register
from backend.structures.models import MemberRole, Membership, Structure, StructureType
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def grenoble(db: Any) -> Territory:
    isere = territory_create(kind=TerritoryKind.DEPARTEMENT, name="Isère", insee_code="38")
    return territory_create(
        kind=TerritoryKind.COMMUNE, name="Grenoble", insee_code="38185", parent=isere
    )


@pytest.fixture
def participant(db: Any) -> User:
    return user_register(
        email="Camille.Martin@Exemple.fr", password=PASSWORD, display_name="Camille Martin"
    )


@pytest.fixture
def outsider(db: Any) -> User:
    return user_register(email="dominique@exemple.fr", password=PASSWORD, display_name="Dominique")


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


@pytest.fixture
def csrf_client() -> APIClient:
    """A browser-like client: CSRF is enforced as for a real web frontend."""
    return APIClient(enforce_csrf_checks=True)
