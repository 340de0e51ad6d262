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
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.consultations.models import Consultation
from backend.core.realtime import consultation_group, emit_after_commit
from backend.plans.domain.archive import csv_text
from backend.plans.domain.snapshot import plan_csv_rows
from backend.plans.models import (
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
                total=OPEN_DATA_STEPS + len(PLAN_KINDS),
            )
    except IntegrityError:
        joined = artifact_build_in_flight(consultation=consultation, state_key=state.key)
        assert joined is not None
        return joined
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
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            return
        ArtifactBuild.objects.filter(pk=build_id, task_id="").update(task_id=str(result.id))

    _build_event(build, "artifact_build.queued", status=BuildStatus.QUEUED)
    transaction.on_commit(enqueue)
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


def artifact_build_execute(*, build_id: int) -> None:
    """Run a queued build (called by the background worker): the open-data archive for the
    build's state, then the missing files of the latest plan version.

    Not one transaction: progress is committed as it goes. Claims the build (queued ->
    running) so that a duplicate delivery does nothing. If the data changed since the build
    was asked for, the archive is built for the current state (the one readers will ask
    for). Sends `artifact_build.finished` (done or failed); errors are stored and raised
    again for the task queue to record.
    """
    now = timezone.now()
    claimed = ArtifactBuild.objects.filter(pk=build_id, status=BuildStatus.QUEUED).update(
        status=BuildStatus.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return
    build = ArtifactBuild.objects.select_related("consultation__territory").get(pk=build_id)
    progress = _Progress(build)
    try:
        consultation = build.consultation
        open_data_artifact_build(
            consultation=consultation,
            state=open_data_state(consultation=consultation),
            progress=progress,
        )
        version = PlanVersion.objects.filter(consultation=consultation).order_by("-number").first()
        for position, kind in enumerate(PLAN_KINDS, start=OPEN_DATA_STEPS + 1):
            if version is not None:
                plan_version_artifact(version=version, kind=kind)
            progress(position, build.total)
    except Exception as exc:
        now = timezone.now()
        ArtifactBuild.objects.filter(pk=build.pk).update(
            status=BuildStatus.FAILED, error=repr(exc)[:2000], finished_at=now, updated_at=now
        )
        _build_event(build, "artifact_build.finished", status=BuildStatus.FAILED)
        raise
    now = timezone.now()
    ArtifactBuild.objects.filter(pk=build.pk).update(
        status=BuildStatus.DONE, done=build.total, finished_at=now, updated_at=now
    )
    _build_event(build, "artifact_build.finished", status=BuildStatus.DONE)
