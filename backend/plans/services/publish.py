"""Writes on the plan: publishing a new frozen version."""

from django.db import transaction
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
from backend.plans.models import NOTE_MAX_LENGTH, PlanVersion
from backend.plans.selectors.artifacts import open_data_state
from backend.plans.selectors.snapshot import plan_snapshot, plan_state
from backend.plans.services.artifacts import artifact_build_request


@transaction.atomic
def plan_publish(
    *, by: User, consultation: Consultation, note: str = "", force: bool = False
) -> PlanVersion:
    """Freeze the current candidate actions, decisions and answers as the next version.

    Gate: PUBLISH_PLAN (organizers, restitution phase). Refused with 409 plan_incomplete
    while a published contribution has no answer or an action has no decision, unless
    `force` (the snapshot then lists them and the version is marked forced). Lock: the
    consultation row (select_for_update), so concurrent publications get consecutive
    numbers. Emits `plan.published` after commit, then queues the build of the version's
    published files (`artifact_build_request`).
    """
    consultation = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("territory")
        .get(pk=consultation.pk)
    )
    ensure_allowed(user=by, consultation=consultation, verb=Verb.PUBLISH_PLAN)
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
    state = plan_state(consultation=consultation)
    if not state.is_complete and not force:
        raise errors.PlanIncomplete(
            details={
                "missing_answers": state.missing_answers,
                "pending_actions": state.pending_actions,
            }
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
    # The published files (plan CSV, JSON, HTML, open-data archive) are built once, by a job.
    artifact_build_request(
        consultation=consultation, state=open_data_state(consultation=consultation)
    )
    return version
