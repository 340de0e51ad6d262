"""Publishing the regional plan: a frozen, numbered version with its open-data archive."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, raise_if_errors
from backend.plans.domain.archive import deterministic_zip
from backend.plans.domain.snapshot import snapshot_digest
from backend.programmes import events
from backend.programmes.domain import archive as archive_files
from backend.programmes.domain.stages import Stage, Verb
from backend.programmes.models import NOTE_MAX_LENGTH, Programme, RegionalPlanVersion
from backend.programmes.policies import ensure_allowed
from backend.programmes.selectors.plan import regional_plan_build
from backend.programmes.services.common import lock_programme

LICENCE = (
    "Licence Ouverte / Open Licence version 2.0 (Etalab).\n"
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/\n"
)


@transaction.atomic
def regional_plan_publish(
    *,
    by: User,
    programme: Programme,
    note: str = "",
    force: bool = False,
    accept_over_budget: bool = False,
) -> RegionalPlanVersion:
    """Freeze the regional actions (sources, figures, funding, follow-up), the budget view,
    the coverage and the per-territory annexes as the next version, with its archive.

    PUBLISH: programme organizers, consolidation or adopted stage; the first publication
    adopts the plan (stage consolidation -> adopted). Refused with 409
    regional_plan_incomplete while an action has no decision (unless `force`), and with 409
    over_budget while a funder is beyond its envelope (unless `accept_over_budget`; the
    version is then marked and the overshoot is in the snapshot). Lock: the programme row
    (consecutive numbers; no funding change while the plan is read). Emits
    `regional_plan.published` (and `programme.updated` when the stage moves)."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.PUBLISH)
    fields: FieldErrors = {}
    check_text(fields, "note", note, limit=NOTE_MAX_LENGTH, blank=True)
    raise_if_errors(fields)
    latest = RegionalPlanVersion.objects.filter(programme=programme).aggregate(n=Max("number"))
    number = (latest["n"] or 0) + 1
    published_at = timezone.now()
    built = regional_plan_build(
        programme=programme, number=number, published_at=published_at, note=note
    )
    if built.pending_actions and not force:
        raise errors.RegionalPlanIncomplete(details={"pending_actions": built.pending_actions})
    if built.over_budget_funders and not accept_over_budget:
        raise errors.OverBudget(
            _("A funder is beyond its envelope: confirm with accept_over_budget."),
            details={
                "funders": [f for f in built.snapshot["budget"]["funders"] if f["is_over_budget"]]
            },
        )
    digest = snapshot_digest(built.snapshot)
    readme = archive_files.README_FR.format(
        title=programme.title,
        number=number,
        published_at=built.snapshot["version"]["published_at"],
        sha256=digest,
    )
    zipped = deterministic_zip({**built.files, "README.md": readme, "LICENCE.txt": LICENCE})
    version = RegionalPlanVersion.objects.create(
        programme=programme,
        number=number,
        published_at=published_at,
        published_by=by,
        note=note,
        snapshot=built.snapshot,
        snapshot_sha256=digest,
        archive=zipped.content,
        archive_sha256=zipped.sha256,
        is_over_budget=bool(built.over_budget_funders),
        is_forced=bool(built.pending_actions),
    )
    if programme.stage == Stage.CONSOLIDATION:
        programme.stage = Stage.ADOPTED
        programme.updated_at = published_at
        programme.save(update_fields=["stage", "updated_at"])
        events.emit(
            "programme.updated",
            programme_id=programme.pk,
            data={"stage": programme.stage},
            actor=by.pk,
        )
    events.emit(
        "regional_plan.published",
        programme_id=programme.pk,
        data={"number": number},
        consultations=[r["consultation"] for r in built.snapshot["rounds"]],
        actor=by.pk,
    )
    return version
