"""Building the published files once per state of their sources, and the background builds.

A file is written to `STORAGES["artifacts"]` under a name holding its SHA-256, then recorded
(`PublicationArtifact`): readers only open recorded files, so none is read half-written, and
two builders of the same state write the same bytes. Builds in the background are
`ArtifactBuild` jobs (`backend.plans.tasks`), one in flight per state, with progress over
REST and `artifact_build.*` websocket events.
"""

import hashlib
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.consultations.models import Consultation
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.plans.domain.archive import csv_text
from backend.plans.domain.snapshot import plan_csv_rows
from backend.plans.models import (
    PUBLISH_STEP,
    ArtifactBuild,
    ArtifactKind,
    BuildStatus,
    PlanVersion,
    PublicationArtifact,
)
from backend.plans.pages import plan_page_html
from backend.plans.selectors.artifacts import (
    OpenDataState,
    artifact_build_in_flight,
    artifact_get,
    open_data_state,
    plan_state_key,
)
from backend.plans.selectors.opendata import OPEN_DATA_STEPS, open_data_archive

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes and events
EXTENSIONS = {
    ArtifactKind.OPEN_DATA: ".zip",
    ArtifactKind.PLAN_CSV: ".csv",
    ArtifactKind.PLAN_JSON: ".json",
    ArtifactKind.PLAN_HTML: ".html",
}
CONTENT_TYPES = {
    ArtifactKind.OPEN_DATA: "application/zip",
    ArtifactKind.PLAN_CSV: "text/csv; charset=utf-8",
    ArtifactKind.PLAN_JSON: "application/json",
    ArtifactKind.PLAN_HTML: "text/html; charset=utf-8",
}
PLAN_KINDS = (ArtifactKind.PLAN_CSV, ArtifactKind.PLAN_JSON, ArtifactKind.PLAN_HTML)
FILE_STEPS = OPEN_DATA_STEPS + len(PLAN_KINDS)


def artifact_store(
    *,
    consultation_id: int,
    kind: ArtifactKind,
    state_key: str,
    content: bytes,
    filename: str,
    plan_number: int | None = None,
    build_seconds: float = 0.0,
) -> PublicationArtifact:
    """Write the file under its digest (unless already there), then record it; a second
    builder of the same state gets the first one's record."""
    digest = hashlib.sha256(content).hexdigest()
    storage = storages["artifacts"]
    name = f"{consultation_id}/{kind}-{digest}{EXTENSIONS[kind]}"
    if not storage.exists(name):
        name = storage.save(name, ContentFile(content))
    try:
        with transaction.atomic():
            artifact, _created = PublicationArtifact.objects.get_or_create(
                consultation_id=consultation_id,
                kind=kind,
                state_key=state_key,
                defaults={
                    "plan_number": plan_number,
                    "storage_name": name,
                    "sha256": digest,
                    "size": len(content),
                    "content_type": CONTENT_TYPES[kind],
                    "filename": filename,
                    "build_seconds": build_seconds,
                },
            )
    except IntegrityError:
        artifact = PublicationArtifact.objects.get(
            consultation_id=consultation_id, kind=kind, state_key=state_key
        )
    return artifact


