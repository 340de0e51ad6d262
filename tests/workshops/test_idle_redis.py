"""Idle websockets on a two-worker deployment with the Redis channel layer (real uvicorn, real
Redis, real time): nothing is closed after half a minute of silence (six times the 5 s after
which the old settings killed a socket), heartbeats keep arriving, and, during the same half
minute, presence forgets a phone that never answers them, within the heartbeat window.

Before REDIS_SOCKET_TIMEOUT, redis-py 8's 5 s read timeout fired during the channel layer's
blocking pop: the consultation socket died after about 5 s, the workshop socket after about 10 s.
Skipped without REDIS_URL (CI sets it). About 35 s: marked `slow`."""

import asyncio
import json
import os
import time
import uuid
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.protocol import State
from websockets.typing import Origin

from backend.accounts.services import access_token_create
from backend.workshops.models import Workshop
from tests.fixtures.live import AsgiServers
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
    pytest.mark.usefixtures("in_memory_channel_layer"),
]

IDLE_SECONDS = 30
HEARTBEAT_SECONDS = 5
# A loaded 2-core machine may be late with a ping or a presence report: generous margins.
MIN_PINGS = IDLE_SECONDS // HEARTBEAT_SECONDS - 2
PRESENCE_DROP_SECONDS = 2 * HEARTBEAT_SECONDS + 3 * HEARTBEAT_SECONDS + 10


async def answer_pings(
    client: LiveClient, seconds: float, seen: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """Read for `seconds`, answering the server's pings (a phone on the table); all received.
    With `seen`, the time a presence of one participant first arrives goes in seen["drop"].
    A close from the server raises ConnectionClosed."""
    start = len(client.received)
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await client.recv(timeout=left)
        except TimeoutError:
            break
        if message["type"] == "ping":
            await client.send({"type": "pong", "nonce": message["nonce"]})
        elif seen is not None and message["type"] == "presence" and message["participants"] == 1:
            seen.setdefault("drop", time.monotonic())
    return client.received[start:]


async def receive(ws: ClientConnection, timeout: float = 15) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout)))


def test_idle_sockets_stay_open_for_half_a_minute_and_presence_drops_a_silent_phone(
    asgi_server: AsgiServers, room: Room, workshop: Workshop
) -> None:
    token = access_token_create(user=room.facilitator, name="projecteur")[1]
    author_token = access_token_create(user=room.participant, name="téléphone")[1]
    first, second = asgi_server.several(
        2,
        REDIS_URL=os.environ["REDIS_URL"],
        REDIS_PREFIX=f"npt-idle-{uuid.uuid4().hex[:8]}",
        WORKSHOP_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
    )
    consultation_url = (
        second.replace("http", "ws") + f"/ws/v1/consultations/{room.consultation.pk}/"
    )

    async def scenario() -> dict[str, Any]:
        found: dict[str, Any] = {}
        async with (
            websockets.connect(consultation_url, origin=Origin(second)) as follower,
            LiveClient(first, workshop.pk) as presenter,
            LiveClient(second, workshop.pk) as phone,
            LiveClient(second, workshop.pk) as silent,
        ):
            found["hello"] = await receive(follower)
            await presenter.join(token=token)
            await phone.join(display_name="Awa")
            await silent.join(display_name="Bernard")
            await presenter.until(lambda m: m["type"] == "presence" and m["participants"] == 2)

            # Half a minute of silence from the clients, except answering the server's pings;
            # the follower of the consultation sends nothing and reads nothing. The silent phone
            # never answers them (in a tunnel from the start): presence drops it, on the other
            # worker, within two heartbeat intervals plus a presence report's lifetime, while the
            # others stay.
            seen: dict[str, float] = {}
            silence_started = time.monotonic()
            silent_closed = asyncio.create_task(silent.closed(timeout=PRESENCE_DROP_SECONDS))
            idle = await asyncio.gather(
                answer_pings(presenter, IDLE_SECONDS, seen),
                answer_pings(phone, IDLE_SECONDS),
            )
            if "drop" not in seen:  # a late report on a loaded machine: wait up to the bound
                left = PRESENCE_DROP_SECONDS - (time.monotonic() - silence_started)
                await presenter.until(
                    lambda m: m["type"] == "presence" and m["participants"] == 1,
                    timeout=max(left, 0.1),
                )
                seen["drop"] = time.monotonic()
            found["drop_seconds"] = seen["drop"] - silence_started
            found["pings"] = [sum(m["type"] == "ping" for m in got) for got in idle]
            found["follower_state"] = follower.state
            found["closed"] = [c.socket.close_code for c in (presenter, phone)]
            found["silent_close"] = await silent_closed

            # Still subscribed through Redis: a proposal posted on the other worker arrives.
            await follower.send(json.dumps({"type": "ping"}))
            found["pong"] = await receive(follower)
            async with httpx.AsyncClient(base_url=first, timeout=60) as http:
                created = await http.post(
                    f"/api/v1/consultations/{room.consultation.pk}/contributions/",
                    json={
                        "kind": "proposal",
                        "title": "Un atelier numérique le samedi matin",
                        "body": "Pour celles et ceux qui travaillent en semaine.",
                    },
                    headers={"Authorization": f"Bearer {author_token}"},
                )
            found["created"] = created.status_code
            found["event"] = await receive(follower)
            found["phone_state"] = phone.socket.state
        return found

    found = asyncio.run(scenario())

    assert found["hello"] == {"type": "hello", "consultation": room.consultation.pk}
    assert all(count >= MIN_PINGS for count in found["pings"]), found["pings"]
    assert found["closed"] == [None, None]
    assert found["follower_state"] == State.OPEN
    assert found["pong"] == {"type": "pong"}
    assert found["created"] == 201
    assert found["event"]["event"] == "contribution.published"
    assert found["drop_seconds"] <= PRESENCE_DROP_SECONDS
    assert found["silent_close"] == 4408
    assert found["phone_state"] == State.OPEN
