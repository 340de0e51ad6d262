"""Shared fixtures: API clients and the fixed personas."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous client; French is the default language."""
    return APIClient()


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = {"n": 0}

    def make(*, email: str | None = None, display_name: str = "", **extra: Any) -> User:
        counter["n"] += 1
        n = counter["n"]
        return User.objects.create_user(
            email or f"personne{n}@exemple.fr",
            password="motdepasse-solide-42",
            display_name=display_name or f"Personne {n}",
            **extra,
        )

    return make


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """A client signed in as the given user (session authentication, no CSRF checks)."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make
