"""Vote fixtures: published proposals of the pilot round and a vote on them."""

from collections.abc import Callable
from typing import Any

import pytest

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.votes.models import Vote
from backend.votes.services import vote_create
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase


@pytest.fixture
def proposals_of(people: Personas) -> Callable[..., list[Contribution]]:
    """`count` published proposals of the consultation, written in the proposals phase."""

    def make(consultation: Consultation, count: int = 3) -> list[Contribution]:
        with in_phase(PhaseKind.PROPOSALS):
            return [
                contribution_create(
                    by=people.participant,
                    consultation=consultation,
                    kind="proposal",
                    title=f"Proposition {n}",
                    body="Des permanences numériques dans chaque maison de quartier.",
                    origin="web",
                    theme="acces_droits",
                )
                for n in range(1, count + 1)
            ]

    return make


@pytest.fixture
def items(consultation: Consultation, proposals_of: Callable[..., list[Contribution]]) -> list[int]:
    return [proposal.pk for proposal in proposals_of(consultation, 3)]


@pytest.fixture
def make_vote(
    consultation: Consultation, people: Personas, items: list[int]
) -> Callable[..., Vote]:
    def make(method: str = "approval", **extra: Any) -> Vote:
        fields: dict[str, Any] = {"title": "Quelles priorités ?", "items": items, "options": {}}
        fields.update(extra)
        return vote_create(by=people.organizer, consultation=consultation, method=method, **fields)

    return make


@pytest.fixture
def vote(make_vote: Callable[..., Vote]) -> Vote:
    return make_vote()
