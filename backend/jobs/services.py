"""Writes of the background jobs: the periodic schedule, abandoned task rows, housekeeping.

The schedule (django-tasks has no cron): each periodic job is a task that, when it starts,
enqueues its own next run with `run_after` (`periodic_job_schedule`). A transaction-scoped
advisory lock per job and a check for a pending (ready) row keep one pending run per job,
however many workers run it or start. Every `db_worker` start calls `periodic_jobs_schedule`,
so a chain broken by a worker killed mid-job is mended by the next worker start, and a fresh
deployment needs nothing more than its workers.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from backend.core import hooks
from backend.idempotency.services import idempotency_records_purge

logger = logging.getLogger(__name__)


def _is_queued_in_database(task: Task[Any, Any]) -> bool:
    return isinstance(task.get_backend(), DatabaseBackend)


@transaction.atomic
def periodic_job_schedule(*, task: Task[Any, Any], after: timedelta) -> bool:
    """Enqueue the next run of a periodic `task` in `after`, unless one is already pending.
    True when enqueued. Only with the database backend (an immediate backend would run the
    job, and its next run, at once: nothing is scheduled then).

    Locks: `pg_advisory_xact_lock` on the task's path, so that two workers starting together
    enqueue one run between them.
    """
    if not _is_queued_in_database(task):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"jobs:{task.module_path}"])
    pending = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()
    if pending:
        return False
    task.using(run_after=timezone.now() + after).enqueue()
    return True


def periodic_jobs_schedule() -> list[str]:
    """Make sure every periodic job has its next run pending (called when a worker starts);
    a job with none runs at once. The names of the jobs enqueued."""
    from backend.jobs.tasks import periodic_jobs

    return [
        task.name
        for task, _every in periodic_jobs()
        if periodic_job_schedule(task=task, after=timedelta(0))
    ]


def task_result_abandon(*, task_id: str, reason: str) -> bool:
    """Mark failed the task row of a job whose worker was lost (it would stay `RUNNING` in the
    queue forever). True when a running row was found."""
    if not task_id:
        return False
    return bool(
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="backend.jobs.services.WorkerLost",
            traceback=reason,
        )
    )


# A periodic job takes seconds; one still "running" after this was left by a killed worker.
PERIODIC_JOB_STALE_AFTER = timedelta(hours=1)


def periodic_job_results_abandon(*, now: datetime) -> int:
    """Mark failed the task rows of periodic jobs still `RUNNING` long after they started (a
    worker killed mid-job; the job itself was rescheduled when it started). How many."""
    from backend.jobs.tasks import periodic_jobs

    return DBTaskResult.objects.filter(
        task_path__in=[task.module_path for task, _every in periodic_jobs()],
        status=TaskResultStatus.RUNNING,
        started_at__lt=now - PERIODIC_JOB_STALE_AFTER,
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="backend.jobs.services.WorkerLost",
        traceback="the worker running this periodic job was lost",
    )


def task_results_prune(*, before: datetime) -> int:
    """Delete the task rows of jobs that finished (successfully or not) before `before`.
    Ready and running rows are never deleted."""
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=before,
    ).delete()
    return deleted


def sessions_prune(*, now: datetime) -> int:
    """Delete the expired sessions (what `manage.py clearsessions` does)."""
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted


def housekeeping_run(*, now: datetime | None = None) -> dict[str, int]:
    """Prune what only grows: expired `Idempotency-Key` records, expired sessions, task rows
    finished more than TASK_RESULT_RETENTION_DAYS ago (periodic jobs left running by a killed
    worker are marked failed first), the similarity change log older than
    SIMILARITY_CHANGE_LOG_RETENTION_DAYS that every consultation's snapshot already covers,
    and what the apps above add (`core.hooks.HOUSEKEEPING`: publication builds left running
    by a killed worker). Each step is its own short transaction; the counts, by kind."""
    from backend.suggestions.services import index_changes_prune

    now = now or timezone.now()
    counts = {
        "abandoned_periodic_jobs": periodic_job_results_abandon(now=now),
        "idempotency_records": idempotency_records_purge(),
        "sessions": sessions_prune(now=now),
        "task_results": task_results_prune(
            before=now - timedelta(days=settings.TASK_RESULT_RETENTION_DAYS)
        ),
        "similarity_changes": index_changes_prune(
            before=now - timedelta(days=settings.SIMILARITY_CHANGE_LOG_RETENTION_DAYS)
        ),
    }
    hooks.run(hooks.HOUSEKEEPING, now=now, counts=counts)
    logger.info("Housekeeping: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