def _plan_content(version: PlanVersion, kind: ArtifactKind) -> bytes:
    if kind == ArtifactKind.PLAN_CSV:
        return csv_text(plan_csv_rows(version.snapshot)).encode("utf-8")
    if kind == ArtifactKind.PLAN_JSON:
        # The canonical form whose SHA-256 is the version's snapshot_sha256.
        return json.dumps(
            version.snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    return plan_page_html(version=version).encode("utf-8")


def plan_version_artifact(*, version: PlanVersion, kind: str) -> PublicationArtifact:
    """A published format of a plan version: the stored one, or built now (from the frozen
    snapshot: milliseconds to a second) and stored. Versions never change, so neither do
    their files."""
    artifact_kind = ArtifactKind(kind)
    state_key = plan_state_key(version=version)
    artifact = artifact_get(
        consultation=version.consultation, kind=artifact_kind, state_key=state_key
    )
    if artifact is not None:
        return artifact
    started = time.perf_counter()
    content = _plan_content(version, artifact_kind)
    return artifact_store(
        consultation_id=version.consultation_id,
        kind=artifact_kind,
        state_key=state_key,
        content=content,
        filename=f"plan-{version.consultation_id}-v{version.number}{EXTENSIONS[artifact_kind]}",
        plan_number=version.number,
        build_seconds=time.perf_counter() - started,
    )


def open_data_artifact_build(
    *, consultation: Consultation, state: OpenDataState, progress: Any = None
) -> PublicationArtifact:
    """Build the open-data archive for `state` and store it (`progress(done, total)`)."""
    existing = artifact_get(
        consultation=consultation, kind=ArtifactKind.OPEN_DATA, state_key=state.key
    )
    if existing is not None:
        return existing
    started = time.perf_counter()
    archive = open_data_archive(consultation=consultation, on_step=progress)
    return artifact_store(
        consultation_id=consultation.pk,
        kind=ArtifactKind.OPEN_DATA,
        state_key=state.key,
        content=archive.content,
        filename=f"concertation-{consultation.pk}-donnees-ouvertes.zip",
        build_seconds=time.perf_counter() - started,
    )


def _build_event(build: ArtifactBuild, event: str, **extra: Any) -> None:
    emit_after_commit(
        group=consultation_group(build.consultation_id),
        event=event,
        data={"id": build.pk, "consultation": build.consultation_id, **extra},
    )


def artifact_build_enqueue_on_commit(build: ArtifactBuild) -> None:
    """Announce a new build (`artifact_build.queued`) and enqueue its job, both after commit;
    a job that cannot be enqueued marks its build failed."""
    build_id = build.pk

    def enqueue() -> None:
        from backend.plans.tasks import artifact_build_run

        try:
            result = artifact_build_run.enqueue(build_id=build_id)
        except Exception:
            logger.exception("Could not enqueue artifact build %s", build_id)
            ArtifactBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
                status=BuildStatus.FAILED,
                error="enqueue failed",
                error_code="enqueue_failed",
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            return
        ArtifactBuild.objects.filter(pk=build_id, task_id="").update(task_id=str(result.id))

    _build_event(build, "artifact_build.queued", status=BuildStatus.QUEUED)
    transaction.on_commit(enqueue)


@transaction.atomic
def artifact_build_request(*, consultation: Consultation, state: OpenDataState) -> ArtifactBuild:
    """Queue the build of the consultation's open-data archive for `state` and of the files
    of its latest plan version still missing, or join the build already in flight for it.

    No gate: the files are public data. Emits `artifact_build.queued` after commit; the job
    (`tasks.artifact_build_run`) is enqueued after commit.
    """
    in_flight = artifact_build_in_flight(consultation=consultation, state_key=state.key)
    if in_flight is not None:
        return in_flight
    try:
        with transaction.atomic():
            build = ArtifactBuild.objects.create(
                consultation=consultation,
                state_key=state.key,
                kinds=[ArtifactKind.OPEN_DATA, *PLAN_KINDS],
                total=FILE_STEPS,
            )
    except IntegrityError:
        joined = artifact_build_in_flight(consultation=consultation, state_key=state.key)
        assert joined is not None
        return joined
    artifact_build_enqueue_on_commit(build)
    return build


class _Progress:
    """Stores and announces a build's progress, at most every PROGRESS_INTERVAL seconds."""

    def __init__(self, build: ArtifactBuild) -> None:
        self.build = build
        self.last = float("-inf")

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.last = now
        done = min(done, self.build.total)
        ArtifactBuild.objects.filter(pk=self.build.pk).update(done=done, updated_at=timezone.now())
        _build_event(self.build, "artifact_build.progress", done=done, total=self.build.total)


def _build_fail(build: ArtifactBuild, *, code: str, error: str) -> None:
    now = timezone.now()
    ArtifactBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.FAILED,
        error=error[:2000],
        error_code=code,
        finished_at=now,
        updated_at=now,
    )
    _build_event(build, "artifact_build.finished", status=BuildStatus.FAILED, error_code=code)


