"""PostgreSQL restarted under traffic, on real processes: a PostgreSQL of the test's own
(pgserver in a temporary folder; the machine's server is never touched) and a uvicorn worker on
it. While the database is down every request gets a clear 503 `service_unavailable` with
Retry-After (never a 500 page); once it is back, the same worker answers again without a
restart; every write acknowledged (201) is in the database, none of those refused is."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.fixtures.live import ROOT, UvicornProcess, server_environment
from tests.fixtures.throwaway import PostgresServer

pytestmark = pytest.mark.faults

DATABASE = "npt_fault"
POOL_TIMEOUT_SECONDS = 2
OUTAGE_SECONDS = 8
# The pool reconnects with a backoff; a loaded 2-core machine starts PostgreSQL slowly.
RECOVERY_SECONDS = 90


@pytest.fixture
def database(own_postgres: PostgresServer) -> str:
    own_postgres.create_database(DATABASE)
    env = {**os.environ, "DATABASE_URL": own_postgres.url(DATABASE)}
    env.setdefault("SECRET_KEY", "fault-test-secret-key-0123456789abcdefghijklmnop")
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    return own_postgres.url(DATABASE)


@pytest.fixture
def server(database: str) -> Iterator[UvicornProcess]:
    process = UvicornProcess(
        server_environment(
            DATABASE_URL=database,
            DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT_SECONDS),
            AUTH_THROTTLE_RATE="100000/min",
        )
    )
    try:
        process.ready()
        yield process
    finally:
        process.stop()


def register(http: httpx.Client, email: str) -> httpx.Response:
    return http.post(
        "/api/v1/auth/register/",
        json={
            "email": email,
            "password": "Numerique-pour-tous-2026",
            "display_name": "Awa",
            "session": False,
        },
    )


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["status"] == 503
    assert body["message"]
    assert int(response.headers["Retry-After"]) == body["details"]["retry_after_seconds"] > 0


def test_postgres_restarted_under_traffic(
    own_postgres: PostgresServer, server: UvicornProcess
) -> None:
    acknowledged: list[str] = []
    refused: list[str] = []
    statuses: list[int] = []
    with httpx.Client(base_url=server.url, timeout=60) as http:

        def write() -> httpx.Response:
            email = f"fault-{uuid.uuid4().hex[:10]}@exemple.fr"
            response = register(http, email)
            statuses.append(response.status_code)
            (acknowledged if response.status_code == 201 else refused).append(email)
            return response

        for _ in range(3):
            assert http.get("/api/v1/health/").status_code == 200
            assert write().status_code == 201

        own_postgres.stop()
        outage_ends = time.monotonic() + OUTAGE_SECONDS
        during = 0
        while time.monotonic() < outage_ends or during < 2:
            assert_unavailable(http.get("/api/v1/health/"))
            english = http.get("/api/v1/health/", headers={"Accept-Language": "en"})
            assert_unavailable(english)
            assert "database" in english.json()["message"]
            assert_unavailable(write())
            during += 1

        own_postgres.start()
        restarted = time.monotonic()
        deadline = restarted + RECOVERY_SECONDS
        while True:
            health = http.get("/api/v1/health/")
            if health.status_code == 200:
                break
            assert_unavailable(health)
            assert time.monotonic() < deadline, "the pool did not recover"
            time.sleep(0.5)
        recovered_after = time.monotonic() - restarted
        for _ in range(3):
            assert write().status_code == 201

    assert server.process.poll() is None, "the web process must not have been restarted"
    assert server.attempts == 1
    assert 500 not in statuses
    with psycopg.connect(own_postgres.url(DATABASE).replace("postgres://", "postgresql://")) as db:
        emails = {row[0] for row in db.execute("SELECT email FROM accounts_user")}
    assert set(acknowledged) <= emails
    assert not set(refused) & emails
    assert len(acknowledged) == 6
    print(f"pool recovered {recovered_after:.1f} s after PostgreSQL was back")
