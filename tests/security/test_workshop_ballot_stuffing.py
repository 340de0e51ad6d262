"""Finding 1: anonymous ballot stuffing in workshop votes. 50 anonymous joins gave 50 ballots;
now the join code is not public, each workshop has a participation rule (accounts only / one
card per device / open), joins and answers are rate-limited per connection and address,
results tell identified from anonymous answers, and a facilitator can void a card."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.votes.models import BallotLine
from backend.workshops import selectors, services
from backend.workshops.devices import device_token_new
from backend.workshops.errors import ParticipationRefused
from backend.workshops.models import Activity, Participant, Workshop
from tests.fixtures.live import AsgiServers
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient


def device_workshop(room: Room, participation: str = "device") -> Workshop:
    draft = services.workshop_create(
        by=room.facilitator,
        consultation=room.consultation,
        title="Atelier au centre social",
        participation=participation,
    )
    return services.workshop_open(by=room.facilitator, workshop=draft)


def vote_activity(room: Room, workshop: Workshop) -> Activity:
    activity = services.activity_create(
        by=room.facilitator,
        workshop=workshop,
        kind="vote",
        title="Quelles propositions soutenez-vous ?",
        vote={"method": "approval", "items": [p.pk for p in room.proposals]},
    )
    return services.activity_start(by=room.facilitator, activity=activity)


@pytest.mark.django_db
def test_the_join_code_is_shown_only_to_the_workshops_facilitators(
    room: Room, client_for: Callable[[User], APIClient]
) -> None:
    workshop = device_workshop(room)
    path = f"/api/v1/consultations/{room.consultation.pk}/workshops/"
    for client in (ContractAPIClient(), client_for(room.participant)):
        listed = client.get(path).json()["results"]
        assert [(w["join_code"], w["join_url"]) for w in listed] == [(None, None)]
        assert client.get(f"/api/v1/workshops/{workshop.pk}/").json()["join_code"] is None
    facilitator = client_for(room.facilitator)
    assert facilitator.get(path).json()["results"][0]["join_code"] == workshop.join_code
    # Who has the code (the people in the room) gets the workshop, and a device id.
    joined = ContractAPIClient().get(f"/api/v1/workshops/join/{workshop.join_code}/")
    assert joined.json()["workshop"]["join_code"] == workshop.join_code
    assert joined.json()["device_token"] == joined.cookies["npt_workshop_device"].value


@pytest.mark.django_db
def test_one_card_per_device_and_accounts_only(room: Room) -> None:
    workshop = device_workshop(room)
    with pytest.raises(ParticipationRefused):
        services.participant_join(workshop=workshop, user=None)
    with pytest.raises(ParticipationRefused):
        services.participant_join(workshop=workshop, user=None, device_token="forged:token")
    device = device_token_new()
    first, token = services.participant_join(workshop=workshop, user=None, device_token=device)
    again, fresh = services.participant_join(workshop=workshop, user=None, device_token=device)
    assert again.pk == first.pk
    assert token
    assert fresh not in (None, token)
    assert Participant.objects.filter(workshop=workshop).count() == 1

    members_only = device_workshop(room, participation="accounts")
    with pytest.raises(ParticipationRefused):
        services.participant_join(workshop=members_only, user=None, device_token=device)
    member, _ = services.participant_join(workshop=members_only, user=room.participant)
    assert member.user_id == room.participant.pk


@pytest.mark.django_db
def test_results_count_anonymous_cards_and_a_facilitator_voids_one(room: Room) -> None:
    workshop = device_workshop(room, participation="open")
    activity = vote_activity(room, workshop)
    item = room.proposals[0].pk
    account, _ = services.participant_join(workshop=workshop, user=room.participant)
    joins = [services.participant_join(workshop=workshop, user=None) for _ in range(5)]
    stuffed = [participant for participant, _token in joins]
    for who in [account, *stuffed]:
        services.workshop_ballot_submit(activity=activity, participant=who, choices={item: 1})
    results = selectors.activity_results(
        activity=selectors.activity_get(workshop=workshop, activity_id=activity.pk)
    )
    assert results["answered"] == 6
    assert results["participation"] == {"policy": "open", "identified": 1, "anonymous": 5}

    for card in stuffed[1:]:
        services.participant_void(by=room.facilitator, workshop=workshop, participant_id=card.pk)
    results = selectors.activity_results(
        activity=selectors.activity_get(workshop=workshop, activity_id=activity.pk)
    )
    assert results["participation"] == {"policy": "open", "identified": 1, "anonymous": 1}
    assert results["results"]["voter_count"] == 2
    assert BallotLine.objects.filter(vote=activity.vote).count() == 2
    with pytest.raises(ParticipationRefused):
        services.workshop_ballot_submit(activity=activity, participant=stuffed[1], choices={})
    with pytest.raises(ParticipationRefused):
        services.participant_join(workshop=workshop, user=None, resume_token=joins[1][1])


@pytest.mark.django_db
def test_voiding_is_for_facilitators_over_rest(
    room: Room, client_for: Callable[[User], APIClient]
) -> None:
    workshop = device_workshop(room, participation="open")
    card, _ = services.participant_join(workshop=workshop, user=None)
    path = f"/api/v1/workshops/{workshop.pk}/participants/"
    refused = client_for(room.participant).post(f"{path}{card.pk}/void/")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    listed = client_for(room.facilitator).get(path).json()["results"]
    assert [(p["id"], p["anonymous"], p["voided_at"]) for p in listed] == [(card.pk, True, None)]
    voided = client_for(room.facilitator).post(f"{path}{card.pk}/void/")
    assert voided.status_code == 200
    assert voided.json()["voided_at"]


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    return asgi_server(
        WORKSHOP_HEARTBEAT_SECONDS="30",
        WORKSHOP_JOIN_BURST="8",
        WORKSHOP_JOIN_RATE="1",
        WORKSHOP_ANSWER_BURST="3",
        WORKSHOP_ANSWER_RATE="1",
    )


def test_over_the_socket_joins_need_a_device_and_are_rate_limited(server: str, room: Room) -> None:
    workshop = device_workshop(room)
    activity = vote_activity(room, workshop)

    def server_device() -> str:
        """A device id signed by the server (its SECRET_KEY is not the tests')."""
        joined = httpx.get(f"{server}/api/v1/workshops/join/{workshop.join_code}/", timeout=60)
        return str(joined.json()["device_token"])

    device = server_device()
    others = [server_device() for _ in range(20)]

    async def join_outcome(**join: Any) -> int:
        """0 when welcomed, else the close code."""
        async with LiveClient(server, workshop.pk) as phone:
            await phone.send({"type": "join", **join})
            try:
                while (await phone.recv())["type"] != "welcome":
                    pass
            except websockets.ConnectionClosed:
                return int(phone.socket.close_code or 0)
            return 0

    async def scenario() -> tuple[int, list[str], list[int]]:
        refused = await join_outcome()
        async with LiveClient(server, workshop.pk) as phone:
            welcome = await phone.join(device_token=device)
            assert welcome["participant"]["signed_in"] is False
            codes = []
            for _ in range(6):
                answer = await phone.command(
                    {
                        "type": "ballot.submit",
                        "activity": activity.pk,
                        "choices": {str(room.proposals[0].pk): 1},
                    }
                )
                codes.append(answer.get("code", answer["type"]))
        # All at once, as a script would: the address's burst (8) lets some in, no more.
        flood = list(await asyncio.gather(*(join_outcome(device_token=o) for o in others)))
        return refused, codes, flood

    refused, codes, flood = asyncio.run(scenario())
    assert refused == 4403  # no device id in a one-card-per-device workshop
    assert codes[:3] == ["ack"] * 3
    assert "throttled" in codes[3:]
    assert set(flood) == {0, 4429}
    # One card per device let in; the joins refused made none.
    assert Participant.objects.filter(workshop=workshop).count() == 1 + flood.count(0) < 21
