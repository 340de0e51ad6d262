"""A small real hierarchy (Auvergne-Rhône-Alpes > Isère > Grenoble-Alpes Métropole > ...)."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from backend.accounts.models import User
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create


@dataclass(frozen=True)
class Tree:
    aura: Territory
    isere: Territory
    rhone: Territory
    metro: Territory
    grenoble: Territory
    echirolles: Territory
    villeneuve: Territory
    lyon: Territory


@pytest.fixture
def tree(db: None) -> Tree:
    aura = territory_create(kind=TerritoryKind.REGION, name="Auvergne-Rhône-Alpes", insee_code="84")
    isere = territory_create(
        kind=TerritoryKind.DEPARTEMENT, name="Isère", parent=aura, insee_code="38"
    )
    rhone = territory_create(
        kind=TerritoryKind.DEPARTEMENT, name="Rhône", parent=aura, insee_code="69"
    )
    metro = territory_create(
        kind=TerritoryKind.EPCI,
        name="Grenoble-Alpes Métropole",
        parent=isere,
        insee_code="200040715",
    )
    grenoble = territory_create(
        kind=TerritoryKind.COMMUNE, name="Grenoble", parent=metro, insee_code="38185"
    )
    echirolles = territory_create(
        kind=TerritoryKind.COMMUNE, name="Échirolles", parent=metro, insee_code="38151"
    )
    villeneuve = territory_create(kind=TerritoryKind.QUARTIER, name="Villeneuve", parent=grenoble)
    lyon = territory_create(
        kind=TerritoryKind.COMMUNE, name="Lyon", parent=rhone, insee_code="69123"
    )
    return Tree(aura, isere, rhone, metro, grenoble, echirolles, villeneuve, lyon)


@pytest.fixture
def organizer(make_user: Callable[..., User]) -> User:
    """Region staff: may shape the hierarchy."""
    return make_user(display_name="Organisatrice Région", is_staff=True)


@pytest.fixture
def participant(make_user: Callable[..., User]) -> User:
    return make_user(display_name="Participant")
