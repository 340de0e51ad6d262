"""Writes of the suggestions: stored embeddings, the index change log, suggestion runs."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.jobs.services import task_result_abandon
from backend.proposals.models import Contribution, ContributionStatus
from backend.suggestions.embeddings import (
    EMBEDDING_FIELDS,
    contribution_embedding_refresh,
    docs_with_embeddings,
)
from backend.suggestions.learning import calibration_for
from backend.suggestions.models import (
    IndexChange,
    IndexSnapshot,
    IndexVersion,
    RunStatus,
    SuggestionRun,
)
from backend.suggestions.policies import can_run_suggestions
from backend.synthesis.domain import (
    DEFAULT_THRESHOLD,
    Doc,
    cluster_explanation,
    confidence,
    suggest_clusters,
)
from backend.synthesis.domain.hybrid import HybridBackend

logger = logging.getLogger(__name__)

# Progress events are sent at most this often (seconds); the stored progress too.
PROGRESS_INTERVAL = 0.5
READ_CHUNK = 2000
EXPLAINED_MEMBERS = 12

ProgressSink = Callable[[int, int], None]


def similarity_contribution_changed(*, consultation_id: int, contribution_id: int) -> None:
    """Log, in the caller's transaction, that a public contribution changed (published,
    edited, withdrawn, hidden, restored), so every process's similarity index catches up, and
    store the embedding of its text if that text has none yet.

    Encodes first (no lock held), then locks the consultation's `IndexVersion` row until the
    caller commits: the changes of one consultation get their versions in commit order. Must
    run inside a transaction.
    """
    contribution_embedding_refresh(contribution_id=contribution_id)
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


def index_changes_prune(*, before: datetime) -> int:
    """Delete the similarity change log entries written before `before` that no process needs
    to load a snapshot: those at or below their consultation's snapshot version, or all of
    them when it has no snapshot (a new process then builds from the contributions). Returns
    how many. A process holding an index older than what was deleted sees the gap in the
    versions and rebuilds (`indexes.catch_up`)."""
    snapshots = IndexSnapshot.objects.filter(consultation_id=OuterRef("consultation_id"))
    deleted, _ = (
        IndexChange.objects.filter(changed_at__lt=before)
        .exclude(Exists(snapshots.filter(version__lt=OuterRef("version"))))
        .delete()
    )
    return deleted


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


def _enqueue_after_commit(run_id: int) -> None:
    """After commit, enqueue the job of a queued run and record its task id (a run whose job
    cannot be enqueued is failed at once)."""

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

    transaction.on_commit(enqueue, robust=True)


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
    # Announced before the job is enqueued: an immediate backend runs it inside `enqueue`.
    _run_event(run, "suggestion_run.queued", status=RunStatus.QUEUED)
    _enqueue_after_commit(run.pk)
    return run


def _lease_seconds() -> int:
    return max(1, int(settings.SUGGESTION_RUN_LEASE_SECONDS))


def _claim(run_id: int, now: datetime) -> SuggestionRun | None:
    """Queued -> running, once, under a new attempt and a fresh lease: a second delivery of
    the same job finds nothing to do."""
    claimed = SuggestionRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_expires_at=now + timedelta(seconds=_lease_seconds()),
        started_at=now,
        updated_at=now,
    )
    if not claimed:
        return None
    return SuggestionRun.objects.get(pk=run_id)


def _held(run: SuggestionRun) -> Any:
    """The run, while still running under the attempt this worker claimed (fenced writes)."""
    return SuggestionRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts)


class _Lease:
    """Renews a run's lease from a thread every third of its length while the run computes,
    whatever the computation is doing (encoding, calibrating, clustering). A killed worker
    stops renewing: `suggestion_runs_reclaim` then takes the run back."""

    def __init__(self, run: SuggestionRun) -> None:
        self.run = run
        self.seconds = _lease_seconds()
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._renew, name=f"suggestion-run-{run.pk}-lease", daemon=True
        )

    def __enter__(self) -> "_Lease":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _renew(self) -> None:
        try:
            while not self.stopped.wait(self.seconds / 3):
                now = timezone.now()
                if not _held(self.run).update(
                    lease_expires_at=now + timedelta(seconds=self.seconds)
                ):
                    logger.warning("Suggestion run %s: lease lost", self.run.pk)
                    return
        except Exception:
            logger.exception("Suggestion run %s: could not renew its lease", self.run.pk)
        finally:
            connections.close_all()  # this thread's own connection


def _docs(consultation_id: int) -> list[Doc]:
    """The published contributions with their stored embeddings (missing ones filled)."""
    return docs_with_embeddings(
        Contribution.objects.filter(
            consultation_id=consultation_id, status=ContributionStatus.PUBLISHED
        )
        .order_by("id")
        .values_list("id", "title", "body", *EMBEDDING_FIELDS)
        .iterator(chunk_size=READ_CHUNK)
    )


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
        if _held(self.run).update(done=done, total=total, updated_at=timezone.now()):
            _run_event(self.run, "suggestion_run.progress", done=done, total=total)


def suggestion_run_execute(*, run_id: int, on_progress: ProgressSink | None = None) -> None:
    """Compute a queued run (called by the background worker).

    Not one transaction: progress is committed as it goes so that REST readers see it.
    Claims the run (queued -> running, a new attempt) so that a duplicate delivery does
    nothing, and renews its lease while computing (`_Lease`); stores the clusters and sends
    `suggestion_run.finished` (done or failed). Every write is fenced by the attempt: a worker
    whose run was reclaimed meanwhile (`suggestion_runs_reclaim`) writes nothing. Errors are
    stored on the run and raised again for the task queue to record.
    """
    run = _claim(run_id, timezone.now())
    if run is None:
        return
    progress = _Progress(run)
    with _Lease(run):
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

            backend = HybridBackend()
            clusters = suggest_clusters(
                docs,
                threshold,
                on_progress=report,
                backend=backend,
                must_link=calibration.must_link if calibration else (),
                cannot_link=calibration.cannot_link if calibration else (),
            )
            by_id = {doc.id: doc for doc in docs}
        except Exception as exc:
            now = timezone.now()
            if _held(run).update(
                status=RunStatus.FAILED,
                error=repr(exc)[:2000],
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            ):
                _run_event(run, "suggestion_run.finished", status=RunStatus.FAILED, clusters=0)
            raise
        now = timezone.now()
        total = progress.total
        result = []
        for cluster in clusters:
            # What the members share, read on the first members (a large cluster says it early).
            sample = [by_id[i] for i in cluster.ids[:EXPLAINED_MEMBERS]]
            why = cluster_explanation(sample, backend.lexical)
            result.append(
                {
                    "ids": list(cluster.ids),
                    "cohesion": round(cluster.cohesion, 4),
                    "confidence": round(confidence(cluster.cohesion, threshold), 4),
                    "representative_id": cluster.representative_id,
                    "shared_terms": list(why.terms),
                    "shared_concepts": list(why.concepts),
                }
            )
        stored = _held(run).update(
            status=RunStatus.DONE,
            result=result,
            contribution_count=len(docs),
            calibration=_calibration_summary(calibration, run.threshold),
            done=total,
            total=total,
            lease_expires_at=None,
            finished_at=now,
            updated_at=now,
        )
    if not stored:
        logger.warning(
            "Suggestion run %s: attempt %s finished after its lease was taken back; result dropped",
            run.pk,
            run.attempts,
        )
        return
    _run_event(run, "suggestion_run.finished", status=RunStatus.DONE, clusters=len(result))


WORKER_LOST = "worker_lost"


@transaction.atomic
def suggestion_runs_reclaim(*, now: datetime | None = None) -> dict[str, int]:
    """Take back the runs whose lease expired (their worker was killed, or lost the database
    for longer than a lease): queued again with a new job while they have attempts left
    (`SUGGESTION_RUN_MAX_ATTEMPTS`), failed with error `worker_lost` otherwise. The abandoned
    job's task row is marked failed. Returns how many were requeued and failed.

    Locks the expired runs (FOR UPDATE SKIP LOCKED: two workers reclaiming at once share the
    work). Sends `suggestion_run.queued` or `suggestion_run.finished` (failed) after commit.
    Called by the periodic `backend.jobs.tasks.leases_check` job on every worker.
    """
    now = now or timezone.now()
    expired = list(
        SuggestionRun.objects.select_for_update(skip_locked=True)
        .filter(status=RunStatus.RUNNING, lease_expires_at__lt=now)
        .order_by("pk")
    )
    counts = {"requeued": 0, "failed": 0}
    for run in expired:
        task_result_abandon(
            task_id=run.task_id,
            reason=f"suggestion run {run.pk}: lease expired during attempt {run.attempts}",
        )
        if run.attempts < settings.SUGGESTION_RUN_MAX_ATTEMPTS:
            SuggestionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.QUEUED,
                lease_expires_at=None,
                task_id="",
                done=0,
                total=0,
                updated_at=now,
            )
            logger.warning(
                "Suggestion run %s: lease expired (attempt %s), queued again", run.pk, run.attempts
            )
            _run_event(run, "suggestion_run.queued", status=RunStatus.QUEUED)
            _enqueue_after_commit(run.pk)
            counts["requeued"] += 1
        else:
            SuggestionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED,
                error=WORKER_LOST,
                lease_expires_at=None,
                finished_at=now,
                updated_at=now,
            )
            logger.warning(
                "Suggestion run %s: lease expired on its last attempt (%s), failed",
                run.pk,
                run.attempts,
            )
            _run_event(run, "suggestion_run.finished", status=RunStatus.FAILED, clusters=0)
            counts["failed"] += 1
    return counts


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
