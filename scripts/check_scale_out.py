"""The README's "Scaling out" section, tried as written: migrate, collectstatic, then one
`uvicorn --workers 2 --proxy-headers --forwarded-allow-ips 127.0.0.1` on Redis, reached as the
documented nginx would reach it (Host, X-Forwarded-Proto: https, X-Forwarded-For).

Needs DATABASE_URL (a fresh `<name>_scaleout` database is made next to it) and REDIS_URL (a
fresh key prefix is used). Checks, through the two workers:
- the health check and a collected static file answer; plain HTTP is redirected to HTTPS;
- the demo participant signs in for a token;
- consultation websockets kept idle for longer than two of Redis' 5 s blocking pops are still
  open and every one receives a proposal posted meanwhile (the workers share events through
  Redis); the sockets land on either worker, so at least one event crosses workers unless all
  of them and the post hit the same one (1 chance in 2^(SOCKETS + 1)).
Prints what it checked; exits non-zero on the first failure. Run by .ci/run.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import websockets

ROOT = Path(__file__).resolve().parents[1]
HOST = "participer.example.org"
PROXY = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
DEMO_PARTICIPANT = "participant@demo.numerique-pour-tous.fr"
DEMO_PASSWORD = "demo-numerique-2026"  # noqa: S105 (the documented demo password)
SOCKETS = 8
IDLE_SECONDS = 12


def fresh_database(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_scaleout"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(*args: str, env: dict[str, str]) -> None:
    print(f"$ python manage.py {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def check(label: str, ok: bool, detail: Any = "") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {label} {detail}", flush=True)
    if not ok:
        raise SystemExit(f"scale-out check failed: {label}")


async def scenario(base: str, consultation: int, token: str) -> None:
    # The URL names the public host (Host header, as nginx forwards it); the TCP connection
    # goes to uvicorn on 127.0.0.1.
    port = int(base.rsplit(":", 1)[1])
    ws_url = f"ws://{HOST}:{port}/ws/v1/consultations/{consultation}/"
    origin = f"https://{HOST}"
    sockets = []
    for _ in range(SOCKETS):
        ws = await websockets.connect(
            ws_url,
            origin=websockets.typing.Origin(origin),
            additional_headers={"X-Forwarded-Proto": "https"},
            host="127.0.0.1",
            port=port,
        )
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        check("websocket hello", hello == {"type": "hello", "consultation": consultation})
        sockets.append(ws)
    try:
        await asyncio.sleep(IDLE_SECONDS)
        open_after_idle = sum(ws.state == websockets.protocol.State.OPEN for ws in sockets)
        check(
            f"{SOCKETS} websockets still open after {IDLE_SECONDS} s idle",
            open_after_idle == SOCKETS,
            open_after_idle,
        )
        async with httpx.AsyncClient(base_url=base, headers=PROXY, timeout=60) as http:
            created = await http.post(
                f"/api/v1/consultations/{consultation}/contributions/",
                json={
                    "kind": "proposal",
                    "title": f"Un point numérique dans chaque mairie annexe {uuid.uuid4().hex[:4]}",
                    "body": "Avec une permanence le samedi matin.",
                },
                headers={"Authorization": f"Bearer {token}"},
            )
        check(
            "proposal posted through the proxy headers",
            created.status_code == 201,
            created.status_code,
        )
        received = 0
        for ws in sockets:
            event = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
            received += (
                event.get("event") == "contribution.published"
                and event["data"]["id"] == created.json()["id"]
            )
        check(
            "every websocket, on either worker, got the event",
            received == SOCKETS,
            f"{received}/{SOCKETS}",
        )
    finally:
        for ws in sockets:
            await ws.close()


def main() -> int:
    database_url, redis_url = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if not database_url or not redis_url:
        raise SystemExit("DATABASE_URL and REDIS_URL must be set (PostgreSQL and Redis)")
    port = free_port()
    # The README's exports, with this machine's servers.
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database(database_url),
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": f"npt-scaleout-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "scale-out-check-secret-key-not-for-production-0123456789abcdef",
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "TRUST_X_FORWARDED_PROTO": "true",
        "EMBEDDED_POSTGRES": "false",
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    manage("load_demo", env=env)
    command = [
        sys.executable, "-m", "uvicorn", "backend.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
        "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
    ]  # fmt: skip
    print(f"$ uvicorn ... --port {port} --workers 2 --proxy-headers ...", flush=True)
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health/", headers=PROXY).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                check("uvicorn answers within 120 s", False)
            time.sleep(0.2)
        check("uvicorn --workers 2 answers the health check through the proxy headers", True)
        plain = httpx.get(f"{base}/api/v1/health/", headers={"Host": HOST})
        check(
            "plain HTTP is redirected to HTTPS",
            plain.status_code == 301,
            plain.headers.get("location"),
        )
        static = httpx.get(f"{base}/static/admin/css/base.css", headers=PROXY)
        check("a collected static file is served", static.status_code == 200, static.status_code)
        signed_in = httpx.post(
            f"{base}/api/v1/auth/tokens/",
            json={"email": DEMO_PARTICIPANT, "password": DEMO_PASSWORD, "name": "scale-out"},
            headers=PROXY,
            timeout=60,
        )
        check(
            "demo participant signs in for a token",
            signed_in.status_code == 201,
            signed_in.status_code,
        )
        token = signed_in.json()["token"]
        consultations = httpx.get(f"{base}/api/v1/consultations/", headers=PROXY, timeout=60).json()
        grenoble = next(c["id"] for c in consultations["results"] if "Grenoble" in c["title"])
        asyncio.run(scenario(base, grenoble, token))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
    print("scale-out as in the README: ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
