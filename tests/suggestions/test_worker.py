"""A real `db_worker` process takes a queued run from PostgreSQL and computes it."""

import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.models import RunStatus
from tests.fixtures.live import ROOT, server_environment
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_TIMEOUT_SECONDS = 120


def test_a_db_worker_process_runs_the_queued_job(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    settings: Settings,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.task_id
    # No REDIS_URL: its events go to its own in-memory layer, not to Redis.
    env = server_environment(TASKS_BACKEND="django_tasks_db.DatabaseBackend")
    finished = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_SECONDS,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert run.done == run.total > 0
    assert run.contribution_count == len(corpus)
    assert run.started_at is not None
    assert run.finished_at is not None
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
