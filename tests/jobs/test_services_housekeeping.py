"""Housekeeping prunes what only grows, and keeps what is still needed."""

import uuid
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from backend.consultations.models import Consultation
from backend.idempotency.models import IdempotencyRecord, RecordState
from backend.jobs.services import housekeeping_run, task_results_prune
from backend.suggestions.models import IndexChange, IndexSnapshot, IndexVersion
from backend.suggestions.services import index_changes_prune

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def task_row(status: str, *, finished: datetime | None, started: datetime | None = None) -> str:
    row = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="backend.jobs.tasks.housekeeping",
        backend_name="default",
        run_after=NOW,
        started_at=started,
        finished_at=finished,
    )
    return str(row.id)


def test_finished_task_rows_older_than_the_retention_go_the_others_stay() -> None:
    old = NOW - timedelta(days=15)
    gone = {
        task_row(TaskResultStatus.SUCCESSFUL, finished=old),
        task_row(TaskResultStatus.FAILED, finished=old),
    }
    kept = {
        task_row(TaskResultStatus.SUCCESSFUL, finished=NOW - timedelta(days=13)),
        task_row(TaskResultStatus.FAILED, finished=NOW - timedelta(hours=1)),
        task_row(TaskResultStatus.READY, finished=None),
        task_row(TaskResultStatus.RUNNING, finished=None, started=old),
    }
    assert task_results_prune(before=NOW - timedelta(days=14)) == 2
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert left == kept
    assert not gone & left


def change_log(consultation: Consultation, versions: range, *, at: datetime) -> None:
    IndexVersion.objects.update_or_create(
        consultation=consultation, defaults={"version": versions[-1]}
    )
    IndexChange.objects.bulk_create(
        IndexChange(consultation=consultation, version=v, contribution_id=v, changed_at=at)
        for v in versions
    )


def versions_of(consultation: Consultation) -> list[int]:
    return sorted(
        IndexChange.objects.filter(consultation=consultation).values_list("version", flat=True)
    )


def test_old_changes_covered_by_the_snapshot_go_newer_ones_and_recent_ones_stay(
    consultation: Consultation,
) -> None:
    old = NOW - timedelta(days=8)
    change_log(consultation, range(1, 11), at=old)
    IndexChange.objects.filter(consultation=consultation, version__gte=9).update(
        changed_at=NOW - timedelta(days=1)
    )
    # A snapshot at version 6: a process loading it replays 7 and above.
    IndexSnapshot.objects.create(
        consultation=consultation, version=6, engine="e", document_count=0, data=b""
    )
    assert index_changes_prune(before=NOW - timedelta(days=7)) == 6
    assert versions_of(consultation) == [7, 8, 9, 10]


def test_without_a_snapshot_only_the_retention_counts(consultation: Consultation) -> None:
    change_log(consultation, range(1, 6), at=NOW - timedelta(days=8))
    IndexChange.objects.filter(consultation=consultation, version=5).update(changed_at=NOW)
    assert index_changes_prune(before=NOW - timedelta(days=7)) == 4
    assert versions_of(consultation) == [5]


def test_housekeeping_prunes_every_kind_and_the_command_says_how_many(
    consultation: Consultation, settings: Settings
) -> None:
    settings.SIMILARITY_CHANGE_LOG_RETENTION_DAYS = 1
    settings.TASK_RESULT_RETENTION_DAYS = 1
    for key, expires in (("old", NOW - timedelta(minutes=1)), ("new", NOW + timedelta(hours=1))):
        IdempotencyRecord.objects.create(
            scope="user:1",
            key=key,
            method="POST",
            path="/api/v1/x/",
            request_fingerprint="f",
            state=RecordState.COMPLETED,
            expires_at=expires,
        )
    expired, live = SessionStore(), SessionStore()
    expired.set_expiry(-60)
    expired.create()
    live.create()
    task_row(TaskResultStatus.SUCCESSFUL, finished=NOW - timedelta(days=2))
    killed = task_row(TaskResultStatus.RUNNING, finished=None, started=NOW - timedelta(hours=2))
    running = task_row(TaskResultStatus.RUNNING, finished=None, started=NOW)
    change_log(consultation, range(1, 3), at=NOW - timedelta(days=2))

    assert housekeeping_run() == {
        "abandoned_periodic_jobs": 1,
        "abandoned_artifact_builds": 0,
        "idempotency_records": 1,
        "sessions": 1,
        "task_results": 1,
        "similarity_changes": 2,
    }
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert DBTaskResult.objects.get(id=killed).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(id=running).status == TaskResultStatus.RUNNING
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "idempotency_records: 0 deleted" in out.getvalue()
