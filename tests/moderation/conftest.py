"""Moderation fixtures: published problems and comments on them."""

from collections.abc import Callable
from typing import Any

import pytest

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase


@pytest.fixture
def publish_problem(make_problem: Callable[..., Contribution]) -> Callable[..., Contribution]:
    """A published problem, created while the diagnostic phase is open."""

    def make(**extra: Any) -> Contribution:
        with in_phase(PhaseKind.DIAGNOSTIC):
            return make_problem(**extra)

    return make


@pytest.fixture
def make_comment(consultation: Consultation, people: Personas) -> Callable[..., Comment]:
    """Comments are posted through comment_create, during the deliberation phase (so that the
    stored comment counters stay true)."""

    def make(*, on: Contribution, by: User | None = None, body: str = "Pas d'accord.") -> Comment:
        with in_phase(PhaseKind.DELIBERATION):
            return comment_create(by=by or people.outsider, contribution=on, body=body)

    return make


@pytest.fixture
def comment(make_comment: Callable[..., Comment], problem: Contribution) -> Comment:
    return make_comment(on=problem, body="Ce commentaire contient un numéro de téléphone.")
