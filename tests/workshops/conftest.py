"""Workshop fixtures: the shared personas in a consultation in its proposals phase (real clock, so a
uvicorn subprocess sees the same phase), published proposals, a workshop and activities."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.consultations.domain import PhaseSpec
from backend.consultations.models import Consultation
from backend.consultations.services import consultation_create, consultation_publish, role_grant
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.territories.services import territory_create
from backend.workshops.models import Activity, Workshop
from backend.workshops.services import activity_create, workshop_create, workshop_open


@dataclass(frozen=True)
class Room:
    consultation: Consultation
    organizer: User
    facilitator: User
    participant: User
    outsider: User
    proposals: list[Contribution]


@pytest.fixture
def room(organizer: User, facilitator: User, participant: User, outsider: User) -> Room:
    grenoble = territory_create(kind="commune", name="Grenoble", insee_code="38185")
    now = timezone.now()
    consultation = consultation_create(
        by=organizer,
        title="Le numérique pour tous à Grenoble",
        territory=grenoble,
        phases=[
            PhaseSpec(
                kind="proposals", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
            ),
            PhaseSpec(
                kind="vote", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
            ),
        ],
    )
    consultation = consultation_publish(by=organizer, consultation=consultation)
    role_grant(by=organizer, consultation=consultation, user=facilitator, role="facilitator")
    proposals = [
        contribution_create(
            by=participant,
            consultation=consultation,
            kind="proposal",
            title=f"Proposition {n}",
            body="Des permanences numériques dans chaque maison de quartier.",
            origin="web",
        )
        for n in range(1, 4)
    ]
    return Room(consultation, organizer, facilitator, participant, outsider, proposals)


@pytest.fixture
def workshop(room: Room) -> Workshop:
    draft = workshop_create(
        by=room.facilitator,
        consultation=room.consultation,
        title="Atelier à la maison des habitants",
        place="Maison des habitants Teisseire",
        # Open: these tests are about the protocol, their phones keep no device cookie (the
        # participation rules: tests/security/test_workshop_ballot_stuffing.py).
        participation="open",
    )
    return workshop_open(by=room.facilitator, workshop=draft)


@pytest.fixture
def make_activity(room: Room, workshop: Workshop) -> Callable[..., Activity]:
    def make(kind: str = "poll", **extra: Any) -> Activity:
        fields: dict[str, Any] = {"title": "Vous sentez-vous à l'aise en ligne ?"}
        if kind == "poll":
            fields["poll"] = {"multiple": False, "choices": ["Oui", "Non", "Parfois"]}
        if kind == "vote":
            fields["vote"] = {"method": "approval", "items": [p.pk for p in room.proposals]}
        fields.update(extra)
        return activity_create(by=room.facilitator, workshop=workshop, kind=kind, **fields)

    return make
