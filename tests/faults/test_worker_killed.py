"""A `db_worker` killed with SIGKILL mid suggestion run: the run is taken back once its lease
expires, then finished by another worker or marked failed; never "running" forever.

Real processes: two `manage.py db_worker` on the test database; the run is read over REST.
Bounded, not timed: the lease is 6 s here (renewed every 2 s), and each wait has a generous
deadline for a loaded 2-core machine; the assertions are about states, never durations.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import websockets
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings
from rest_framework.test import APIClient
from websockets.typing import Origin

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_create
from backend.suggestions import services
from backend.suggestions.models import RunStatus, SuggestionRun
from tests.fixtures.live import ROOT, server_environment, uvicorn_server
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.suggestions.conftest import CORPUS

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 6
# Enough contributions without stored embeddings that a run takes seconds (they are encoded
# by the run): the kill lands while it computes.
EXTRA_CONTRIBUTIONS = 1200
CLAIM_TIMEOUT_SECONDS = 180
FINISH_TIMEOUT_SECONDS = 300


@dataclass
class Worker:
    worker_id: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def db_workers(count: int, **extra_env: str) -> Iterator[list[Worker]]:
    """`count` real `db_worker` processes on the test database (killed at the end)."""
    env = server_environment(
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        SUGGESTION_RUN_LEASE_SECONDS=str(LEASE_SECONDS),
        **extra_env,
    )
    workers: list[Worker] = []
    with tempfile.TemporaryDirectory() as folder:
        try:
            for n in range(count):
                worker_id = f"fault-worker-{n}-{os.getpid()}"
                log = Path(folder) / f"{worker_id}.log"
                with log.open("wb") as sink:
                    process = subprocess.Popen(  # noqa: S603
                        [
                            sys.executable,
                            "manage.py",
                            "db_worker",
                            "--no-reload",
                            "--no-startup-delay",
                            "--interval",
                            "0.2",
                            "--queue-name",
                            "*",
                            "--worker-id",
                            worker_id,
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                    )
                workers.append(Worker(worker_id, process, log))
            yield workers
        finally:
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.kill()
                worker.process.wait(timeout=30)


def wait_for(what: str, check: Callable[[], Any], timeout: float, workers: list[Worker]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    logs = "\n".join(f"--- {w.worker_id}\n{w.output()}" for w in workers)
    pytest.fail(f"{what}: not within {timeout} s\n{logs}")


@pytest.fixture
def big_corpus(people: Personas, consultation: Consultation) -> list[Contribution]:
    """A few contributions published through the service, plus published copies inserted
    without embeddings (as rows that predate them): the run encodes them, taking seconds."""
    with in_phase(PhaseKind.PROPOSALS):
        corpus = [
            contribution_create(
                by=people.participant,
                consultation=consultation,
                kind="proposal",
                title=title,
                body=body,
                origin="web",
                publish=True,
            )
            for title, body in CORPUS
        ]
    copies = []
    for n in range(EXTRA_CONTRIBUTIONS):
        template = corpus[n % len(corpus)]
        values = {
            field.attname: getattr(template, field.attname)
            for field in Contribution._meta.concrete_fields
            if not field.primary_key
        }
        values["title"] = f"{template.title} ({n})"
        values["body"] = f"{template.body} Variante {n} : quartier {n % 37}, structure {n % 11}."
        copies.append(Contribution(**values))
    return corpus + Contribution.objects.bulk_create(copies)


@pytest.fixture
def running_run(
    people: Personas, consultation: Consultation, settings: Settings
) -> Callable[[list[Worker]], tuple[SuggestionRun, Worker, Worker]]:
    """Queue a run and wait until one of the workers computes it: (run, that worker, other)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def start(workers: list[Worker]) -> tuple[SuggestionRun, Worker, Worker]:
        run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
        run = wait_for(
            "a worker claims the run",
            lambda: SuggestionRun.objects.filter(
                pk=run.pk, status=RunStatus.RUNNING, task_id__gt=""
            ).first(),
            CLAIM_TIMEOUT_SECONDS,
            workers,
        )
        (taker,) = DBTaskResult.objects.get(id=run.task_id).worker_ids
        first = next(w for w in workers if w.worker_id == taker)
        other = next(w for w in workers if w is not first)
        return run, first, other

    return start


