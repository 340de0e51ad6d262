"""Comment events reach the consultation's group after commit, with ids only.

The commit is Django's: `django_capture_on_commit_callbacks` runs the on-commit callbacks when
its block ends, as the outermost commit would (no real transaction is needed for that)."""

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.core.realtime import consultation_group
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


async def receive(layer: Any, channel: str) -> Any:
    return await asyncio.wait_for(layer.receive(channel), timeout=5)


def test_comment_events_follow_the_api_writes(
    client_for: Callable[[User], APIClient],
    people: Personas,
    problem: Contribution,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer: Any = get_channel_layer()
    client = client_for(people.participant)
    base = f"/api/v1/contributions/{problem.pk}/comments/"
    # Each request commits when it ends.
    committed = partial(django_capture_on_commit_callbacks, execute=True)
    # The in-memory layer stamps messages with the (travelled) clock: receive in the same time.
    with in_phase(PhaseKind.DELIBERATION):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(consultation_group(problem.consultation_id), channel)
        with committed():
            first = client.post(base, {"body": "Secret"}, format="json").json()["id"]
        with committed():
            reply = client.post(base, {"body": "Réponse", "parent": first}, format="json").json()
        with committed():
            client.patch(f"/api/v1/comments/{first}/", {"body": "Modifié"}, format="json")
        with committed():
            client.delete(f"/api/v1/comments/{first}/")
        with committed():
            refused = client.post(base, {"body": "x" * 2001}, format="json")
        received = [async_to_sync(receive)(layer, channel) for _ in range(4)]
    assert refused.status_code == 400
    ids = {"consultation": problem.consultation_id, "contribution": problem.pk}
    assert [(m["type"], m["event"], m["data"]) for m in received] == [
        ("realtime.event", "comment.created", {"id": first, "parent": None, **ids}),
        ("realtime.event", "comment.created", {"id": reply["id"], "parent": first, **ids}),
        ("realtime.event", "comment.edited", {"id": first, "parent": None, **ids}),
        ("realtime.event", "comment.deleted", {"id": first, "parent": None, **ids}),
    ]
    assert "Secret" not in str(received)
    assert channel not in layer.channels  # drained: nothing from the refused write
