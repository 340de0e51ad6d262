"""Results as plain JSON-ready data, from ballots, from per-value counts or from the ballot file.

The same shapes come out of every path, so anyone holding the published anonymized ballot file
can recount and compare with the frozen result. No Django import here.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from backend.votes.domain.agree import tally_agree
from backend.votes.domain.ballots import Method, competition_ranks
from backend.votes.domain.dots import tally_dots
from backend.votes.domain.majority_judgment import (
    GRADE_COUNT,
    MajorityJudgmentResult,
    merit_profile,
    rank_profiles,
    tally_majority_judgment,
)
from backend.votes.domain.ranking import tally_borda, tally_schulze
from backend.votes.domain.support import SupportResult, tally_support

# One row per ballot line, ordered by pseudonym then item. `superseded` (1 or 0): in a
# "one structure, one voice" vote, a later line of the same structure replaced this one.
# Files published before `superseded` existed list lines oldest write first instead.
CSV_COLUMNS = (
    "pseudonym",
    "structure",
    "item",
    "value",
    "origin",
    "structure_type",
    "captured_on",
    "superseded",
)

Result = dict[str, Any]
# rows: (voter key, structure key or None, item, value), oldest write first.
Row = tuple[str, str | None, int, int]


def ballots_from_rows(
    rows: Iterable[Row], *, one_structure_one_voice: bool = False
) -> dict[str, dict[int, int]]:
    """Group lines into ballots; with "one structure, one voice", a line cast for a structure
    belongs to the structure and the latest such line per (structure, item) counts."""
    ballots: dict[str, dict[int, int]] = {}
    for voter, structure, item, value in rows:
        key = f"s:{structure}" if one_structure_one_voice and structure else f"v:{voter}"
        ballots.setdefault(key, {})[item] = value
    return ballots


def _support(result: SupportResult[int], method: Method) -> Result:
    return {
        "method": str(method),
        "voter_count": result.voter_count,
        "threshold": result.threshold,
        "entries": [
            {
                "item": entry.item,
                "rank": entry.rank,
                "count": entry.count,
                "has_reached_threshold": entry.has_reached_threshold,
            }
            for entry in result.entries
        ],
    }


def _majority_judgment(result: MajorityJudgmentResult[int]) -> Result:
    return {
        "method": str(Method.MAJORITY_JUDGMENT),
        "voter_count": result.voter_count,
        "entries": [
            {
                "item": entry.item,
                "rank": entry.rank,
                "majority_grade": entry.majority_grade,
                "profile": list(entry.profile),
                "better_count": entry.better_count,
                "worse_count": entry.worse_count,
            }
            for entry in result.entries
        ],
    }


def _threshold(options: Mapping[str, Any]) -> int | None:
    value = options.get("threshold")
    return value if isinstance(value, int) else None


def result_from_ballots(
    *,
    method: str,
    items: Sequence[int],
    ballots: Mapping[str, Mapping[int, int]],
    options: Mapping[str, Any],
) -> Result:
    """Tally whole ballots with the method's counting rule."""
    kind = Method(method)
    if kind in (Method.SUPPORT, Method.APPROVAL):
        threshold = _threshold(options) if kind == Method.SUPPORT else None
        return _support(tally_support(ballots=ballots, items=items, threshold=threshold), kind)
    if kind == Method.MAJORITY_JUDGMENT:
        return _majority_judgment(tally_majority_judgment(ballots=ballots, items=items))
    if kind == Method.DOTS:
        dots = tally_dots(ballots=ballots, items=items)
        return {
            "method": str(kind),
            "voter_count": dots.voter_count,
            "entries": [
                {
                    "item": entry.item,
                    "rank": entry.rank,
                    "points": entry.points,
                    "voter_count": entry.voter_count,
                }
                for entry in dots.entries
            ],
        }
    if kind == Method.RANKING:
        schulze = tally_schulze(ballots=ballots, items=items)
        borda = tally_borda(ballots=ballots, items=items)
        return {
            "method": str(kind),
            "voter_count": schulze.voter_count,
            "entries": [{"item": entry.item, "rank": entry.rank} for entry in schulze.entries],
            "preferences": [list(row) for row in schulze.preferences],
            "borda": [
                {"item": entry.item, "rank": entry.rank, "points": entry.points}
                for entry in borda.entries
            ],
        }
    agree = tally_agree(ballots=ballots, items=items)
    return {
        "method": str(kind),
        "voter_count": agree.voter_count,
        "entries": [
            {
                "item": entry.item,
                "agree": entry.agree,
                "disagree": entry.disagree,
                "passed": entry.passed,
                "total": entry.total,
            }
            for entry in agree.entries
        ],
    }


