"""Writes on costs and funding: funders' envelopes, an action's cost, lines, lead, dates.

Over-budget is never silently accepted: a change that leaves a funder beyond its envelope
is refused (409 over_budget, with the totals) unless the caller confirms it with
`allow_over_budget`; the overshoot then stays visible in the budget view and the plan.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.programmes import events
from backend.programmes.domain import budget
from backend.programmes.domain.stages import Verb
from backend.programmes.models import (
    NAME_MAX_LENGTH,
    Funder,
    FundingLine,
    Programme,
    RegionalAction,
)
from backend.programmes.policies import ensure_allowed
from backend.programmes.services.common import lock_action, lock_programme
from backend.structures.models import Structure

UNSET: Any = object()


def _totals(programme: Programme) -> list[budget.FunderTotal]:
    envelopes = dict(Funder.objects.filter(programme=programme).values_list("id", "envelope_eur"))
    lines = [
        budget.Line(action=a, funder=f, amount=n)
        for a, f, n in FundingLine.objects.filter(funder__programme=programme).values_list(
            "action_id", "funder_id", "amount_eur"
        )
    ]
    return budget.funder_totals(envelopes, lines)


def _refuse_new_overshoot(
    *, before: list[budget.FunderTotal], after: list[budget.FunderTotal], allow: bool
) -> list[int]:
    """Funders over budget after the change; raise if one went (further) over and the caller
    did not confirm."""
    was = {t.funder: t.committed for t in before}
    worse = [t for t in after if t.is_over_budget and t.committed > was.get(t.funder, 0)]
    if worse and not allow:
        raise errors.OverBudget(details={"funders": [t.as_dict() for t in worse]})
    return budget.over_budget(after)


@transaction.atomic
def funder_set(
    *,
    by: User,
    programme: Programme,
    name: str,
    envelope_eur: int,
    structure: Structure | None = None,
    allow_over_budget: bool = False,
) -> Funder:
    """Create a funder or change its envelope (MANAGE). Lowering an envelope below what is
    committed is refused unless `allow_over_budget`. Lock: the programme row."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.MANAGE)
    fields: FieldErrors = {}
    check_text(fields, "name", name, limit=NAME_MAX_LENGTH, blank=False)
    if envelope_eur < 0:
        field_error(fields, "envelope_eur", "min_value", _("An envelope cannot be negative."))
    raise_if_errors(fields)
    funder = Funder.objects.filter(programme=programme, name=name.strip()).first()
    if funder is not None:
        committed = (
            FundingLine.objects.filter(funder=funder).aggregate(n=Sum("amount_eur"))["n"] or 0
        )
        if committed > envelope_eur and not allow_over_budget:
            raise errors.OverBudget(
                details={
                    "funders": [budget.FunderTotal(funder.pk, envelope_eur, committed).as_dict()]
                }
            )
        funder.envelope_eur = envelope_eur
        funder.structure = structure if structure is not None else funder.structure
        funder.save(update_fields=["envelope_eur", "structure"])
    else:
        funder = Funder.objects.create(
            programme=programme, name=name.strip(), envelope_eur=envelope_eur, structure=structure
        )
    events.emit(
        "programme.updated",
        programme_id=programme.pk,
        data={"stage": programme.stage},
        actor=by.pk,
    )
    return funder


@transaction.atomic
def regional_action_set_funding(
    *,
    by: User,
    action: RegionalAction,
    cost_estimate_eur: int | None = UNSET,
    lead_structure: Structure | None = UNSET,
    partner_structures: Sequence[Structure] = UNSET,
    starts_on: date | None = UNSET,
    ends_on: date | None = UNSET,
    lines: Mapping[int, int] | None = None,
    allow_over_budget: bool = False,
) -> RegionalAction:
    """Set what is given (others unchanged). `lines`: funder id -> whole euros, replacing all
    the action's lines (0 removes one). FUND (programme organizers, consolidation).

    Refused with 409 over_budget when a funder ends beyond its envelope because of this
    change, unless `allow_over_budget`. Lock: the programme row (totals per funder are
    checked one change at a time), then the action row. Emits
    `regional_action.funding_changed` with the funders left over budget."""
    programme = lock_programme(action.programme)
    action = lock_action(action)
    ensure_allowed(user=by, programme=programme, verb=Verb.FUND)
    fields: FieldErrors = {}
    if cost_estimate_eur is not UNSET and cost_estimate_eur is not None and cost_estimate_eur < 0:
        field_error(fields, "cost_estimate_eur", "min_value", _("A cost cannot be negative."))
    new_start = action.starts_on if starts_on is UNSET else starts_on
    new_end = action.ends_on if ends_on is UNSET else ends_on
    if new_start is not None and new_end is not None and new_end < new_start:
        field_error(fields, "ends_on", "before_start", _("The end comes before the start."))
    funders = set(Funder.objects.filter(programme=programme).values_list("id", flat=True))
    for funder_id, amount in (lines or {}).items():
        if funder_id not in funders:
            field_error(
                fields, "lines", "unknown_funder", _("Unknown funder: %(f)s.") % {"f": funder_id}
            )
        if amount < 0:
            field_error(fields, "lines", "min_value", _("An amount cannot be negative."))
    raise_if_errors(fields)
    before = _totals(programme)
    if cost_estimate_eur is not UNSET:
        action.cost_estimate_eur = cost_estimate_eur
    if lead_structure is not UNSET:
        action.lead_structure = lead_structure
    action.starts_on, action.ends_on = new_start, new_end
    action.updated_at = timezone.now()
    action.save()
    if partner_structures is not UNSET:
        action.partner_structures.set(partner_structures)
    if lines is not None:
        FundingLine.objects.filter(action=action).delete()
        FundingLine.objects.bulk_create(
            FundingLine(action=action, funder_id=f, amount_eur=n)
            for f, n in sorted(lines.items())
            if n > 0
        )
    over = _refuse_new_overshoot(before=before, after=_totals(programme), allow=allow_over_budget)
    events.emit(
        "regional_action.funding_changed",
        programme_id=programme.pk,
        data={"id": action.pk, "over_budget_funders": over},
        actor=by.pk,
    )
    return action
