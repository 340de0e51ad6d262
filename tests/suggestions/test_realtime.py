"""Suggestion run events reach the consultation's group, after commit, with ids and counts.

The commit is Django's: `django_capture_on_commit_callbacks` runs the on-commit callbacks when
its block ends, as the outermost commit would (the job, run by the immediate backend on commit,
then commits its own steps the same way)."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.consultations.models import Consultation
from backend.core.realtime import consultation_group
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.models import SuggestionRun
from tests.fixtures.personas import Personas

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_memory_channel_layer")]


async def drain(layer: Any, channel: str) -> list[Any]:
    messages = []
    while True:
        try:
            messages.append(await asyncio.wait_for(layer.receive(channel), timeout=0.2))
        except TimeoutError:
            return messages


def test_a_run_announces_queued_progress_and_finished_after_commit(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer: Any = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(consultation_group(consultation.pk), channel)
    async_to_sync(drain)(layer, channel)  # the corpus's own contribution events
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
        assert async_to_sync(drain)(layer, channel) == []  # nothing before commit
        assert not SuggestionRun.objects.filter(pk=run.pk).exclude(status="queued").exists()
    received = async_to_sync(drain)(layer, channel)
    events = [(m["event"], m["data"]) for m in received]
    run.refresh_from_db()
    ids = {"id": run.pk, "consultation": consultation.pk}
    assert events[0] == ("suggestion_run.queued", {**ids, "status": "queued"})
    progress = [data for event, data in events if event == "suggestion_run.progress"]
    assert progress
    assert progress[0]["done"] <= progress[0]["total"] == run.total
    assert events[-1] == (
        "suggestion_run.finished",
        {**ids, "status": "done", "clusters": len(run.result)},
    )
    assert all("title" not in str(data) for _, data in events)


def test_a_rolled_back_start_announces_and_runs_nothing(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer: Any = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(consultation_group(consultation.pk), channel)
    async_to_sync(drain)(layer, channel)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.suggestion_run_start(by=people.organizer, consultation=consultation)
        transaction.set_rollback(True)
    assert async_to_sync(drain)(layer, channel) == []
    assert not SuggestionRun.objects.exists()
