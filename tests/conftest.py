"""Shared fixtures: API clients and the fixed personas."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
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


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters live in the cache: each test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    """Production serves hashed static names after collectstatic; tests run without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The production hasher is slow on purpose; the tests only need a working one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def in_memory_channel_layer(settings: Any) -> None:
    """Tests that read the channel layer directly from sync code use the in-memory layer.

    Redis layers bind their connections to the event loop that first used them, and each
    async_to_sync call runs its own loop; the multi-worker tests use Redis on purpose.
    """
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
