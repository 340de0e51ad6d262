"""Checks one voter's ballot against the vote's method, items and rules."""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic

from backend.votes.domain.ballots import ItemT, Method
from backend.votes.domain.majority_judgment import GRADE_COUNT


class BallotProblemCode(StrEnum):
    UNKNOWN_ITEM = "unknown_item"
    INVALID_VALUE = "invalid_value"
    TOO_MANY_SUPPORTS = "too_many_supports"
    OVER_BUDGET = "over_budget"
    TOO_MANY_ON_ITEM = "too_many_on_item"
    INVALID_GRADE = "invalid_grade"
    INVALID_RANK = "invalid_rank"
    DUPLICATE_RANK = "duplicate_rank"


@dataclass(frozen=True)
class BallotRules:
    """The organizer's options; None means no limit."""

    max_supports: int | None = None
    dots_budget: int | None = None
    dots_max_per_item: int | None = None


@dataclass(frozen=True)
class BallotProblem(Generic[ItemT]):
    """One problem; `item` is None when it concerns the whole ballot (budget, supports)."""

    code: BallotProblemCode
    item: ItemT | None = None


AGREE_VALUES = frozenset({-1, 0, 1})


def ballot_problems(
    *,
    method: Method,
    ballot: Mapping[ItemT, int],
    items: Collection[ItemT],
    rules: BallotRules | None = None,
) -> list[BallotProblem[ItemT]]:
    """Every problem of `ballot` (item -> value), in ballot order, whole-ballot ones last.

    Values on unknown items are reported once as `unknown_item` and otherwise ignored. A
    ranking must use the ranks 1..k, each once, for its k ranked items: ties are refused.
    """
    rules = rules or BallotRules()
    problems: list[BallotProblem[ItemT]] = [
        BallotProblem(BallotProblemCode.UNKNOWN_ITEM, item) for item in ballot if item not in items
    ]
    known = {item: value for item, value in ballot.items() if item in items}
    if method in (Method.SUPPORT, Method.APPROVAL):
        problems += _support_problems(known, rules)
    elif method == Method.DOTS:
        problems += _dots_problems(known, rules)
    elif method == Method.MAJORITY_JUDGMENT:
        problems += [
            BallotProblem(BallotProblemCode.INVALID_GRADE, item)
            for item, value in known.items()
            if not 0 <= value < GRADE_COUNT
        ]
    elif method == Method.RANKING:
        problems += _ranking_problems(known)
    elif method == Method.AGREE:
        problems += [
            BallotProblem(BallotProblemCode.INVALID_VALUE, item)
            for item, value in known.items()
            if value not in AGREE_VALUES
        ]
    return problems


def _support_problems(known: Mapping[ItemT, int], rules: BallotRules) -> list[BallotProblem[ItemT]]:
    problems = [
        BallotProblem(BallotProblemCode.INVALID_VALUE, item)
        for item, value in known.items()
        if value != 1
    ]
    if rules.max_supports is not None and len(known) > rules.max_supports:
        problems.append(BallotProblem(BallotProblemCode.TOO_MANY_SUPPORTS))
    return problems


def _dots_problems(known: Mapping[ItemT, int], rules: BallotRules) -> list[BallotProblem[ItemT]]:
    problems: list[BallotProblem[ItemT]] = []
    for item, value in known.items():
        if value < 1:
            problems.append(BallotProblem(BallotProblemCode.INVALID_VALUE, item))
        elif rules.dots_max_per_item is not None and value > rules.dots_max_per_item:
            problems.append(BallotProblem(BallotProblemCode.TOO_MANY_ON_ITEM, item))
    spent = sum(value for value in known.values() if value > 0)
    if rules.dots_budget is not None and spent > rules.dots_budget:
        problems.append(BallotProblem(BallotProblemCode.OVER_BUDGET))
    return problems


def _ranking_problems(known: Mapping[ItemT, int]) -> list[BallotProblem[ItemT]]:
    # Ranks within 1..k and pairwise distinct is exactly "a permutation of 1..k".
    ranked = len(known)
    uses = Counter(known.values())
    problems: list[BallotProblem[ItemT]] = []
    for item, rank in known.items():
        if not 1 <= rank <= ranked:
            problems.append(BallotProblem(BallotProblemCode.INVALID_RANK, item))
        elif uses[rank] > 1:
            problems.append(BallotProblem(BallotProblemCode.DUPLICATE_RANK, item))
    return problems
