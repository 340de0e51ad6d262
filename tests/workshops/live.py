"""Real uvicorn servers on the test database, and websocket clients that check every message
they receive against frontend-contract/live/schemas."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from django.db import connection
from websockets.typing import Origin

from backend.workshops.protocol import SERVER_TYPES, validator

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 10
SERVER_SECRET_KEY = "websocket-test-secret-key-0123456789abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    db = connection.settings_dict
    if not db["HOST"] or str(db["HOST"]).startswith("/"):
        return f"postgres://{db['USER']}@/{db['NAME']}?host={db['HOST']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def uvicorn_server(**extra_env: str) -> Iterator[str]:
    """One uvicorn process serving backend.asgi; REDIS_URL only if given in `extra_env`."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DATABASE_URL=database_url(),
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SECRET_KEY=SERVER_SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
    )
    env.update(extra_env)
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "backend.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine starts Django slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v1/health/").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


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
        self.ws: Any = None
        self.received: list[dict[str, Any]] = []
        self.checked = 0

    async def __aenter__(self) -> "LiveClient":
        self.ws = await websockets.connect(
            self.url, origin=Origin(self.origin), additional_headers=self.headers
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        message = dict(json.loads(await asyncio.wait_for(self.ws.recv(), timeout=timeout)))
        check_message(message)
        self.checked += 1
        self.received.append(message)
        return message

    async def until(
        self, predicate: Any, timeout: float = TIMEOUT, skip_pings: bool = True
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
            return int(self.ws.close_code)

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == "event"]