def counts_suffice(method: str) -> bool:
    """Whether per-(item, value) counts and the voter count give the result (all but ranking)."""
    return Method(method) != Method.RANKING


def result_from_counts(
    *,
    method: str,
    items: Sequence[int],
    counts: Mapping[tuple[int, int], int],
    voter_count: int,
    options: Mapping[str, Any],
) -> Result:
    """The result from `counts[(item, value)]` (a GROUP BY item, value) and the number of
    voters, without the ballots; equal to `result_from_ballots` on the same lines."""
    kind = Method(method)
    if kind == Method.RANKING:
        raise ValueError("ranking needs whole ballots")
    if kind == Method.MAJORITY_JUDGMENT:
        grades: dict[int, dict[int, int]] = {item: {} for item in items}
        for (item, value), count in counts.items():
            if item in grades and 0 <= value < GRADE_COUNT:
                grades[item][value] = count
        return _majority_judgment(
            rank_profiles(
                profiles={
                    item: merit_profile(counts=grades[item], voter_count=voter_count)
                    for item in items
                }
            )
        )
    per_item: dict[int, dict[int, int]] = {item: {} for item in items}
    for (item, value), count in counts.items():
        if item in per_item:
            per_item[item][value] = count
    if kind in (Method.SUPPORT, Method.APPROVAL):
        supports = {item: per_item[item].get(1, 0) for item in items}
        ordered = sorted(items, key=lambda item: -supports[item])
        threshold = _threshold(options) if kind == Method.SUPPORT else None
        return {
            "method": str(kind),
            "voter_count": voter_count,
            "threshold": threshold,
            "entries": [
                {
                    "item": item,
                    "rank": rank,
                    "count": supports[item],
                    "has_reached_threshold": threshold is not None and supports[item] >= threshold,
                }
                for item, rank in zip(
                    ordered, competition_ranks([supports[i] for i in ordered]), strict=True
                )
            ],
        }
    if kind == Method.DOTS:
        points = {
            item: sum(value * n for value, n in per_item[item].items() if value > 0)
            for item in items
        }
        givers = {
            item: sum(n for value, n in per_item[item].items() if value > 0) for item in items
        }
        ordered = sorted(items, key=lambda item: -points[item])
        return {
            "method": str(kind),
            "voter_count": voter_count,
            "entries": [
                {"item": item, "rank": rank, "points": points[item], "voter_count": givers[item]}
                for item, rank in zip(
                    ordered, competition_ranks([points[i] for i in ordered]), strict=True
                )
            ],
        }
    entries = []
    for item in items:
        agree, disagree, passed = (per_item[item].get(value, 0) for value in (1, -1, 0))
        entries.append(
            {
                "item": item,
                "agree": agree,
                "disagree": disagree,
                "passed": passed,
                "total": agree + disagree + passed,
            }
        )
    return {"method": str(kind), "voter_count": voter_count, "entries": entries}


def recount_from_csv(
    text: str, method: str, items: Sequence[int], options: Mapping[str, Any]
) -> Result:
    """Recount from the published ballot file. `options` are the vote's (threshold ...) and
    `one_structure_one_voice`; `items` in the order of the vote (ascending ids)."""
    reader = csv.DictReader(io.StringIO(text))
    rows: list[Row] = [
        (row["pseudonym"], row["structure"] or None, int(row["item"]), int(row["value"]))
        for row in reader
        if row.get("superseded", "0") != "1"
    ]
    ballots = ballots_from_rows(
        rows, one_structure_one_voice=bool(options.get("one_structure_one_voice"))
    )
    return result_from_ballots(method=method, items=items, ballots=ballots, options=options)
