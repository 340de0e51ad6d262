"""Vote fixtures: the consultation personas, published proposals, a vote, a clock in a phase."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.votes.models import Vote
from backend.votes.services import vote_create
from tests.consultations.conftest import Personas, middle_of
from tests.proposals import conftest as proposals

tree = proposals.tree
people = proposals.people
make_organizer = proposals.make_organizer
make_consultation = proposals.make_consultation
consultation = proposals.consultation
fast_password_hashing = proposals.fast_password_hashing
card = proposals.card


@pytest.fixture
def in_vote() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.VOTE), tick=False):
        yield


@pytest.fixture
def in_synthesis() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.SYNTHESIS), tick=False):
        yield


@pytest.fixture
def proposals_of(people: Personas) -> Callable[..., list[Contribution]]:
    """`count` published proposals of the consultation, written in the proposals phase."""

    def make(consultation: Consultation, count: int = 3) -> list[Contribution]:
        with time_machine.travel(middle_of(PhaseKind.PROPOSALS), tick=False):
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