class Follower:
    """A websocket client following a consultation's events from a thread, reconnecting when
    the socket drops (as the protocol asks of clients), until `suggestion_run.finished` for
    the run arrives or `stop()` is called. The `suggestion_run.*` events of the run, in order."""

    def __init__(self, base_url: str, consultation_id: int, run_id: int) -> None:
        self.base_url = base_url
        self.url = base_url.replace("http", "ws") + f"/ws/v1/consultations/{consultation_id}/"
        self.run_id = run_id
        self.events: list[dict[str, Any]] = []
        self.connections = 0
        self.finished = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._follow()), daemon=True)

    def start(self) -> "Follower":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)

    async def _follow(self) -> None:
        while not (self.finished.is_set() or self.stopped.is_set()):
            try:
                async with websockets.connect(self.url, origin=Origin(self.base_url)) as ws:
                    self.connections += 1
                    while not self.stopped.is_set():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                        except TimeoutError:
                            continue
                        message = json.loads(raw)
                        data = message.get("data") or {}
                        event = message.get("event", "")
                        if event.startswith("suggestion_run.") and data.get("id") == self.run_id:
                            self.events.append({"event": event, **data})
                            if event == "suggestion_run.finished":
                                self.finished.set()
                                return
            except (OSError, websockets.ConnectionClosed):
                await asyncio.sleep(0.2)


def rest_status(client: APIClient, run: SuggestionRun) -> dict[str, Any]:
    response = client.get(f"/api/v1/suggestion-runs/{run.pk}/")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def follow_until_finished(
    client: APIClient, run: SuggestionRun, workers: list[Worker]
) -> tuple[dict[str, Any], list[str]]:
    """Read the run over REST until it is done or failed; the statuses seen on the way."""
    seen: list[str] = []

    def finished() -> dict[str, Any] | None:
        body = rest_status(client, run)
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        return body if body["status"] in {RunStatus.DONE, RunStatus.FAILED} else None

    return wait_for("the run finishes", finished, FINISH_TIMEOUT_SECONDS, workers), seen


def test_a_killed_worker_s_run_is_finished_by_the_other_worker(
    people: Personas,
    consultation: Consultation,
    big_corpus: list[Contribution],
    running_run: Callable[[list[Worker]], tuple[SuggestionRun, Worker, Worker]],
    client_for: Callable[[User], APIClient],
) -> None:
    client = client_for(people.organizer)
    # With Redis, the workers' events reach a real websocket through a real server.
    redis = (
        {"REDIS_URL": os.environ["REDIS_URL"], "REDIS_PREFIX": f"npt-fault-{uuid.uuid4().hex[:8]}"}
        if os.environ.get("REDIS_URL")
        else {}
    )
    with uvicorn_server(**redis) as base_url, db_workers(2, **redis) as workers:
        run, killed, survivor = running_run(workers)
        follower = Follower(base_url, consultation.pk, run.pk).start() if redis else None
        first_task = run.task_id
        assert rest_status(client, run)["status"] == RunStatus.RUNNING
        killed.process.send_signal(signal.SIGKILL)
        killed.process.wait(timeout=30)
        body, seen = follow_until_finished(client, run, workers)
        assert body["status"] == RunStatus.DONE, survivor.output()
        if follower is not None:
            assert follower.finished.wait(timeout=60), follower.events
            follower.stop()
    assert body["attempts"] == 2
    assert body["lease_expires_at"] is None
    assert body["contribution_count"] == len(big_corpus)
    assert body["done"] == body["total"] > 0
    assert seen[0] == RunStatus.RUNNING
    lost = DBTaskResult.objects.get(id=first_task)
    assert lost.status == TaskResultStatus.FAILED
    assert lost.worker_ids == [killed.worker_id]
    assert "lease expired" in lost.traceback
    run.refresh_from_db()
    retried = DBTaskResult.objects.get(id=run.task_id)
    assert retried.status == TaskResultStatus.SUCCESSFUL
    assert retried.worker_ids == [survivor.worker_id]
    if follower is not None:
        # What a websocket client saw: the last word is "finished, done", never "running".
        assert follower.events[-1] == {
            "event": "suggestion_run.finished",
            "id": run.pk,
            "consultation": consultation.pk,
            "status": RunStatus.DONE,
            "clusters": len(run.result),
        }


def test_a_run_whose_last_attempt_is_killed_is_marked_failed(
    people: Personas,
    big_corpus: list[Contribution],
    running_run: Callable[[list[Worker]], tuple[SuggestionRun, Worker, Worker]],
    client_for: Callable[[User], APIClient],
) -> None:
    client = client_for(people.organizer)
    with db_workers(2, SUGGESTION_RUN_MAX_ATTEMPTS="1") as workers:
        run, killed, _survivor = running_run(workers)
        killed.process.send_signal(signal.SIGKILL)
        killed.process.wait(timeout=30)
        body, _seen = follow_until_finished(client, run, workers)
    assert body["status"] == RunStatus.FAILED
    assert body["attempts"] == 1
    assert body["finished_at"] is not None
    run.refresh_from_db()
    assert run.error == services.WORKER_LOST
    assert DBTaskResult.objects.get(id=run.task_id).status == TaskResultStatus.FAILED
