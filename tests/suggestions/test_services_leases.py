"""Suggestion runs hold a lease: a run whose worker is lost is queued again, then failed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.models import RunStatus, SuggestionRun
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(
    people: Personas,
    consultation: Consultation,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> SuggestionRun:
    """A run queued in the database queue, its job enqueued (task row ready)."""
    settings.TASKS = DATABASE
    with django_capture_on_commit_callbacks(execute=True):
        run = services.suggestion_run_start(by=people.organizer, consultation=consultation)
    run.refresh_from_db()
    assert run.task_id
    return run


def taken_by_a_worker_that_died(run: SuggestionRun) -> SuggestionRun:
    """What a SIGKILLed worker leaves: the task row and the run running, the lease expired."""
    DBTaskResult.objects.filter(id=run.task_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    claimed = services._claim(run.pk, timezone.now() - timedelta(minutes=5))
    assert claimed is not None
    return claimed


def test_a_claim_takes_a_lease_and_counts_the_attempt(queued: SuggestionRun) -> None:
    before = timezone.now()
    run = services._claim(queued.pk, before)
    assert run is not None
    assert run.status == RunStatus.RUNNING
    assert run.attempts == 1
    assert run.lease_expires_at == before + timedelta(seconds=60)
    assert services._claim(queued.pk, before) is None  # a second delivery does nothing


def test_a_live_lease_is_left_alone(queued: SuggestionRun) -> None:
    assert services._claim(queued.pk, timezone.now()) is not None
    assert services.suggestion_runs_reclaim() == {"requeued": 0, "failed": 0}
    assert SuggestionRun.objects.get(pk=queued.pk).status == RunStatus.RUNNING


def test_an_expired_lease_queues_the_run_again_with_a_new_job(
    queued: SuggestionRun, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    taken_by_a_worker_that_died(queued)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.suggestion_runs_reclaim() == {"requeued": 1, "failed": 0}
    run = SuggestionRun.objects.get(pk=queued.pk)
    assert (run.status, run.attempts, run.lease_expires_at) == (RunStatus.QUEUED, 1, None)
    assert run.task_id
    assert run.task_id != queued.task_id
    old = DBTaskResult.objects.get(id=queued.task_id)
    assert old.status == TaskResultStatus.FAILED
    assert "lease expired" in old.traceback
    assert DBTaskResult.objects.get(id=run.task_id).status == TaskResultStatus.READY


def test_the_last_attempt_lost_fails_the_run(queued: SuggestionRun, settings: Settings) -> None:
    settings.SUGGESTION_RUN_MAX_ATTEMPTS = 1
    taken_by_a_worker_that_died(queued)
    assert services.suggestion_runs_reclaim() == {"requeued": 0, "failed": 1}
    run = SuggestionRun.objects.get(pk=queued.pk)
    assert (run.status, run.error) == (RunStatus.FAILED, services.WORKER_LOST)
    assert run.finished_at is not None
    assert run.lease_expires_at is None
    assert DBTaskResult.objects.get(id=queued.task_id).status == TaskResultStatus.FAILED


def test_a_worker_whose_run_was_taken_back_writes_nothing(
    queued: SuggestionRun, corpus: list[Contribution]
) -> None:
    def lose_the_lease(done: int, total: int) -> None:
        if SuggestionRun.objects.filter(pk=queued.pk, status=RunStatus.RUNNING).exists():
            SuggestionRun.objects.filter(pk=queued.pk).update(
                lease_expires_at=timezone.now() - timedelta(seconds=1)
            )
            services.suggestion_runs_reclaim()

    services.suggestion_run_execute(run_id=queued.pk, on_progress=lose_the_lease)
    run = SuggestionRun.objects.get(pk=queued.pk)
    assert (run.status, run.attempts, run.result, run.done) == (RunStatus.QUEUED, 1, [], 0)
