"""Redis stopped and restarted under a live workshop, on real processes: a redis-server of the
test's own (the machine's Redis is never touched) and a uvicorn worker using it as channel layer
and cache. While Redis is down, HTTP keeps working (writes answer 201, sign-up included: its
throttle counter lives in Redis); the phone's websocket is dropped, and once Redis is back the
phone reconnects and resumes with its `resume_token` and `last_seq`: every event exactly once,
in order, including those sequenced during the outage (frontend-contract/live/README.md)."""

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
import websockets

from backend.accounts.services import access_token_create
from backend.workshops.models import EventAudience, Workshop, WorkshopEvent
from tests.fixtures.live import uvicorn_server
from tests.fixtures.throwaway import RedisServer
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_memory_channel_layer"),
]

# A loaded 2-core machine: generous windows, never a timing assertion.
DROP_SECONDS = 30
RECONNECT_SECONDS = 90


def is_event(message: dict[str, Any]) -> bool:
    return message["type"] == "event"


async def rejoin(url: str, workshop_id: int, resume_token: str, last_seq: int) -> LiveClient:
    """What the phone does after a drop: reconnect with back-off and resume."""
    deadline = time.monotonic() + RECONNECT_SECONDS
    delay = 0.25
    while True:
        client = LiveClient(url, workshop_id)
        try:
            await client.__aenter__()
            welcome = await client.join(resume_token=resume_token, last_seq=last_seq)
        except (websockets.ConnectionClosed, OSError, TimeoutError):
            if client.ws is not None:
                await client.socket.close()
            assert time.monotonic() < deadline, "the phone could not reconnect"
            await asyncio.sleep(delay)
            delay = min(2 * delay, 2.0)
            continue
        assert welcome["replay"] == "events", welcome
        return client


def test_redis_stopped_and_restarted(
    own_redis: RedisServer, room: Room, workshop: Workshop
) -> None:
    token = access_token_create(user=room.facilitator, name="projecteur")[1]
    with uvicorn_server(
        REDIS_URL=own_redis.url,
        REDIS_PREFIX=f"npt-fault-{uuid.uuid4().hex[:8]}",
        WORKSHOP_HEARTBEAT_SECONDS="30",
        AUTH_THROTTLE_RATE="1000/min",
    ) as url:

        async def scenario() -> dict[str, Any]:
            found: dict[str, Any] = {}
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:

                async def create(title: str) -> int:
                    response = await http.post(
                        f"/api/v1/workshops/{workshop.pk}/activities/",
                        json={"kind": "idea_capture", "title": title},
                    )
                    return response.status_code

                phone = LiveClient(url, workshop.pk)
                await phone.__aenter__()
                welcome = await phone.join(display_name="Awa")
                found["joined_at"] = welcome["last_seq"]
                assert await create("Avant la panne") == 201
                await phone.until(is_event)

                own_redis.stop()
                found["during"] = [await create(f"Pendant la panne {n}") for n in (1, 2)]
                signed_up = await http.post(
                    "/api/v1/auth/register/",
                    json={
                        "email": f"panne-{uuid.uuid4().hex[:8]}@exemple.fr",
                        "password": "Numerique-pour-tous-2026",
                        "display_name": "Bernard",
                        "session": False,
                    },
                )
                found["signed_up"] = signed_up.status_code
                found["health"] = (await http.get("/api/v1/health/")).status_code
                # The phone's socket is dropped (its consumer reads from Redis).
                found["drop_code"] = await phone.closed(timeout=DROP_SECONDS)
                last_seen = max(m["seq"] for m in phone.events())

                own_redis.start()
                again = await rejoin(url, workshop.pk, welcome["resume_token"], last_seen)
                try:
                    found["same_participant"] = (
                        again.received[-1]["participant"]["id"] == welcome["participant"]["id"]
                    )
                    current = again.received[-1]["last_seq"]
                    while max([last_seen, *(m["seq"] for m in again.events())]) < current:
                        await again.until(is_event)
                    # Live again, through the restarted Redis.
                    assert await create("Après la panne") == 201
                    await again.until(lambda m: is_event(m) and m["seq"] > current, timeout=30)
                finally:
                    await again.__aexit__()
                found["seqs"] = [m["seq"] for m in phone.events() + again.events()]
            return found

        found = asyncio.run(scenario())

    assert found["during"] == [201, 201]
    assert found["signed_up"] == 201
    assert found["health"] == 200
    assert found["drop_code"] != 0
    assert found["same_participant"]
    expected = list(
        WorkshopEvent.objects.filter(
            workshop=workshop, audience=EventAudience.ALL, seq__gt=found["joined_at"]
        )
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    # The four creations, each once, in order: no gap, no duplicate.
    assert len(expected) == 4
    assert found["seqs"] == expected
