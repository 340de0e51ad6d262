"""Two real uvicorn processes sharing the Redis channel layer: participants connected to
different workers of one workshop each get every event, in order, and the presenter counts
everyone (skipped without REDIS_URL; CI sets it)."""

import asyncio
import os
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from backend.accounts.services import access_token_create
from backend.workshops.models import Activity, EventAudience, Workshop, WorkshopEvent
from tests.fixtures.live import AsgiServers
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
    pytest.mark.usefixtures("in_memory_channel_layer"),
]

PHONES_PER_WORKER = 3
CONCURRENT_CREATES = 8


def test_every_participant_on_either_worker_gets_every_event_in_order(
    asgi_server: AsgiServers,
    room: Room,
    workshop: Workshop,
    make_activity: Callable[..., Activity],
) -> None:
    poll = make_activity("poll")
    choice = poll.choices.first()
    assert choice is not None
    token = access_token_create(user=room.facilitator, name="projecteur")[1]
    shared = {
        "REDIS_URL": os.environ["REDIS_URL"],
        "REDIS_PREFIX": f"npt-test-{uuid.uuid4().hex[:8]}",
        "WORKSHOP_HEARTBEAT_SECONDS": "30",
    }
    first, second = asgi_server.several(2, **shared)

    async def scenario() -> tuple[list[LiveClient], dict[str, Any], dict[str, Any]]:
        presenter = LiveClient(first, workshop.pk)
        phones = [LiveClient(first, workshop.pk) for _ in range(PHONES_PER_WORKER)] + [
            LiveClient(second, workshop.pk) for _ in range(PHONES_PER_WORKER)
        ]
        await presenter.__aenter__()
        try:
            await presenter.join(token=token)
            for phone in phones:
                await phone.__aenter__()
                await phone.join()
            everyone = await presenter.until(
                lambda m: m["type"] == "presence" and m["participants"] == 2 * PHONES_PER_WORKER
            )
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(headers=headers) as http:
                # Concurrent writes through both workers: their after-commit sends cross.
                created = await asyncio.gather(
                    *(
                        http.post(
                            f"{(first, second)[n % 2]}/api/v1/workshops/{workshop.pk}/activities/",
                            json={"kind": "idea_capture", "title": f"Idées {n}"},
                        )
                        for n in range(CONCURRENT_CREATES)
                    )
                )
                assert [r.status_code for r in created] == [201] * CONCURRENT_CREATES
            started = await presenter.command({"type": "activity.start", "activity": poll.pk})
            assert started["type"] == "ack"
            # A phone on the other worker answers: the presenter's tally sees it.
            answered = await phones[-1].command(
                {"type": "poll.answer", "activity": poll.pk, "choices": [choice.pk]}
            )
            assert answered["type"] == "ack"
            tally = await presenter.until(lambda m: m["type"] == "results" and m["answered"] == 1)
            closed = await presenter.command({"type": "workshop.close"})
            assert closed["type"] == "ack"
            last = closed["data"]["workshop"]["last_seq"]
            for phone in phones:
                await phone.until(lambda m: m["type"] == "event" and m["seq"] == last, timeout=15)
            return phones, everyone, tally
        finally:
            for client in [presenter, *phones]:
                if client.ws is not None:
                    await client.__aexit__()

    phones, everyone, tally = asyncio.run(scenario())

    assert everyone["facilitators"] == 1
    assert tally["results"]["choices"][0]["count"] == 1
    expected = list(
        WorkshopEvent.objects.filter(workshop=workshop, audience=EventAudience.ALL)
        .filter(seq__gt=phones[0].received[0]["last_seq"])
        .order_by("seq")
        .values_list("seq", "type")
    )
    # The creations, activity.started, activity.stopped (workshop_closed), workshop.closed.
    assert len(expected) == CONCURRENT_CREATES + 3
    for phone in phones:
        got = [(m["seq"], m["event"]) for m in phone.events()]
        assert got == expected
