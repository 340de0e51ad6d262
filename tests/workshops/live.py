"""Websocket clients of a live workshop that check every message they receive against
frontend-contract/live/schemas (the servers come from tests/fixtures/live.py)."""

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

from backend.workshops.protocol import SERVER_TYPES, validator

# Generous: a loaded 2-core machine (CI, several suites at once) answers slowly; the first idea
# turned into a contribution loads the similarity model in the server (over 10 s measured).
TIMEOUT = 30


def check_message(message: dict[str, Any]) -> None:
    """Fail unless the message matches the schema of its type."""
    assert message.get("type") in SERVER_TYPES, message
    errors = [error.message for error in validator(message["type"]).iter_errors(message)]
    assert not errors, (message, errors)


class LiveClient:
    """A websocket client of one workshop; every message received is schema-checked."""

    def __init__(
        self,
        base_url: str,
        workshop_id: int,
        *,
        origin: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.url = base_url.replace("http", "ws") + f"/ws/v1/workshops/{workshop_id}/"
        self.origin = origin or base_url
        self.headers = headers or {}
        self.ws: ClientConnection | None = None
        self.received: list[dict[str, Any]] = []
        self.checked = 0

    async def __aenter__(self) -> "LiveClient":
        self.ws = await websockets.connect(
            self.url, origin=Origin(self.origin), additional_headers=self.headers
        )
        return self

    @property
    def socket(self) -> ClientConnection:
        assert self.ws is not None, "not connected"
        return self.ws

    async def __aexit__(self, *exc: object) -> None:
        await self.socket.close()

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        message = dict(json.loads(await asyncio.wait_for(self.socket.recv(), timeout=timeout)))
        check_message(message)
        self.checked += 1
        self.received.append(message)
        return message

    async def until(
        self,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = TIMEOUT,
        skip_pings: bool = True,
    ) -> dict[str, Any]:
        """The first message matching `predicate` (answering pings on the way)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching message; got {self.received[-5:]}")
            message = await self.recv(timeout=left)
            if skip_pings and message["type"] == "ping":
                await self.send({"type": "pong", "nonce": message.get("nonce", "")})
                continue
            if predicate(message):
                return message

    async def join(self, **fields: Any) -> dict[str, Any]:
        await self.send({"type": "join", **fields})
        return await self.until(lambda m: m["type"] == "welcome")

    async def command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a command with a fresh ref; its ack or error."""
        ref = f"r{time.monotonic_ns()}"
        await self.send({**message, "ref": ref})
        return await self.until(lambda m: m["type"] in ("ack", "error") and m.get("ref") == ref)

    async def closed(self, timeout: float = TIMEOUT) -> int:
        """Read until the server closes the socket (never answering pings); its close code."""
        try:
            while True:
                await self.recv(timeout=timeout)
        except websockets.ConnectionClosed:
            return int(self.socket.close_code or 0)

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == "event"]
