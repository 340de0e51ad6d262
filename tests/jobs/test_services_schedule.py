"""The periodic jobs keep exactly one pending run each, enqueued by the workers themselves."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from backend.jobs import tasks
from backend.jobs.services import periodic_job_schedule, periodic_jobs_schedule

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def pending(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY))


def test_a_worker_start_schedules_each_periodic_job_once(settings: Settings) -> None:
    settings.TASKS = DATABASE
    assert periodic_jobs_schedule() == ["leases_check", "housekeeping"]
    assert periodic_jobs_schedule() == []  # a second worker starting adds nothing
    for task in (tasks.leases_check, tasks.housekeeping):
        (row,) = pending(task.module_path)
        assert row.run_after <= timezone.now()  # the first run is due at once


def test_a_run_enqueues_its_next_run_after_its_interval(settings: Settings) -> None:
    settings.TASKS = DATABASE
    settings.HOUSEKEEPING_INTERVAL_MINUTES = 30
    before = timezone.now()
    assert tasks.housekeeping.call() == {
        "abandoned_periodic_jobs": 0,
        "abandoned_artifact_builds": 0,
        "idempotency_records": 0,
        "sessions": 0,
        "task_results": 0,
        "similarity_changes": 0,
    }
    (row,) = pending(tasks.housekeeping.module_path)
    assert before + timedelta(minutes=30) <= row.run_after <= timezone.now() + timedelta(minutes=30)
    tasks.housekeeping.call()
    assert len(pending(tasks.housekeeping.module_path)) == 1


def test_the_lease_check_runs_every_half_lease(settings: Settings) -> None:
    settings.TASKS = DATABASE
    settings.SUGGESTION_RUN_LEASE_SECONDS = 40
    before = timezone.now()
    assert tasks.leases_check.call() == {"requeued": 0, "failed": 0}
    (row,) = pending(tasks.leases_check.module_path)
    assert before + timedelta(seconds=20) <= row.run_after <= timezone.now() + timedelta(seconds=20)


def test_nothing_is_scheduled_with_the_immediate_backend(settings: Settings) -> None:
    settings.TASKS = IMMEDIATE
    assert not periodic_job_schedule(task=tasks.housekeeping, after=timedelta(0))
    assert periodic_jobs_schedule() == []
    assert not DBTaskResult.objects.exists()