def _publish_step(build: ArtifactBuild, progress: "_Progress") -> bool:
    """The publication of a publication job (`plans.services.publish.plan_publish_start`):
    the next version, in one transaction (`plan_publish`). False when refused (the reason
    stored on the build: its error code and message, as the request would have answered)."""
    from backend.plans.services.publish import PUBLISH_STEPS, plan_publish

    progress(0, build.total)
    if build.requested_by is None:
        _build_fail(build, code=errors.PermissionDenied.code, error="the requester is gone")
        return False
    try:
        version = plan_publish(
            by=build.requested_by,
            consultation=build.consultation,
            note=build.note,
            force=build.force,
            queue_files=False,
        )
    except errors.ApplicationError as exc:
        detail = json.dumps(
            {"detail": str(exc.message), "details": exc.details, "fields": exc.fields},
            ensure_ascii=False,
            default=str,
        )
        _build_fail(build, code=exc.code, error=detail)
        return False
    ArtifactBuild.objects.filter(pk=build.pk).update(plan_number=version.number)
    build.plan_number = version.number
    progress(PUBLISH_STEPS, build.total)
    return True


def artifact_build_execute(*, build_id: int) -> None:
    """Run a queued build (called by the background worker): for a publication job, first
    publish the next plan version (`_publish_step`); then the open-data archive for the
    build's state, then the missing files of the latest plan version.

    Not one transaction: progress is committed as it goes (the publication itself is one
    transaction: a job that dies leaves no half-published version). Claims the build
    (queued -> running) so that a duplicate delivery does nothing. If the data changed since
    the build was asked for, the archive is built for the current state (the one readers
    will ask for). Sends `artifact_build.finished` (done or failed, with `plan_number`);
    a refused publication is stored with its error code; other errors are stored and raised
    again for the task queue to record.
    """
    now = timezone.now()
    claimed = ArtifactBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
        status=BuildStatus.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return
    build = ArtifactBuild.objects.select_related("consultation__territory", "requested_by").get(
        pk=build_id
    )
    progress = _Progress(build)
    first_file_step = build.total - FILE_STEPS
    try:
        if PUBLISH_STEP in build.kinds and not _publish_step(build, progress):
            return
        consultation = build.consultation
        open_data_artifact_build(
            consultation=consultation,
            state=open_data_state(consultation=consultation),
            progress=lambda done, _total: progress(first_file_step + done, build.total),
        )
        version = PlanVersion.objects.filter(consultation=consultation).order_by("-number").first()
        for position, kind in enumerate(PLAN_KINDS, start=first_file_step + OPEN_DATA_STEPS + 1):
            if version is not None:
                plan_version_artifact(version=version, kind=kind)
            progress(position, build.total)
    except Exception as exc:
        _build_fail(build, code="build_failed", error=repr(exc))
        raise
    now = timezone.now()
    ArtifactBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.DONE, done=build.total, finished_at=now, updated_at=now
    )
    _build_event(
        build, "artifact_build.finished", status=BuildStatus.DONE, plan_number=build.plan_number
    )


def artifact_builds_abandon(*, now: datetime) -> int:
    """Mark failed (`worker_lost`) the builds still running ARTIFACT_BUILD_STALE_MINUTES after
    their last progress: their worker was killed. A publication job's version is one
    transaction, so nothing was published; asking again starts a new job. How many."""
    stale = ArtifactBuild.objects.filter(
        status=BuildStatus.RUNNING,
        updated_at__lt=now - timedelta(minutes=settings.ARTIFACT_BUILD_STALE_MINUTES),
    )
    return stale.update(
        status=BuildStatus.FAILED,
        error_code="worker_lost",
        error="the worker running this job was lost",
        finished_at=now,
        updated_at=now,
    )


def artifact_builds_housekeeping(*, now: datetime, counts: dict[str, int]) -> None:
    """The plans' part of the periodic housekeeping (`core.hooks.HOUSEKEEPING`)."""
    counts["abandoned_artifact_builds"] = artifact_builds_abandon(now=now)
