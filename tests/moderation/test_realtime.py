"""Moderation events reach the consultation's group only after the transaction commits.

The commit is Django's: `django_capture_on_commit_callbacks` runs the on-commit callbacks when
its block ends, as the outermost commit would (no real transaction is needed for that)."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.comments.models import Comment
from backend.core import errors
from backend.core.realtime import consultation_group
from backend.moderation.services import content_hide, content_restore
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


async def _receive(layer: Any, channel: str, timeout: float) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), timeout)
    return message


def _subscribe(consultation_id: int) -> tuple[Any, str]:
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(consultation_group(consultation_id), channel)
    return layer, channel


def test_contribution_hidden_then_restored(
    problem: Contribution,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer, channel = _subscribe(problem.consultation_id)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        content_hide(by=people.moderator, contribution=problem, reason="Publicité")
        with pytest.raises(TimeoutError):
            async_to_sync(_receive)(layer, channel, 0.1)
    message = async_to_sync(_receive)(layer, channel, 2)
    assert message["type"] == "realtime.event"
    assert message["event"] == "contribution.hidden"
    assert message["data"] == {
        "id": problem.pk,
        "consultation": problem.consultation_id,
        "kind": "problem",
    }
    with django_capture_on_commit_callbacks(execute=True):
        content_restore(by=people.moderator, contribution=problem, reason="Erreur")
    assert async_to_sync(_receive)(layer, channel, 2)["event"] == "contribution.restored"


def test_comment_hidden_carries_ids_only(
    comment: Comment,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    assert comment.consultation_id is not None
    layer, channel = _subscribe(comment.consultation_id)
    with django_capture_on_commit_callbacks(execute=True):
        content_hide(by=people.moderator, comment=comment, reason="Numéro de téléphone")
    message = async_to_sync(_receive)(layer, channel, 2)
    assert message["event"] == "comment.hidden"
    assert message["data"] == {
        "id": comment.pk,
        "consultation": comment.consultation_id,
        "contribution": comment.contribution_id,
        "parent": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        content_restore(by=people.moderator, comment=comment, reason="Numéro retiré")
    assert async_to_sync(_receive)(layer, channel, 2)["event"] == "comment.restored"


def test_a_refused_action_sends_nothing(
    problem: Contribution,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer, channel = _subscribe(problem.consultation_id)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.PermissionDenied):
        content_hide(by=people.participant, contribution=problem, reason="Non")
    with pytest.raises(TimeoutError):
        async_to_sync(_receive)(layer, channel, 0.1)
