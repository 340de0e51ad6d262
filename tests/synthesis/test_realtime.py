"""Merge, split and action events reach the consultation's group only after commit.

The commit is Django's: `django_capture_on_commit_callbacks` runs the on-commit callbacks when
its block ends, as the outermost commit would (no real transaction is needed for that)."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.core import errors
from backend.core.realtime import consultation_group
from backend.synthesis.services import (
    candidate_action_create,
    candidate_action_decide,
    contributions_merge,
    merge_undo,
)
from tests.fixtures.personas import Personas
from tests.synthesis.conftest import Field

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("in_memory_channel_layer", "in_synthesis"),
]


async def _receive(layer: Any, channel: str, timeout: float) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), timeout)
    return message


def _subscribe(consultation_id: int) -> tuple[Any, str]:
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(consultation_group(consultation_id), channel)
    return layer, channel


def test_merged_then_split_name_the_contributions_and_their_authors(
    field: Field,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer, channel = _subscribe(field.consultation.pk)
    merged = [field.problems[0], field.problems[1]]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        entry = contributions_merge(
            by=people.organizer,
            consultation=field.consultation,
            contribution_ids=[c.pk for c in merged],
            reason="Même constat",
        )
        with pytest.raises(TimeoutError):
            async_to_sync(_receive)(layer, channel, 0.1)
    message = async_to_sync(_receive)(layer, channel, 2)
    assert message["event"] == "contribution.merged"
    assert message["data"] == {
        "consultation": field.consultation.pk,
        "cluster": entry.cluster_id,
        "log_entry": entry.pk,
        "undoes": None,
        "contributions": sorted(c.pk for c in merged),
        "authors": sorted({people.participant.pk, people.outsider.pk}),
    }
    with django_capture_on_commit_callbacks(execute=True):
        split = merge_undo(by=people.organizer, merge_entry=entry, reason="Erreur")
    message = async_to_sync(_receive)(layer, channel, 2)
    assert message["event"] == "contribution.split"
    assert message["data"]["undoes"] == entry.pk
    assert message["data"]["log_entry"] == split.pk
    assert message["data"]["contributions"] == sorted(c.pk for c in merged)


def test_a_refused_merge_sends_nothing(
    field: Field,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer, channel = _subscribe(field.consultation.pk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.PermissionDenied):
        contributions_merge(
            by=people.participant,
            consultation=field.consultation,
            contribution_ids=[field.problems[0].pk, field.problems[1].pk],
            reason="Même constat",
        )
    with pytest.raises(TimeoutError):
        async_to_sync(_receive)(layer, channel, 0.2)


def test_action_created_and_decided(
    field: Field,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer, channel = _subscribe(field.consultation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        action = candidate_action_create(
            by=people.organizer, consultation=field.consultation, title="Permanences numériques"
        )
    message = async_to_sync(_receive)(layer, channel, 2)
    assert (message["event"], message["data"]) == (
        "candidate_action.created",
        {"id": action.pk, "consultation": field.consultation.pk, "decision": "pending"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        candidate_action_decide(by=people.organizer, action=action, decision="retained")
    message = async_to_sync(_receive)(layer, channel, 2)
    assert message["event"] == "candidate_action.decided"
    assert message["data"]["decision"] == "retained"
