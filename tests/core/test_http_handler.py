"""The ASGI handler that runs a request's middlewares and view on one pool thread, over a real
uvicorn server: more concurrent requests than threads all get their answer, errors keep the
API's shape and language, and a ballot cast over HTTP reaches a live screen (the event is sent
on the server's loop)."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Origin

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.votes.models import BallotLine, Vote
from tests.fixtures.live import AsgiServers

# Fewer threads than concurrent requests: the others wait for a thread, none is refused.
THREADS = 2
VOTERS = 12


@pytest.fixture
def open_vote(make_open_vote: Callable[..., tuple[Vote, list[int]]]) -> Vote:
    """A vote over three proposals whose phase is open now (the server runs on the real clock)."""
    return make_open_vote("approval", items=3)[0]


def test_concurrent_ballots_beyond_the_threads_all_land(
    asgi_server: AsgiServers, open_vote: Vote, make_user: Callable[..., User]
) -> None:
    base = asgi_server(REQUEST_THREADS=str(THREADS))
    items = list(open_vote.items.values_list("pk", flat=True))
    tokens = [access_token_create(user=make_user(), name="téléphone")[1] for _ in range(VOTERS)]
    ws_url = base.replace("http", "ws") + f"/ws/v1/consultations/{open_vote.consultation_id}/"

    async def scenario() -> tuple[list[httpx.Response], set[int]]:
        async with websockets.connect(ws_url, origin=Origin(base)) as screen:
            await asyncio.wait_for(screen.recv(), timeout=30)  # hello
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                responses = await asyncio.gather(
                    *(
                        http.put(
                            f"/api/v1/votes/{open_vote.pk}/my-ballot/",
                            json={"choices": {str(items[index % 3]): 1}},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                        for index, token in enumerate(tokens)
                    )
                )
            # Every cast is announced to the live screens (coalesced or not: at least one).
            seen: set[int] = set()
            while not seen:
                event = json.loads(await asyncio.wait_for(screen.recv(), timeout=30))
                if event.get("type") == "event" and event["event"] == "ballot.cast":
                    seen.add(event["data"]["vote"])
            return responses, seen

    responses, announced = asyncio.run(scenario())
    assert [response.status_code for response in responses] == [200] * VOTERS
    assert responses[0].json()["choices"] == {str(items[0]): 1}
    assert announced == {open_vote.pk}
    assert BallotLine.objects.filter(vote=open_vote).count() == VOTERS


def test_errors_keep_the_api_shape_and_the_callers_language(
    asgi_server: AsgiServers, open_vote: Vote, make_user: Callable[..., User]
) -> None:
    base = asgi_server(REQUEST_THREADS=str(THREADS))
    _, token = access_token_create(user=make_user(), name="téléphone")
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/votes/{open_vote.pk}/my-ballot/"
    with httpx.Client(base_url=base, timeout=60) as http:
        french = http.put(path, json={"choices": {"douze": 1}}, headers=headers)
        english = http.put(
            path, json={"choices": "12"}, headers={**headers, "Accept-Language": "en"}
        )
        anonymous = http.put(path, json={"choices": {}})
        missing = http.get("/api/v1/votes/999999999/", headers={"Accept-Language": "en"})
    assert french.status_code == 400
    body: dict[str, Any] = french.json()
    assert body["code"] == "validation_error"
    assert "choices" in body["fields"]
    assert french.headers["Content-Language"] == "fr"
    assert english.status_code == 400
    assert english.headers["Content-Language"] == "en"
    assert anonymous.status_code == 401
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    # The middlewares ran on the request's thread: the security headers are all there.
    for response in (french, english, anonymous, missing):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers
    assert not BallotLine.objects.filter(vote=open_vote).exists()
