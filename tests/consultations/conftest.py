"""Consultation fixtures: a small territory tree, the personas and a six-phase round."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind, PhaseSpec
from backend.consultations.models import Consultation, RoleKind
from backend.consultations.services import consultation_create, consultation_publish, role_grant
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create

PARIS = ZoneInfo("Europe/Paris")
# The pilot round: six one-week phases back to back from Monday 4 May 2026, 09:00.
ROUND_STARTS_AT = datetime(2026, 5, 4, 9, 0, tzinfo=PARIS)
PHASE_LENGTH = timedelta(days=7)
SIX_KINDS = list(PhaseKind)


def six_phase_plan(starts_at: datetime = ROUND_STARTS_AT) -> list[PhaseSpec]:
    return [
        PhaseSpec(
            kind=kind,
            title=f"Phase {index + 1}",
            starts_at=starts_at + index * PHASE_LENGTH,
            ends_at=starts_at + (index + 1) * PHASE_LENGTH,
        )
        for index, kind in enumerate(SIX_KINDS)
    ]


def middle_of(kind: PhaseKind, starts_at: datetime = ROUND_STARTS_AT) -> datetime:
    """Wednesday noon of the week the phase `kind` is open."""
    return starts_at + SIX_KINDS.index(kind) * PHASE_LENGTH + timedelta(days=2, hours=3)


@dataclass
class Tree:
    region: Territory
    isere: Territory
    metro: Territory
    grenoble: Territory
    villeneuve: Territory
    echirolles: Territory
    rhone: Territory
    lyon: Territory


@dataclass
class Personas:
    organizer: User
    facilitator: User
    moderator: User
    participant: User
    outsider: User
    staff: User


@pytest.fixture
def tree(db: Any) -> Tree:
    region = territory_create(
        kind=TerritoryKind.REGION, name="Auvergne-Rhône-Alpes", insee_code="84"
    )
    isere = territory_create(
        kind=TerritoryKind.DEPARTEMENT, name="Isère", insee_code="38", parent=region
    )
    metro = territory_create(kind=TerritoryKind.EPCI, name="Grenoble-Alpes Métropole", parent=isere)
    grenoble = territory_create(
        kind=TerritoryKind.COMMUNE, name="Grenoble", insee_code="38185", parent=metro
    )
    villeneuve = territory_create(kind=TerritoryKind.QUARTIER, name="Villeneuve", parent=grenoble)
    echirolles = territory_create(
        kind=TerritoryKind.COMMUNE, name="Échirolles", insee_code="38151", parent=metro
    )
    rhone = territory_create(
        kind=TerritoryKind.DEPARTEMENT, name="Rhône", insee_code="69", parent=region
    )
    lyon = territory_create(
        kind=TerritoryKind.COMMUNE, name="Lyon", insee_code="69123", parent=rhone
    )
    return Tree(region, isere, metro, grenoble, villeneuve, echirolles, rhone, lyon)


@pytest.fixture
def make_organizer(make_user: Callable[..., User]) -> Callable[..., User]:
    """Region or City staff who may create consultations (add_consultation permission)."""

    def make(**extra: Any) -> User:
        user = make_user(**extra)
        user.user_permissions.add(Permission.objects.get(codename="add_consultation"))
        return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache

    return make


@pytest.fixture
def people(make_user: Callable[..., User], make_organizer: Callable[..., User]) -> Personas:
    return Personas(
        organizer=make_organizer(display_name="Olga Organisatrice"),
        facilitator=make_user(display_name="Fatou Animatrice"),
        moderator=make_user(display_name="Marc Modérateur"),
        participant=make_user(display_name="Paul Participant"),
        outsider=make_user(display_name="Octave Extérieur"),
        staff=make_user(display_name="Sabine Staff", is_staff=True),
    )


@pytest.fixture
def make_consultation(tree: Tree, people: Personas) -> Callable[..., Consultation]:
    """A round by the organizer, with the facilitator and moderator roles granted."""

    def make(
        *,
        title: str = "Le numérique pour tous à Grenoble",
        territory: Territory | None = None,
        themes: tuple[str, ...] = ("acces_droits", "equipement"),
        phases: list[PhaseSpec] | None = None,
        publish: bool = True,
        by: User | None = None,
    ) -> Consultation:
        organizer = by or people.organizer
        consultation = consultation_create(
            by=organizer,
            title=title,
            territory=territory or tree.grenoble,
            description="Concertation sur l'inclusion numérique.",
            summary_easy_read="On construit ensemble un plan pour aider chacun avec Internet.",
            themes=list(themes),
            phases=six_phase_plan() if phases is None else phases,
        )
        role_grant(
            by=organizer,
            consultation=consultation,
            user=people.facilitator,
            role=RoleKind.FACILITATOR,
        )
        role_grant(
            by=organizer,
            consultation=consultation,
            user=people.moderator,
            role=RoleKind.MODERATOR,
        )
        if publish:
            consultation = consultation_publish(by=organizer, consultation=consultation)
        return consultation

    return make


@pytest.fixture
def consultation(make_consultation: Callable[..., Consultation]) -> Consultation:
    return make_consultation()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The personas' passwords need no real hashing cost here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
