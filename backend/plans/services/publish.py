"""Writes on the plan: publishing a new frozen version, in the request or as a job."""

import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.plans.domain.snapshot import snapshot_digest
from backend.plans.models import (
    NOTE_MAX_LENGTH,
    PUBLISH_STEP,
    ArtifactBuild,
    ArtifactKind,
    PlanVersion,
)
from backend.plans.selectors.artifacts import open_data_state
from backend.plans.selectors.snapshot import (
    plan_blockers,
    plan_contribution_count,
    plan_snapshot,
    plan_state,
)
from backend.plans.services.artifacts import (
    FILE_STEPS,
    PLAN_KINDS,
    artifact_build_enqueue_on_commit,
    artifact_build_request,
)


def _note_check(note: str) -> None:
    if len(note) > NOTE_MAX_LENGTH:
        raise errors.ValidationFailed(
            fields={
                "note": [
                    {
                        "code": "max_length",
                        "message": _("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH},
                    }
                ]
            }
        )


def _incomplete(*, missing_answers: list[int], pending_actions: list[int]) -> errors.PlanIncomplete:
    return errors.PlanIncomplete(
        details={"missing_answers": missing_answers, "pending_actions": pending_actions}
    )


@transaction.atomic
def plan_publish(
    *,
    by: User,
    consultation: Consultation,
    note: str = "",
    force: bool = False,
    queue_files: bool = True,
) -> PlanVersion:
    """Freeze the current candidate actions, decisions and answers as the next version.

    Gate: PUBLISH_PLAN (organizers, restitution phase). Refused with 409 plan_incomplete
    while a published contribution has no answer or an action has no decision, unless
    `force` (the snapshot then lists them and the version is marked forced). Lock: the
    consultation row (select_for_update), so concurrent publications get consecutive
    numbers. Emits `plan.published` after commit, then queues the build of the version's
    published files (`artifact_build_request`) unless `queue_files` is false (a publication
    job builds them itself). One transaction: a publication that fails or whose process dies
    leaves no version.
    """
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("territory")
        .get(pk=consultation.pk)
    )
    ensure_allowed(user=by, consultation=consultation, verb=Verb.PUBLISH_PLAN)
    _note_check(note)
    state = plan_state(consultation=consultation)
    if not state.is_complete and not force:
        raise _incomplete(
            missing_answers=state.missing_answers, pending_actions=state.pending_actions
        )
    latest = PlanVersion.objects.filter(consultation=consultation).aggregate(n=Max("number"))
    number = (latest["n"] or 0) + 1
    published_at = timezone.now()
    snapshot = plan_snapshot(
        consultation=consultation,
        state=state,
        number=number,
        published_at=published_at,
        note=note,
    )
    # The open-data counter moves with this row now rather than at commit, so that the build
    # queued below is keyed by the state readers will see (the counter is the last lock).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS plans_planversion_open_data_bump IMMEDIATE")
    version = PlanVersion.objects.create(
        consultation=consultation,
        number=number,
        published_at=published_at,
        published_by=by,
        note=note,
        snapshot=snapshot,
        snapshot_sha256=snapshot_digest(snapshot),
        is_forced=not state.is_complete,
    )
    emit_after_commit(
        group=consultation_group(consultation.pk),
        event="plan.published",
        data={"consultation": consultation.pk, "number": number},
    )
    if queue_files:
        # The published files (plan CSV, JSON, HTML, open-data archive) are built once, by a job.
        artifact_build_request(
            consultation=consultation, state=open_data_state(consultation=consultation)
        )
    return version


PUBLISH_STEPS = 2  # the plan's state read, the version written


@transaction.atomic
def plan_publish_start(
    *, by: User, consultation: Consultation, note: str = "", force: bool = False
) -> PlanVersion | ArtifactBuild:
    """Publish the plan now (`plan_publish`) when the consultation has at most
    PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS published contributions; otherwise check what the
    request can check cheaply (the gate, the note, the missing answers and pending actions:
    the same 403, 409 and 400 as `plan_publish`), and queue a publication job: an
    `ArtifactBuild` whose first step publishes the version (`artifact_build_execute`), then
    builds its files. Emits `artifact_build.queued` after commit; the job is enqueued after
    commit. The job checks everything again under the consultation lock.
    """
    if plan_contribution_count(consultation=consultation) <= (
        settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS
    ):
        return plan_publish(by=by, consultation=consultation, note=note, force=force)
    ensure_allowed(user=by, consultation=consultation, verb=Verb.PUBLISH_PLAN)
    _note_check(note)
    if not force:
        missing, pending = plan_blockers(consultation=consultation)
        if missing or pending:
            raise _incomplete(missing_answers=missing, pending_actions=pending)
    kinds = [PUBLISH_STEP, ArtifactKind.OPEN_DATA, *PLAN_KINDS]
    build = ArtifactBuild.objects.create(
        consultation=consultation,
        # Each request is its own publication (two requests: two versions, as in the request).
        state_key=f"publish-{uuid.uuid4().hex}",
        kinds=kinds,
        total=PUBLISH_STEPS + FILE_STEPS,
        requested_by=by,
        note=note,
        force=force,
    )
    artifact_build_enqueue_on_commit(build)
    return build
