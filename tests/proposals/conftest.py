"""Contribution fixtures: the consultation personas and tree, a card, a clock in a phase."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution, ParticipantCard
from backend.proposals.services import contribution_create, participant_card_create
from tests.consultations import conftest as shared
from tests.consultations.conftest import Personas, middle_of

# Fixtures shared with the consultations tests (could move to tests/conftest.py).
tree = shared.tree
people = shared.people
make_organizer = shared.make_organizer
make_consultation = shared.make_consultation
consultation = shared.consultation
fast_password_hashing = shared.fast_password_hashing


@pytest.fixture
def in_diagnostic() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
        yield


@pytest.fixture
def in_proposals() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.PROPOSALS), tick=False):
        yield


@pytest.fixture
def card(consultation: Consultation, people: Personas) -> ParticipantCard:
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
        return participant_card_create(
            by=people.facilitator,
            consultation=consultation,
            label="Mme R., 72 ans",
            consent_given=True,
            consent_note="oral",
            age_bracket="66_80",
        )


@pytest.fixture
def make_problem(consultation: Consultation, people: Personas) -> Callable[..., Contribution]:
    def make(*, by: User | None = None, **extra: Any) -> Contribution:
        fields: dict[str, Any] = {
            "kind": "problem",
            "title": "Renouveler son titre de séjour en ligne",
            "body": "Les démarches de la préfecture sont impossibles sans ordinateur.",
            "origin": "web",
            "theme": "acces_droits",
        }
        fields.update(extra)
        return contribution_create(
            by=by or people.participant,
            consultation=extra.pop("consultation", consultation),
            **{k: v for k, v in fields.items() if k != "consultation"},
        )

    return make
