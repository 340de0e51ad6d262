"""Writes of the suggestions: the index change log, starting and running suggestion runs."""

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.proposals.models import Contribution, ContributionStatus
from backend.suggestions.learning import calibration_for
from backend.suggestions.models import IndexChange, IndexVersion, RunStatus, SuggestionRun
from backend.suggestions.policies import can_run_suggestions
from backend.synthesis.domain import DEFAULT_THRESHOLD, Doc, suggest_clusters

logger = logging.getLogger(__name__)

# Progress events are sent at most this often (seconds); the stored progress too.
PROGRESS_INTERVAL = 0.5
READ_CHUNK = 2000

ProgressSink = Callable[[int, int], None]


def similarity_contribution_changed(*, consultation_id: int, contribution_id: int) -> None:
    """Log, in the caller's transaction, that a public contribution changed (published,
    edited, withdrawn, hidden, restored), so every process's similarity index catches up.

    Locks the consultation's `IndexVersion` row until the caller commits: the changes of one
    consultation get their versions in commit order. Must run inside a transaction.
    """
    table = IndexVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (consultation_id, version) VALUES (%s, 1) "  # noqa: S608
            f"ON CONFLICT (consultation_id) DO UPDATE SET version = {table}.version + 1 "
            "RETURNING version",
            [consultation_id],
        )
        (version,) = cursor.fetchone()
    IndexChange.objects.create(
        consultation_id=consultation_id, version=version, contribution_id=contribution_id
    )


def _run_event(run: SuggestionRun, event: str, **extra: Any) -> None:
    emit_after_commit(
        group=consultation_group(run.consultation_id),
        event=event,
        data={"id": run.pk, "consultation": run.consultation_id, **extra},
    )


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold < 1:
        raise errors.ValidationFailed(
            fields={
                "threshold": [
                    {
                        "code": "out_of_range",
                        "message": _("The threshold must be strictly between 0 and 1."),
                    }
                ]
            }
        )


@transaction.atomic
def suggestion_run_start(
    *, by: User, consultation: Consultation, threshold: float | None = None
) -> SuggestionRun:
    """Queue the computation of the suggested clusters of a consultation.

    Organizers and facilitators (PermissionDenied otherwise). The job is enqueued after
    commit (`tasks.suggestion_run_compute`); `suggestion_run.queued` is sent after commit.
    """
    if not can_run_suggestions(user=by, obj=consultation):
        raise errors.PermissionDenied()
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    _check_threshold(threshold)
    run = SuggestionRun.objects.create(
        consultation=consultation, threshold=threshold, created_by=by
    )
    run_id = run.pk

    def enqueue() -> None:
        from backend.suggestions.tasks import suggestion_run_compute

        try:
            result = suggestion_run_compute.enqueue(run_id=run_id)
        except Exception:
            logger.exception("Could not enqueue suggestion run %s", run_id)
            SuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED,
                error="enqueue failed",
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            return
        SuggestionRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id))

    # Announced before the job is enqueued: an immediate backend runs it inside `enqueue`.
    _run_event(run, "suggestion_run.queued", status=RunStatus.QUEUED)
    transaction.on_commit(enqueue)
    return run


def _claim(run_id: int, now: datetime) -> SuggestionRun | None:
    """Queued -> running, once: a second delivery of the same job finds nothing to do."""
    claimed = SuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    return SuggestionRun.objects.get(pk=run_id)


def _docs(consultation_id: int) -> list[Doc]:
    return [
        Doc(contribution.pk, contribution.title, contribution.body)
        for contribution in Contribution.objects.filter(
            consultation_id=consultation_id, status=ContributionStatus.PUBLISHED
        )
        .only("id", "title", "body")
        .order_by("id")
        .iterator(chunk_size=READ_CHUNK)
    ]


class _Progress:
    """Stores and announces progress, at most every PROGRESS_INTERVAL seconds."""

    def __init__(self, run: SuggestionRun, clock: Callable[[], float] = time.monotonic) -> None:
        self.run = run
        self.clock = clock
        self.last = float("-inf")
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        now = self.clock()
        if now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        done = min(done, total)
        SuggestionRun.objects.filter(pk=self.run.pk).update(
            done=done, total=total, updated_at=timezone.now()
        )
        _run_event(self.run, "suggestion_run.progress", done=done, total=total)


def suggestion_run_execute(*, run_id: int, on_progress: ProgressSink | None = None) -> None:
    """Compute a queued run (called by the background worker).

    Not one transaction: progress is committed as it goes so that REST readers see it.
    Claims the run (queued -> running) so that a duplicate delivery does nothing; stores the
    clusters and sends `suggestion_run.finished` (done or failed). Errors are stored on the
    run and raised again for the task queue to record.
    """
    run = _claim(run_id, timezone.now())
    if run is None:
        return
    progress = _Progress(run)
    try:
        docs = _docs(run.consultation_id)
        calibration = calibration_for(
            consultation_id=run.consultation_id, docs=docs, threshold=run.threshold
        )
        threshold = run.threshold if calibration is None else calibration.threshold

        def report(done: int, total: int) -> None:
            progress(done, total)
            if on_progress is not None:
                on_progress(done, total)

        clusters = suggest_clusters(
            docs,
            threshold,
            on_progress=report,
            must_link=calibration.must_link if calibration else (),
            cannot_link=calibration.cannot_link if calibration else (),
        )
    except Exception as exc:
        now = timezone.now()
        SuggestionRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=repr(exc)[:2000], finished_at=now, updated_at=now
        )
        _run_event(run, "suggestion_run.finished", status=RunStatus.FAILED, clusters=0)
        raise
    now = timezone.now()
    total = progress.total
    result = [
        {
            "ids": list(cluster.ids),
            "cohesion": round(cluster.cohesion, 4),
            "representative_id": cluster.representative_id,
        }
        for cluster in clusters
    ]
    SuggestionRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        result=result,
        contribution_count=len(docs),
        calibration=_calibration_summary(calibration, run.threshold),
        done=total,
        total=total,
        finished_at=now,
        updated_at=now,
    )
    _run_event(run, "suggestion_run.finished", status=RunStatus.DONE, clusters=len(result))


def _calibration_summary(calibration: Any, requested: float) -> dict[str, Any]:
    if calibration is None:
        return {}
    return {
        "requested_threshold": requested,
        "threshold": calibration.threshold,
        "must_link": len(calibration.must_link),
        "cannot_link": len(calibration.cannot_link),
        "contradictions_at_default": calibration.contradictions_at_default,
        "contradictions_at_threshold": calibration.contradictions_at_threshold,
    }
