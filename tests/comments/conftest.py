"""Comment fixtures: a comment helper on the shared published problem."""

from collections.abc import Callable
from typing import Any

import pytest

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.comments.services import comment_create
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas


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
