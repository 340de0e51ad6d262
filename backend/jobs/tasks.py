"""The periodic background jobs, run by `manage.py db_worker` (see `services` for the schedule)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks import task
from django_tasks.base import Task

from backend.jobs.services import housekeeping_run, periodic_job_schedule
from backend.suggestions.services import suggestion_runs_reclaim


def leases_interval() -> timedelta:
    """Half a suggestion run's lease: a lost run waits at most one and a half leases."""
    return timedelta(seconds=max(1.0, settings.SUGGESTION_RUN_LEASE_SECONDS / 2))


def housekeeping_interval() -> timedelta:
    return timedelta(minutes=max(1, settings.HOUSEKEEPING_INTERVAL_MINUTES))


@task()
def leases_check() -> dict[str, int]:
    """Take back the suggestion runs whose worker stopped renewing their lease."""
    periodic_job_schedule(task=leases_check, after=leases_interval())
    return suggestion_runs_reclaim()


@task()
def housekeeping() -> dict[str, int]:
    """Prune expired and old rows (`services.housekeeping_run`)."""
    periodic_job_schedule(task=housekeeping, after=housekeeping_interval())
    return housekeeping_run()


def periodic_jobs() -> list[tuple[Task[Any, Any], timedelta]]:
    """Every periodic job with its interval."""
    return [(leases_check, leases_interval()), (housekeeping, housekeeping_interval())]
