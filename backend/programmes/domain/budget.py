"""Costs and funding: totals per funder against its envelope, and the "what fits" view.

Amounts are whole euros (integers): budgets of this kind are voted and reported in euros, and
integer sums are exact.

The "what fits" rule (participatory budgeting's greedy rule, as Paris and Decidim's budgets
use): within each funder's envelope, take the actions in priority order (`rollup.rank_key`)
and keep each one whose line still fits in what remains; an action that does not fit is
skipped and the next ones are still tried. We chose it over an optimal knapsack because it
never drops a higher-priority action for lower-priority ones that merely fill the envelope
better, and anyone can check it by hand in the published CSV. An action fits the plan when
every one of its lines fits its funder's envelope.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    action: int
    funder: int
    amount: int


@dataclass(frozen=True)
class FunderTotal:
    funder: int
    envelope: int
    committed: int

    @property
    def remaining(self) -> int:
        return self.envelope - self.committed

    @property
    def is_over_budget(self) -> bool:
        return self.committed > self.envelope

    def as_dict(self) -> dict[str, object]:
        return {
            "funder": self.funder,
            "envelope_eur": self.envelope,
            "committed_eur": self.committed,
            "remaining_eur": self.remaining,
            "is_over_budget": self.is_over_budget,
            "over_by_eur": max(0, -self.remaining),
        }


def funder_totals(envelopes: Mapping[int, int], lines: Iterable[Line]) -> list[FunderTotal]:
    """Committed amount per funder (every line given), in funder id order."""
    committed = dict.fromkeys(envelopes, 0)
    for line in lines:
        committed[line.funder] = committed.get(line.funder, 0) + line.amount
    return [
        FunderTotal(funder=f, envelope=envelopes.get(f, 0), committed=committed[f])
        for f in sorted(committed)
    ]


def over_budget(totals: Iterable[FunderTotal]) -> list[int]:
    return [total.funder for total in totals if total.is_over_budget]


@dataclass(frozen=True)
class ActionFunding:
    action: int
    cost: int | None
    funded: int

    @property
    def gap(self) -> int | None:
        """Cost not yet covered by funding lines (negative: over-funded); None without cost."""
        return None if self.cost is None else self.cost - self.funded

    def as_dict(self) -> dict[str, object]:
        return {"cost_estimate_eur": self.cost, "funded_eur": self.funded, "gap_eur": self.gap}


def action_funding(*, cost: int | None, lines: Iterable[Line], action: int) -> ActionFunding:
    return ActionFunding(action=action, cost=cost, funded=sum(line.amount for line in lines))


@dataclass(frozen=True)
class FitEntry:
    action: int
    rank: int  # 1-based priority over all actions
    amount: int
    fits: bool
    cumulative: int  # sum of the fitting lines up to and including this one

    def as_dict(self) -> dict[str, object]:
        return {
            "action": self.action,
            "rank": self.rank,
            "amount_eur": self.amount,
            "fits": self.fits,
            "cumulative_eur": self.cumulative,
        }


@dataclass(frozen=True)
class FunderFit:
    funder: int
    envelope: int
    entries: tuple[FitEntry, ...]

    @property
    def used(self) -> int:
        return sum(entry.amount for entry in self.entries if entry.fits)

    def as_dict(self) -> dict[str, object]:
        return {
            "funder": self.funder,
            "envelope_eur": self.envelope,
            "used_eur": self.used,
            "left_eur": self.envelope - self.used,
            "entries": [entry.as_dict() for entry in self.entries],
        }


@dataclass(frozen=True)
class WhatFits:
    order: tuple[int, ...]  # every action, in priority order
    funders: tuple[FunderFit, ...]
    fitting_actions: tuple[int, ...]  # every line fits (actions with no line are left out)
    not_fitting_actions: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": "greedy_by_priority_within_each_envelope",
            "priority": [
                "territories_raised desc",
                "distinct_people desc",
                "distinct_structures desc",
                "cost_estimate_eur asc",
                "id asc",
            ],
            "order": list(self.order),
            "funders": [funder.as_dict() for funder in self.funders],
            "fitting_actions": list(self.fitting_actions),
            "not_fitting_actions": list(self.not_fitting_actions),
        }


def what_fits(
    *, order: Sequence[int], envelopes: Mapping[int, int], lines: Iterable[Line]
) -> WhatFits:
    """Greedy fill of each envelope in priority `order` (see the module docstring)."""
    rank = {action: index + 1 for index, action in enumerate(order)}
    by_funder: dict[int, list[Line]] = {}
    all_lines = [line for line in lines if line.action in rank]
    for line in all_lines:
        by_funder.setdefault(line.funder, []).append(line)
    failed: set[int] = set()
    funders = []
    for funder in sorted(set(envelopes) | set(by_funder)):
        envelope = envelopes.get(funder, 0)
        used = 0
        entries = []
        for line in sorted(by_funder.get(funder, []), key=lambda ln: rank[ln.action]):
            fits = used + line.amount <= envelope
            if fits:
                used += line.amount
            else:
                failed.add(line.action)
            entries.append(FitEntry(line.action, rank[line.action], line.amount, fits, used))
        funders.append(FunderFit(funder=funder, envelope=envelope, entries=tuple(entries)))
    funded = {line.action for line in all_lines}
    return WhatFits(
        order=tuple(order),
        funders=tuple(funders),
        fitting_actions=tuple(a for a in order if a in funded and a not in failed),
        not_fitting_actions=tuple(a for a in order if a in failed),
    )
