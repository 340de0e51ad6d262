"""Finding 7: a workshop socket must refuse floods and huge messages, and never send input
back (a 5 MB message, 3,000 ballots in 3 s, a `ref` beyond its 64 characters)."""

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import websockets

from backend.votes.models import BallotLine
from backend.workshops.models import Activity, Workshop
from tests.fixtures.live import AsgiServers
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient

BURST = 20


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    return asgi_server(
        WORKSHOP_HEARTBEAT_SECONDS="30",
        WORKSHOP_MESSAGE_BURST=str(BURST),
        WORKSHOP_MESSAGE_RATE="5",
        WORKSHOP_MAX_MESSAGE_BYTES="16384",
    )


async def frames_until_closed(client: LiveClient, timeout: float = 20) -> list[str]:
    """The raw frames the server sends until it closes the socket."""
    frames: list[str] = []
    try:
        while True:
            frames.append(str(await asyncio.wait_for(client.socket.recv(), timeout=timeout)))
    except websockets.ConnectionClosed:
        return frames


def test_a_huge_message_is_refused_without_echo_and_the_socket_closed(
    server: str, workshop: Workshop
) -> None:
    marker = "INJECTED-" * 16
    huge = json.dumps({"type": "idea.submit", "ref": "r1", "text": marker * 40_000})
    assert len(huge) > 5_000_000

    async def scenario() -> tuple[list[str], int]:
        async with LiveClient(server, workshop.pk) as phone:
            await phone.join()
            await phone.socket.send(huge)
            frames = await frames_until_closed(phone)
            return frames, int(phone.socket.close_code or 0)

    frames, code = asyncio.run(scenario())
    assert code == 4413
    assert not any(marker in frame for frame in frames)
    errors = [json.loads(f) for f in frames if json.loads(f)["type"] == "error"]
    assert errors[-1]["code"] == "request_too_large"
    assert errors[-1]["details"] == {"max_bytes": 16384}
    assert errors[-1]["ref"] is None


def test_a_flood_of_ballots_is_cut_by_the_rate_limit_with_close_code_4429(
    server: str, room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    vote = make_activity("vote")
    item = str(room.proposals[0].pk)

    async def scenario() -> tuple[list[dict[str, Any]], int, float]:
        async with (
            LiveClient(server, workshop.pk) as presenter,
            LiveClient(server, workshop.pk) as phone,
        ):
            from backend.accounts.services import access_token_create

            token = await asyncio.to_thread(
                lambda: access_token_create(user=room.facilitator, name="projecteur")[1]
            )
            await presenter.join(token=token)
            await presenter.command({"type": "activity.start", "activity": vote.pk})
            await phone.join()
            started = time.monotonic()
            ballot = {"type": "ballot.submit", "activity": vote.pk, "choices": {item: 1}}
            for n in range(3000):
                try:
                    await phone.socket.send(json.dumps({**ballot, "ref": n}))
                except websockets.ConnectionClosed:
                    break
            frames = await frames_until_closed(phone)
            elapsed = time.monotonic() - started
            messages = [json.loads(frame) for frame in frames]
            return messages, int(phone.socket.close_code or 0), elapsed

    messages, code, elapsed = asyncio.run(scenario())
    assert code == 4429
    answers = [m for m in messages if m["type"] in ("ack", "error")]
    # At most the burst plus what refilled (5 per second) while the server worked through
    # the ballots was processed, out of 3,000; the last frame says why the socket closed.
    acks = [m for m in answers if m["type"] == "ack"]
    assert len(acks) <= BURST + 5 * elapsed + 1 < 3000
    assert answers[-1]["code"] == "throttled"
    assert answers[-1]["details"]["retry_after_seconds"] >= 1
    assert BallotLine.objects.filter(vote=vote.vote).count() <= 1


def test_refs_and_types_beyond_the_contract_are_never_echoed(
    server: str, workshop: Workshop
) -> None:
    long_ref = "R" * 65
    odd_type = "X" * 500

    async def scenario() -> list[dict[str, Any]]:
        async with LiveClient(server, workshop.pk) as phone:
            await phone.join()
            await phone.send({"type": "activity.stop", "activity": 1, "ref": long_ref})
            await phone.send({"type": odd_type, "ref": long_ref})
            await phone.send({"type": "poll.answer", "ref": 2**80, "activity": 1, "choices": [1]})
            await phone.send({"type": "poll.answer", "activity": "<script>", "choices": [1]})
            await phone.socket.send("not json <b>")
            return [await phone.until(lambda m: m["type"] == "error") for _ in range(5)]

    errors = asyncio.run(scenario())
    assert [e["code"] for e in errors] == [
        "invalid_message",
        "unknown_message",
        "not_found",  # a valid message for a foreign activity; its huge integer ref not echoed
        "invalid_message",
        "parse_error",
    ]
    for error in errors:
        text = json.dumps(error)
        assert error["ref"] is None
        assert error["command"] in (None, "activity.stop", "poll.answer")
        for echoed in (long_ref, odd_type, "<script>", "<b>", str(2**80)):
            assert echoed not in text
    assert errors[0]["fields"]["ref"][0]["code"] == "max_length"
    assert errors[3]["fields"]["activity"][0]["code"] == "incorrect_type"
