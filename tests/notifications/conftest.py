"""Notification fixtures: the programme fixture's two rounds (tests/programmes/conftest.py),
whose contributions feed candidate actions, and a helper that runs after-commit work."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tests.programmes.conftest import Region, region  # noqa: F401 (the fixture, re-exported)

__all__ = ["Region"]

Committed = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Committed:
    """`with committed(): ...` runs what the services defer to after commit (domain events,
    their subscribers, websocket sends) as a real commit would."""

    def make() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return make
