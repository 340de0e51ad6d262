"""Idempotency fixtures: the territory tree and two signed-in participants."""

from collections.abc import Callable

import pytest

from backend.accounts.models import User
from tests.territories.conftest import (  # noqa: F401  (fixtures reused here)
    Tree,
    tree,
)


@pytest.fixture
def participant(make_user: Callable[..., User]) -> User:
    return make_user(display_name="Paule Participante")


@pytest.fixture
def outsider(make_user: Callable[..., User]) -> User:
    return make_user(display_name="Olga Dehors")
