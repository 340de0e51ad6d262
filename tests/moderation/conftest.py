"""Moderation fixtures: the consultation personas, published problems and comments on them."""

from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from tests.consultations.conftest import Personas, middle_of
from tests.proposals import conftest as proposals

tree = proposals.tree
people = proposals.people
make_organizer = proposals.make_organizer
make_consultation = proposals.make_consultation
consultation = proposals.consultation
make_problem = proposals.make_problem
in_diagnostic = proposals.in_diagnostic


@pytest.fixture
def publish_problem(make_problem: Callable[..., Contribution]) -> Callable[..., Contribution]:
    """A published problem, created while the diagnostic phase is open."""

    def make(**extra: Any) -> Contribution:
        with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=False):
            return make_problem(**extra)

    return make


@pytest.fixture
def problem(publish_problem: Callable[..., Contribution]) -> Contribution:
    return publish_problem()


@pytest.fixture
def make_comment(consultation: Consultation, people: Personas) -> Callable[..., Comment]:
    """Comments are posted through comment_create, during the deliberation phase (so that the
    stored comment counters stay true)."""

    def make(*, on: Contribution, by: User | None = None, body: str = "Pas d'accord.") -> Comment:
        with time_machine.travel(middle_of(PhaseKind.DELIBERATION), tick=False):
            return comment_create(by=by or people.outsider, contribution=on, body=body)

    return make


@pytest.fixture
def comment(make_comment: Callable[..., Comment], problem: Contribution) -> Comment:
    return make_comment(on=problem, body="Ce commentaire contient un numéro de téléphone.")
