"""The consultation activity websocket, over a real uvicorn server and real sockets."""

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import websockets
from django.utils import timezone
from websockets.typing import Origin

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.consultations.domain import PhaseSpec
from backend.consultations.models import Consultation
from backend.consultations.services import consultation_create, consultation_publish
from backend.territories.services import territory_create
from tests.fixtures.live import AsgiServers


@pytest.fixture
def live_server_url(asgi_server: AsgiServers) -> str:
    """uvicorn serving backend.asgi on the test database, one worker, in-memory layer."""
    return asgi_server()


@pytest.fixture
def open_consultation(make_user: Callable[..., User]) -> tuple[Consultation, User]:
    organizer = make_user(is_staff=True)
    grenoble = territory_create(kind="commune", name="Grenoble", insee_code="38185")
    now = timezone.now()
    consultation = consultation_create(
        by=organizer,
        title="Le numérique pour tous à Grenoble",
        territory=grenoble,
        phases=[
            PhaseSpec(
                kind="proposals", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
            )
        ],
    )
    consultation_publish(by=organizer, consultation=consultation)
    return consultation, make_user()


async def receive(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout=30)))


def test_follower_receives_a_published_proposal_after_commit(
    live_server_url: str, open_consultation: tuple[Consultation, User]
) -> None:
    consultation, participant = open_consultation
    _, token = access_token_create(user=participant, name="téléphone")
    ws_url = live_server_url.replace("http", "ws") + f"/ws/v1/consultations/{consultation.pk}/"

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], int]:
        async with websockets.connect(ws_url, origin=Origin(live_server_url)) as ws:
            hello = await receive(ws)
            async with httpx.AsyncClient(base_url=live_server_url, timeout=60) as http:
                created = await http.post(
                    f"/api/v1/consultations/{consultation.pk}/contributions/",
                    json={
                        "kind": "proposal",
                        "title": "Un guichet pour aider aux démarches en ligne",
                        "body": "Une permanence chaque semaine à la maison des habitants.",
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )
            event = await receive(ws)
            await ws.send("not json")
            error = await receive(ws)
            return hello, event, error, created.status_code

    hello, event, error, status = asyncio.run(scenario())
    assert status == 201
    assert hello == {"type": "hello", "consultation": consultation.pk}
    assert event["type"] == "event"
    assert event["event"] == "contribution.published"
    assert event["data"]["consultation"] == consultation.pk
    assert event["data"]["kind"] == "proposal"
    assert error["type"] == "error"
    assert error["code"] == "unknown_message"


def test_draft_consultation_is_closed_with_4404_for_outsiders(
    live_server_url: str, make_user: Callable[..., User]
) -> None:
    organizer = make_user(is_staff=True)
    grenoble = territory_create(kind="commune", name="Grenoble", insee_code="38185")
    draft = consultation_create(by=organizer, title="Brouillon", territory=grenoble)
    ws_url = live_server_url.replace("http", "ws") + f"/ws/v1/consultations/{draft.pk}/"

    async def scenario() -> int | None:
        async with websockets.connect(ws_url, origin=Origin(live_server_url)) as ws:
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), timeout=10)
            return ws.close_code

    assert asyncio.run(scenario()) == 4404


def test_foreign_origin_is_refused(
    live_server_url: str, open_consultation: tuple[Consultation, User]
) -> None:
    consultation, _ = open_consultation
    ws_url = live_server_url.replace("http", "ws") + f"/ws/v1/consultations/{consultation.pk}/"

    async def scenario() -> None:
        async with websockets.connect(ws_url, origin=Origin("https://evil.example")):
            pass

    with pytest.raises(websockets.InvalidStatus):
        asyncio.run(scenario())
