"""The programme websocket, over a real uvicorn server and real sockets."""

import asyncio
import json
from datetime import date
from typing import Any

import httpx
import pytest
import websockets
from django.contrib.auth.models import Permission

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.programmes.services import programme_create, programme_publish, programme_set_stage
from backend.territories.services import territory_create
from tests.consultations.test_consumers import live_server_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def receive(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))


def test_followers_receive_regional_action_events_after_commit(
    live_server_url: str,  # noqa: F811
    make_user: Any,
) -> None:
    organizer = make_user()
    organizer.user_permissions.add(Permission.objects.get(codename="add_programme"))
    organizer = User.objects.get(pk=organizer.pk)
    region = territory_create(kind="region", name="Auvergne-Rhône-Alpes", insee_code="84")
    programme = programme_create(
        by=organizer, title="Le numérique pour tous", territory=region, deadline=date(2026, 9, 30)
    )
    programme_publish(by=organizer, programme=programme)
    programme_set_stage(by=organizer, programme=programme, stage="consolidation")
    _, token = access_token_create(user=organizer, name="ordinateur")
    ws_url = live_server_url.replace("http", "ws") + f"/ws/v1/programmes/{programme.pk}/"

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], int]:
        async with websockets.connect(ws_url, origin=live_server_url) as ws:
            hello = await receive(ws)
            async with httpx.AsyncClient(base_url=live_server_url, timeout=60) as http:
                created = await http.post(
                    f"/api/v1/programmes/{programme.pk}/regional-actions/",
                    json={"title": "Un réseau régional de permanences"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            event = await receive(ws)
            return hello, event, created.status_code

    hello, event, status = asyncio.run(scenario())
    assert status == 201
    assert hello == {"type": "hello", "programme": programme.pk}
    assert event["event"] == "regional_action.created"
    assert event["data"]["programme"] == programme.pk
    assert event["data"]["decision"] == "pending"
