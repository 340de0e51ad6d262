"""The workshop websocket over a real uvicorn process and real sockets; every message received
is validated against frontend-contract/live/schemas."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from pytest_django import Settings

from backend.accounts.services import access_token_create
from backend.workshops.models import Activity, Participant, Workshop
from tests.fixtures.live import SERVER_SECRET_KEY, AsgiServers
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    # A slow heartbeat: a loaded CI machine must not close a client busy elsewhere in a test
    # (the heartbeat has its own fast server below).
    return asgi_server(
        WORKSHOP_HEARTBEAT_SECONDS="30",
        WORKSHOP_JOIN_TIMEOUT_SECONDS="4",
        WORKSHOP_REPLAY_WINDOW="3",
    )


@pytest.fixture
def fast_heartbeat_server(asgi_server: AsgiServers) -> str:
    return asgi_server(WORKSHOP_HEARTBEAT_SECONDS="1")


def facilitator_token(room: Room) -> str:
    return access_token_create(user=room.facilitator, name="projecteur")[1]


def is_event(name: str) -> Callable[[dict[str, Any]], bool]:
    return lambda message: message["type"] == "event" and message["event"] == name


def test_a_poll_from_start_to_results(
    server: str, room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    poll = make_activity("poll")
    choices = [choice.pk for choice in poll.choices.all()]
    token = facilitator_token(room)

    async def scenario() -> dict[str, Any]:
        async with (
            LiveClient(server, workshop.pk) as presenter,
            LiveClient(server, workshop.pk) as phone,
        ):
            welcome = await presenter.join(token=token)
            assert welcome["role"] == "facilitator"
            assert welcome["replay"] == "snapshot"
            phone_welcome = await phone.join(display_name="Fatou")
            assert phone_welcome["role"] == "participant"
            assert phone_welcome["participant"]["display_name"] == "Fatou"
            assert phone_welcome["resume_token"]
            snapshot = await phone.until(lambda m: m["type"] == "snapshot")
            assert [a["id"] for a in snapshot["activities"]] == [poll.pk]
            presence = await presenter.until(
                lambda m: m["type"] == "presence" and m["participants"] == 1
            )
            assert presence["facilitators"] == 1

            # A participant cannot run the room; unknown or malformed messages are answered.
            refused = await phone.command({"type": "activity.start", "activity": poll.pk})
            assert (refused["type"], refused["code"]) == ("error", "permission_denied")
            unknown = await phone.command({"type": "dance"})
            assert unknown["code"] == "unknown_message"
            invalid = await phone.command({"type": "poll.answer", "activity": "x", "choices": []})
            assert invalid["code"] == "invalid_message"
            assert "activity" in invalid["fields"]

            started = await presenter.command({"type": "activity.start", "activity": poll.pk})
            assert started["type"] == "ack"
            event = await phone.until(is_event("activity.started"))
            assert event["data"]["activity"]["status"] == "open"

            answer = await phone.command(
                {"type": "poll.answer", "activity": poll.pk, "choices": [choices[0]]}
            )
            assert answer["data"]["answer"]["choices"] == [choices[0]]
            changed = await phone.command(
                {"type": "poll.answer", "activity": poll.pk, "choices": [choices[2]]}
            )
            assert changed["type"] == "ack"
            results = await presenter.until(
                lambda m: (
                    m["type"] == "results"
                    and m["answered"] == 1
                    and m["results"]["choices"][2]["count"] == 1
                )
            )
            assert results["visible"] is False
            assert [c["count"] for c in results["results"]["choices"]] == [0, 0, 1]

            shown = await presenter.command(
                {"type": "activity.results", "activity": poll.pk, "visible": True}
            )
            assert shown["type"] == "ack"
            seen = await phone.until(lambda m: m["type"] == "results" and m["visible"])
            assert seen["answered"] == 1
            # Nothing the participant received was a facilitator-only message.
            assert not any(m["type"] == "presence" for m in phone.received)
            assert phone.checked
            assert presenter.checked
            return seen

    asyncio.run(scenario())


def test_reconnect_replays_missed_events_or_sends_a_snapshot(
    server: str, room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    async def first_visit() -> dict[str, Any]:
        async with LiveClient(server, workshop.pk) as phone:
            return await phone.join(display_name="Karim")

    welcome = asyncio.run(first_visit())
    resume, last_seq = welcome["resume_token"], welcome["last_seq"]
    # Changes while the phone is in a tunnel: two activities (logged events).
    make_activity("poll", title="Première question")
    make_activity("idea_capture", title="Vos difficultés")

    async def come_back(last: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        async with LiveClient(server, workshop.pk) as phone:
            again = await phone.join(resume_token=resume, last_seq=last)
            following: list[dict[str, Any]] = []
            if again["replay"] == "events":
                for _ in range(again["last_seq"] - last):
                    following.append(await phone.recv())
            else:
                following.append(await phone.recv())
            return again, following

    again, missed = asyncio.run(come_back(last_seq))
    assert again["participant"]["id"] == welcome["participant"]["id"]
    assert again["participant"]["card"] == welcome["participant"]["card"]
    assert "resume_token" not in again
    assert again["replay"] == "events"
    assert [m["event"] for m in missed] == ["activity.created", "activity.created"]
    assert [m["seq"] for m in missed] == [last_seq + 1, last_seq + 2]
    assert Participant.objects.filter(workshop=workshop).count() == 1

    # More missed than the replay window (3 here): a snapshot instead.
    for n in range(3):
        make_activity("poll", title=f"Question {n}")
    far, following = asyncio.run(come_back(last_seq))
    assert far["replay"] == "snapshot"
    assert following[0]["type"] == "snapshot"
    assert following[0]["seq"] == far["last_seq"]
    assert len(following[0]["activities"]) == 5


def test_bad_resume_token_unknown_workshop_and_foreign_origin(
    server: str, room: Room, workshop: Workshop
) -> None:
    async def close_code(workshop_id: int, join: dict[str, Any] | None) -> int | None:
        async with LiveClient(server, workshop_id) as client:
            if join is not None:
                await client.send({"type": "join", **join})
            with pytest.raises(websockets.ConnectionClosed):
                await client.recv()
            return int(client.socket.close_code or 0)

    assert asyncio.run(close_code(workshop.pk, {"resume_token": "x" * 43})) == 4401
    assert asyncio.run(close_code(workshop.pk + 1000, None)) == 4404
    assert asyncio.run(close_code(workshop.pk, {"last_seq": -1})) == 4400
    # No join at all: closed after WORKSHOP_JOIN_TIMEOUT_SECONDS.
    assert asyncio.run(close_code(workshop.pk, None)) == 4401

    async def foreign() -> None:
        async with LiveClient(server, workshop.pk, origin="https://evil.example"):
            pass

    with pytest.raises(websockets.InvalidStatus):
        asyncio.run(foreign())


def test_dead_clients_are_closed_by_the_heartbeat(
    fast_heartbeat_server: str, room: Room, workshop: Workshop
) -> None:
    server = fast_heartbeat_server
    token = facilitator_token(room)

    async def scenario() -> tuple[int, dict[str, Any]]:
        async with (
            LiveClient(server, workshop.pk) as presenter,
            LiveClient(server, workshop.pk) as silent,
        ):
            await presenter.join(token=token)
            await silent.join()
            await presenter.until(lambda m: m["type"] == "presence" and m["participants"] == 1)
            # The silent phone never answers `ping`: closed after two intervals, while the
            # presenter, who answers, stays.
            return await asyncio.gather(
                silent.closed(),
                presenter.until(lambda m: m["type"] == "presence" and m["participants"] == 0),
            )

    code, gone = asyncio.run(scenario())
    assert code == 4408
    assert gone["facilitators"] == 1


def test_the_server_enforces_the_timer(
    server: str, room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    poll = make_activity("poll", duration_seconds=1)
    choice = poll.choices.first()
    assert choice is not None
    token = facilitator_token(room)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with (
            LiveClient(server, workshop.pk) as presenter,
            LiveClient(server, workshop.pk) as phone,
        ):
            await presenter.join(token=token)
            await phone.join()
            await presenter.command({"type": "activity.start", "activity": poll.pk})
            stopped = await phone.until(is_event("activity.stopped"), timeout=5)
            late = await phone.command(
                {"type": "poll.answer", "activity": poll.pk, "choices": [choice.pk]}
            )
            return stopped, late

    stopped, late = asyncio.run(scenario())
    assert stopped["data"]["reason"] == "timer"
    assert (late["type"], late["code"]) == ("error", "activity_closed")


def test_a_burst_of_ballots_is_coalesced_into_few_full_results(
    server: str, room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    vote = make_activity("vote")
    items = [p.pk for p in room.proposals]
    token = facilitator_token(room)
    phones = 30

    async def scenario() -> list[dict[str, Any]]:
        async with LiveClient(server, workshop.pk) as presenter:
            await presenter.join(token=token)
            await presenter.command({"type": "activity.start", "activity": vote.pk})
            clients = [LiveClient(server, workshop.pk) for _ in range(phones)]
            try:
                for client in clients:
                    await client.__aenter__()
                    await client.join()
                await asyncio.sleep(0.3)
                before = len(presenter.received)
                acks = await asyncio.gather(
                    *(
                        client.command(
                            {
                                "type": "ballot.submit",
                                "activity": vote.pk,
                                "choices": {str(items[n % 3]): 1},
                            }
                        )
                        for n, client in enumerate(clients)
                    )
                )
                assert all(ack["type"] == "ack" for ack in acks), acks
                await presenter.until(lambda m: m["type"] == "results" and m["answered"] == phones)
                await asyncio.sleep(0.5)
                while True:
                    try:
                        await presenter.recv(timeout=0.3)
                    except TimeoutError:
                        break
                return [
                    m
                    for m in presenter.received[before:]
                    if m["type"] == "results" and m["activity"] == vote.pk
                ]
            finally:
                for client in clients:
                    if client.ws is not None:
                        await client.__aexit__()

    pushed = asyncio.run(scenario())
    assert 1 <= len(pushed) <= phones // 3, len(pushed)
    last = pushed[-1]
    assert last["answered"] == phones
    counts = {entry["item"]: entry["count"] for entry in last["results"]["entries"]}
    assert counts == dict.fromkeys(items, phones // 3)


def test_rest_changes_reach_the_sockets(server: str, room: Room, workshop: Workshop) -> None:
    token = facilitator_token(room)

    async def scenario() -> tuple[int, dict[str, Any]]:
        async with LiveClient(server, workshop.pk) as phone:
            await phone.join()
            async with httpx.AsyncClient(base_url=server, timeout=60) as http:
                created = await http.post(
                    f"/api/v1/workshops/{workshop.pk}/activities/",
                    json={"kind": "idea_capture", "title": "Vos idées"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            event = await phone.until(is_event("activity.created"))
            return created.status_code, event

    status, event = asyncio.run(scenario())
    assert status == 201
    assert event["data"]["activity"]["kind"] == "idea_capture"


def test_participant_is_refused_once_the_workshop_is_closed(
    server: str, room: Room, workshop: Workshop
) -> None:
    from backend.workshops.services import workshop_close

    workshop_close(by=room.facilitator, workshop=workshop)

    async def scenario() -> int:
        async with LiveClient(server, workshop.pk) as phone:
            await phone.send({"type": "join"})
            with pytest.raises(websockets.ConnectionClosed):
                await phone.recv()
            return int(phone.socket.close_code or 0)

    assert asyncio.run(scenario()) == 4409


def test_ideas_over_the_socket_with_a_session_cookie(
    server: str,
    room: Room,
    workshop: Workshop,
    make_activity: Callable[..., Activity],
    settings: Settings,
) -> None:
    from django.test import Client

    from backend.proposals.services import participant_card_create

    capture = make_activity("idea_capture", title="Vos difficultés avec les démarches")
    card = participant_card_create(
        by=room.facilitator,
        consultation=room.consultation,
        label="Mme L.",
        consent_given=True,
        consent_note="oral",
    )
    # A browser session of the facilitator, signed with the server's key.
    settings.SECRET_KEY = SERVER_SECRET_KEY
    browser = Client()
    browser.force_login(room.facilitator)
    cookie = {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}

    async def scenario() -> dict[str, Any]:
        async with (
            LiveClient(server, workshop.pk, headers=cookie) as presenter,
            LiveClient(server, workshop.pk) as phone,
        ):
            assert (await presenter.join())["role"] == "facilitator"
            await phone.join(display_name="Nadia")
            await presenter.command({"type": "activity.start", "activity": capture.pk})
            posted = await phone.command(
                {
                    "type": "idea.submit",
                    "activity": capture.pk,
                    "kind": "problem",
                    "text": "pas d'ordi pour la caf",
                }
            )
            idea = posted["data"]["idea"]
            assert (idea["status"], idea["author_name"]) == ("pending", "Nadia")
            queued = await presenter.until(is_event("idea.submitted"))
            assert queued["data"]["idea"]["id"] == idea["id"]
            # For someone without a phone, on their card.
            paper = await presenter.command(
                {
                    "type": "idea.submit",
                    "activity": capture.pk,
                    "kind": "problem",
                    "text": "Mme L. ne sait pas scanner ses papiers",
                    "card": card.pk,
                }
            )
            assert paper["data"]["idea"]["author_name"] == "Mme L."
            card_refused = await phone.command(
                {
                    "type": "idea.submit",
                    "activity": capture.pk,
                    "kind": "problem",
                    "text": "je parle pour Mme L.",
                    "card": card.pk,
                }
            )
            assert card_refused["code"] == "permission_denied"
            approved = await presenter.command(
                {
                    "type": "idea.moderate",
                    "idea": idea["id"],
                    "decision": "approve",
                    "text": "Pas d'ordinateur pour les démarches CAF",
                }
            )
            assert approved["type"] == "ack"
            seen = await phone.until(is_event("idea.approved"))
            # The queue is the facilitators': the phone saw no idea.submitted.
            assert not any(
                m["type"] == "event" and m["event"] == "idea.submitted" for m in phone.received
            )
            return seen

    seen = asyncio.run(scenario())
    contribution = seen["data"]["idea"]["contribution"]
    assert contribution is not None
    from backend.proposals.models import Contribution

    created = Contribution.objects.get(pk=contribution)
    assert (created.origin, created.kind, created.body) == (
        "workshop",
        "problem",
        "Pas d'ordinateur pour les démarches CAF",
    )
