"""The per-person notification socket, over a real uvicorn server and real websockets: a
signed-in person receives `notification.created` when an organizer decides, over HTTP on the
same server, on an action their contribution fed; nobody else's socket does."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
import yaml
from django.db.models import F
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from pytest_django import Settings
from websockets.typing import Origin

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.consultations.domain import PhaseKind
from backend.notifications.models import Notification
from tests.fixtures.live import SERVER_SECRET_KEY, AsgiServers
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of
from tests.notifications.conftest import Region

pytestmark = pytest.mark.django_db(transaction=True)

ASYNCAPI = yaml.safe_load(
    (
        Path(__file__).resolve().parents[2] / "frontend-contract" / "notifications.asyncapi.yaml"
    ).read_text()
)


@pytest.fixture
def server(asgi_server: AsgiServers) -> str:
    """uvicorn serving backend.asgi on the test database, one worker, in-memory layer."""
    return asgi_server()


async def receive(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))


def _session_cookie(user: User, settings: Settings) -> dict[str, str]:
    """A browser session of `user`, signed with the server's key."""
    settings.SECRET_KEY = SERVER_SECRET_KEY
    browser = Client()
    browser.force_login(user)
    return {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"}


def test_a_signed_in_contributor_receives_notification_created_frames(
    server: str, region: Region, people: Personas, settings: Settings
) -> None:
    action = region.actions["g_pc"]  # fed by the participant's contribution only
    participant = _session_cookie(people.participant, settings)
    outsider = _session_cookie(people.outsider, settings)
    _, token = access_token_create(user=people.organizer, name="ordinateur")
    ws_url = server.replace("http", "ws") + "/ws/v1/me/notifications/"
    # The server's clock is its own: a synthesis-phase decision needs the phase open now.
    shift = timezone.now() - middle_of(PhaseKind.SYNTHESIS)
    region.grenoble.phases.update(starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], int, bool]:
        async with (
            websockets.connect(
                ws_url, origin=Origin(server), additional_headers=participant
            ) as mine,
            websockets.connect(
                ws_url, origin=Origin(server), additional_headers=outsider
            ) as theirs,
        ):
            hello = await receive(mine)
            await receive(theirs)
            async with httpx.AsyncClient(base_url=server, timeout=60) as http:
                decided = await http.put(
                    f"/api/v1/candidate-actions/{action.pk}/decision/",
                    json={"decision": "not_retained", "public_answer": "Hors du champ du plan."},
                    headers={"Authorization": f"Bearer {token}"},
                )
            frame = await receive(mine)
            await theirs.send(json.dumps({"type": "ping"}))
            # The outsider's socket gets the pong, nothing about someone else's news.
            quiet = (await receive(theirs)) == {"type": "pong"}
            return hello, frame, decided.status_code, quiet

    # Outside a test transaction the fixture's own writes were committed: the participant
    # was already told that their contributions were taken up in candidate actions.
    before = Notification.objects.filter(recipient=people.participant).count()
    assert before == 3
    hello, frame, status, quiet = asyncio.run(scenario())
    assert status == 200, status
    assert hello == {"type": "hello", "unread_count": before}
    assert (frame["type"], frame["event"]) == ("event", "notification.created")
    notification = Notification.objects.get(
        recipient=people.participant, kind="candidate_action_decided"
    )
    assert frame["data"]["unread_count"] == before + 1
    sent = frame["data"]["notification"]
    assert (sent["id"], sent["kind"], sent["action_id"]) == (
        notification.pk,
        "candidate_action_decided",
        action.pk,
    )
    assert sent["answer"] == "Hors du champ du plan."
    assert "non retenue" in sent["message"]
    assert quiet
    # The frames are the ones the AsyncAPI document describes.
    messages = ASYNCAPI["components"]["messages"]
    Draft202012Validator(messages["hello"]["payload"]).validate(hello)
    Draft202012Validator(messages["notificationCreated"]["payload"]).validate(frame)


def test_anonymous_sockets_are_closed_with_4401(server: str) -> None:
    async def scenario() -> int | None:
        async with websockets.connect(
            server.replace("http", "ws") + "/ws/v1/me/notifications/", origin=Origin(server)
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), timeout=20)
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(scenario()) == 4401
