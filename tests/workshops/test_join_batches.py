"""Phones joining a room together: the hub writes the joins that arrive at the same moment in
one transaction (`hub.Batcher`, `services.participants_join_new`). Real uvicorn, real sockets;
the batch itself over real PostgreSQL."""

import asyncio
from typing import Any

import pytest

from backend.proposals.models import ParticipantCard
from backend.workshops.errors import ParticipationRefused
from backend.workshops.hub import Batcher
from backend.workshops.models import Participant, Workshop
from backend.workshops.services import participants_join_new
from tests.fixtures.live import AsgiServers
from tests.workshops.conftest import Room
from tests.workshops.live import LiveClient

PHONES = 24


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    return asgi_server(WORKSHOP_HEARTBEAT_SECONDS="30")


def test_a_room_joining_at_once_gets_one_card_and_token_each(
    server: str, room: Room, workshop: Workshop
) -> None:
    # Every other phone gives no name: its card is numbered.
    names = [f"Téléphone {n}" if n % 2 else "" for n in range(PHONES)]

    async def join_all() -> list[tuple[dict[str, Any], dict[str, Any]]]:
        async def one(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
            async with LiveClient(server, workshop.pk) as phone:
                welcome = await phone.join(display_name=name)
                snapshot = await phone.until(lambda m: m["type"] == "snapshot")
                return welcome, snapshot

        return await asyncio.gather(*(one(name) for name in names))

    joined = asyncio.run(join_all())
    welcomes = [welcome for welcome, _snapshot in joined]
    assert {w["role"] for w in welcomes} == {"participant"}
    assert len({w["participant"]["id"] for w in welcomes}) == PHONES
    assert len({w["participant"]["card"] for w in welcomes}) == PHONES
    assert len({w["resume_token"] for w in welcomes}) == PHONES
    for welcome, snapshot in joined:
        assert snapshot["seq"] == welcome["last_seq"] == workshop.last_seq
        assert snapshot["my_answer"] is None
    cards = ParticipantCard.objects.filter(
        pk__in=[w["participant"]["card"] for w in welcomes]
    ).order_by("pk")
    labels = [card.label for card in cards]
    assert sorted(label for label in labels if label.startswith("Téléphone")) == sorted(
        name for name in names if name
    )
    numbered = [label for label in labels if label.startswith("Participant·e ")]
    assert len(numbered) == len(set(numbered)) == PHONES // 2
    assert all(
        card.consent_given and card.consultation_id == room.consultation.pk for card in cards
    )
    assert Participant.objects.filter(workshop=workshop).count() == PHONES

    # Each resume token gives its own phone back (tokens and participants were not mixed up
    # inside a batch).
    async def come_back(token: str) -> dict[str, Any]:
        async with LiveClient(server, workshop.pk) as phone:
            return await phone.join(resume_token=token)

    for welcome in welcomes:
        again = asyncio.run(come_back(welcome["resume_token"]))
        assert again["participant"] == welcome["participant"]
    assert Participant.objects.filter(workshop=workshop).count() == PHONES


def test_a_room_joining_at_once_is_refused_together(server: str, workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(participation="accounts")

    async def refused() -> list[int]:
        async def one(n: int) -> int:
            async with LiveClient(server, workshop.pk) as phone:
                await phone.send({"type": "join", "display_name": f"Téléphone {n}"})
                return await phone.closed()

        return await asyncio.gather(*(one(n) for n in range(8)))

    assert asyncio.run(refused()) == [4403] * 8
    assert not Participant.objects.filter(workshop=workshop).exists()


@pytest.mark.django_db
def test_participants_join_new_follows_the_participation_rules(workshop: Workshop) -> None:
    joined = participants_join_new(workshop=workshop, display_names=["  Amina  ", ""])
    assert [participant.display_name for participant, _token in joined] == ["Amina", ""]
    labels = [participant.card.label if participant.card else "" for participant, _t in joined]
    assert labels[0] == "Amina"
    assert labels[1].startswith("Participant·e ")
    for mode in ("accounts", "device"):
        workshop.participation = mode
        with pytest.raises(ParticipationRefused):
            participants_join_new(workshop=workshop, display_names=["Léa"])
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_the_batcher_groups_calls_that_arrive_while_a_batch_runs() -> None:
    batches: list[list[int]] = []

    async def run(items: list[int]) -> list[int]:
        batches.append(items)
        await asyncio.sleep(0)
        if 13 in items:
            raise ValueError("refused")
        return [item * 10 for item in items]

    async def scenario() -> tuple[list[Any], list[Any]]:
        batcher: Batcher[int, int] = Batcher(run, limit=4)
        first = await asyncio.gather(*(batcher.submit(n) for n in range(10)))
        second = await asyncio.gather(
            *(batcher.submit(n) for n in (11, 12, 13)), return_exceptions=True
        )
        return first, second

    first, second = asyncio.run(scenario())
    assert first == [n * 10 for n in range(10)]
    # The calls that queued while none ran go together, at most 4 at once, in order.
    assert batches[:3] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[3:] == [[11, 12, 13]]
    assert [type(outcome) for outcome in second] == [ValueError] * 3
