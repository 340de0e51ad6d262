"""Reads on costs and funding: totals per funder against envelopes, and "what fits"."""

from typing import Any

from backend.programmes.domain import budget
from backend.programmes.models import Programme, RegionalDecision
from backend.programmes.selectors.data import ProgrammeData, programme_data


def budget_view(data: ProgrammeData) -> dict[str, Any]:
    """Funders with envelope, committed, remaining and over-budget flag; each action's cost,
    funded amount and gap; the "what fits" ranking (domain/budget.py states the rule).
    Actions not retained are left out of the totals and of "what fits"."""
    live = {a.pk for a in data.actions if a.decision != RegionalDecision.NOT_RETAINED}
    lines = [line for line in data.lines if line.action in live]
    envelopes = {f.pk: f.envelope_eur for f in data.funders}
    names = {f.pk: f.name for f in data.funders}
    totals = budget.funder_totals(envelopes, lines)
    rollups = data.rollups()
    order = [pk for pk in data.priority(rollups) if pk in live]
    fits = budget.what_fits(order=order, envelopes=envelopes, lines=lines)
    by_action: dict[int, list[budget.Line]] = {}
    for line in lines:
        by_action.setdefault(line.action, []).append(line)
    return {
        "funders": [{**t.as_dict(), "name": names.get(t.funder, "")} for t in totals],
        "over_budget_funders": budget.over_budget(totals),
        "total_envelopes_eur": sum(envelopes.values()),
        "total_committed_eur": sum(t.committed for t in totals),
        "actions": [
            {
                "action": a.pk,
                "title": a.title,
                "decision": a.decision,
                **budget.action_funding(
                    action=a.pk, cost=a.cost_estimate_eur, lines=by_action.get(a.pk, [])
                ).as_dict(),
            }
            for a in data.actions
            if a.pk in live
        ],
        "what_fits": fits.as_dict(),
    }


def programme_budget(*, programme: Programme) -> dict[str, Any]:
    return budget_view(programme_data(programme=programme, with_follow_up=False))
