"""`ballot.cast` is sent after commit without the request waiting for it (group_send_soon):
over a real uvicorn server the consultation's followers still receive it; on Django's test
client, commands and workers it is sent before the call returns, as every other event."""

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from pytest_django import Settings
from websockets.typing import Origin

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.core import realtime
from backend.votes.models import Vote
from tests.fixtures.live import AsgiServers

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def receive(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), timeout=30)))


def test_a_ballot_cast_over_http_reaches_the_followers(
    asgi_server: AsgiServers,
    make_user: Callable[..., User],
    make_open_vote: Callable[..., tuple[Vote, list[int]]],
) -> None:
    voter = make_user()
    vote, items = make_open_vote("approval", items=2)
    consultation = vote.consultation
    _, token = access_token_create(user=voter, name="téléphone")
    base = asgi_server()
    ws_url = base.replace("http", "ws") + f"/ws/v1/consultations/{consultation.pk}/"

    async def scenario() -> tuple[httpx.Response, dict[str, Any]]:
        async with websockets.connect(ws_url, origin=Origin(base)) as ws:
            await receive(ws)
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                response = await http.put(
                    f"/api/v1/votes/{vote.pk}/my-ballot/",
                    json={"choices": {str(items[1]): 1}},
                    headers={"Authorization": f"Bearer {token}"},
                )
            while (message := await receive(ws)).get("event") != "ballot.cast":
                pass
            return response, message

    response, message = asyncio.run(scenario())
    assert response.status_code == 200, response.text
    assert response.json()["choices"] == {str(items[1]): 1}
    assert message["data"] == {"vote": vote.pk, "consultation": consultation.pk}


@pytest.fixture
def in_memory_layer(settings: Settings) -> None:
    settings.CHANNEL_LAYERS = IN_MEMORY
    channel_layers.backends.pop("default", None)


async def _listening(group: str) -> tuple[Any, str]:
    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return layer, channel


@pytest.mark.usefixtures("in_memory_layer")
async def test_on_a_serving_thread_the_send_goes_out_on_the_servers_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer, channel = await _listening("consultation.1")
    loop = asyncio.get_running_loop()
    on_loop: list[bool] = []
    original = realtime._start_send

    def start_send(group: str, message: dict[str, Any]) -> None:
        on_loop.append(asyncio.get_running_loop() is loop)
        original(group, message)

    monkeypatch.setattr(realtime, "_start_send", start_send)

    def view() -> None:
        with realtime.serving_loop(loop):
            realtime.group_send_soon("consultation.1", {"type": "realtime.event", "n": 1})

    await sync_to_async(view, thread_sensitive=False)()
    message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    assert message == {"type": "realtime.event", "n": 1}
    assert on_loop == [True]


@pytest.mark.usefixtures("in_memory_layer")
async def test_without_a_serving_loop_the_send_is_done_on_return() -> None:
    layer, channel = await _listening("consultation.2")

    def command() -> None:
        realtime.group_send_soon("consultation.2", {"type": "realtime.event", "n": 2})

    # A pool thread of a loop that did not declare itself the server's: sent before return.
    await sync_to_async(command, thread_sensitive=False)()
    assert layer.channels[channel].qsize() == 1
    assert await layer.receive(channel) == {"type": "realtime.event", "n": 2}


class BrokenLayer:
    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        raise RuntimeError("layer down")


async def test_a_failed_send_on_the_servers_loop_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(realtime, "get_channel_layer", BrokenLayer)
    loop = asyncio.get_running_loop()

    def view() -> None:
        with realtime.serving_loop(loop):
            realtime.group_send_soon("consultation.3", {"type": "realtime.event"})

    with caplog.at_level(logging.ERROR, logger="backend.core.realtime"):
        await sync_to_async(view, thread_sensitive=False)()
        for _ in range(50):
            if not realtime._SENDING:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)
    assert not realtime._SENDING
    assert [record.message for record in caplog.records] == ["channel layer send failed"]
