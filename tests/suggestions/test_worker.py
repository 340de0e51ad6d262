"""A real `db_worker` process takes a queued run from PostgreSQL and computes it."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.models import RunStatus
from tests.consultations.conftest import Personas

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_SECONDS = 120


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_db_worker_process_runs_the_queued_job(
    people: Personas,
    consultation: Consultation,
    corpus: list[Contribution],
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.task_id
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)  # its events go to its own in-memory layer, not to Redis
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
