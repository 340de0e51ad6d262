"""Comment fixtures: a published problem in the pilot round and a comment helper."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.proposals.models import Contribution
from tests.consultations.conftest import Personas, middle_of
from tests.proposals import conftest as proposals

tree = proposals.tree
people = proposals.people
make_organizer = proposals.make_organizer
make_consultation = proposals.make_consultation
consultation = proposals.consultation
fast_password_hashing = proposals.fast_password_hashing
in_diagnostic = proposals.in_diagnostic
in_proposals = proposals.in_proposals
card = proposals.card
make_problem = proposals.make_problem


@pytest.fixture
def in_deliberation() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.DELIBERATION), tick=False):
        yield


@pytest.fixture
def in_vote() -> Iterator[None]:
    with time_machine.travel(middle_of(PhaseKind.VOTE), tick=False):
        yield


@pytest.fixture
def problem(make_problem: Callable[..., Contribution]) -> Contribution:
    """A published problem, submitted during the diagnostic phase."""
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
        return make_problem()


@pytest.fixture
def make_comment(people: Personas, problem: Contribution) -> Callable[..., Comment]:
    """Post a comment through the service (call it inside a phase that allows comments)."""

    def make(
        *,
        by: User | None = None,
        contribution: Contribution | None = None,
        body: str = "Pareil a la Villeneuve, la prefecture ne repond jamais.",
        stance: str = "for",
        **extra: Any,
    ) -> Comment:
        return comment_create(
            by=by or people.participant,
            contribution=contribution or problem,
            body=body,
            stance=stance,
            **extra,
        )

    return make
