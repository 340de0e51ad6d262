"""Majority judgment (Balinski & Laraki): merit profiles, majority grade, exact ranking.

Grades are indices, best first: 0 Excellent, 1 Très bien, 2 Bien, 3 Assez bien, 4 Passable,
5 Insuffisant, 6 À rejeter. A profile is a tuple of counts indexed by grade. Every voter (anyone
with a value on at least one item of the vote) judges every item: an item a voter left
ungraded counts as "À rejeter". All items therefore have the same number of judgments.

The majority grade is the lower median: with an even number of judgments, the worse of the
two middle grades. Items are ordered by their majority value, the sequence of majority grades
obtained by removing one median judgment at a time, compared lexicographically (best grade
wins at the first difference). Two items tie exactly when their profiles are equal. The
majority gauge (grade, share better p, share worse q, sign + when p > q) decides most pairs at
once; when it ties, the majority value decides, computed from the profiles in O(grades)
rather than by expanding the n judgments.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cmp_to_key
from typing import Generic

from backend.votes.domain.ballots import Ballots, ItemT, VoterT, competition_ranks, voters_of


class Grade(IntEnum):
    EXCELLENT = 0
    VERY_GOOD = 1
    GOOD = 2
    FAIRLY_GOOD = 3
    PASSABLE = 4
    INSUFFICIENT = 5
    REJECT = 6


GRADE_LABELS: Mapping[Grade, str] = {
    Grade.EXCELLENT: "Excellent",
    Grade.VERY_GOOD: "Très bien",
    Grade.GOOD: "Bien",
    Grade.FAIRLY_GOOD: "Assez bien",
    Grade.PASSABLE: "Passable",
    Grade.INSUFFICIENT: "Insuffisant",
    Grade.REJECT: "À rejeter",
}
GRADE_COUNT = len(Grade)

Profile = tuple[int, ...]
Runs = list[tuple[int, int]]  # (grade, how many in a row)


@dataclass(frozen=True)
class Gauge:
    """The majority gauge in counts: judgments strictly better / worse than the grade."""

    grade: int
    better: int
    worse: int

    @property
    def is_better_leaning(self) -> bool:
        """The "+" sign of Balinski & Laraki: more judgments above the grade than below."""
        return self.better > self.worse


@dataclass(frozen=True)
class MajorityJudgmentEntry(Generic[ItemT]):
    item: ItemT
    rank: int
    majority_grade: int | None  # None only when nobody voted
    profile: Profile
    better_count: int  # gauge p, as a count
    worse_count: int  # gauge q, as a count

    @property
    def better_share(self) -> float:
        total = sum(self.profile)
        return self.better_count / total if total else 0.0

    @property
    def worse_share(self) -> float:
        total = sum(self.profile)
        return self.worse_count / total if total else 0.0


@dataclass(frozen=True)
class MajorityJudgmentResult(Generic[ItemT]):
    """Entries best first; ties (equal profiles) share a rank and keep the order of `items`."""

    entries: tuple[MajorityJudgmentEntry[ItemT], ...]
    voter_count: int

    def entry_for(self, item: ItemT) -> MajorityJudgmentEntry[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def merit_profile(
    *, counts: Mapping[int, int], voter_count: int, grade_count: int = GRADE_COUNT
) -> Profile:
    """A profile from per-grade counts (e.g. a GROUP BY): missing judgments are the worst grade."""
    if any(not 0 <= grade < grade_count for grade in counts):
        raise ValueError("grade out of range")
    if any(count < 0 for count in counts.values()):
        raise ValueError("negative count")
    graded = sum(counts.values())
    if graded > voter_count:
        raise ValueError("more judgments than voters")
    profile = [counts.get(grade, 0) for grade in range(grade_count)]
    profile[-1] += voter_count - graded
    return tuple(profile)


def majority_grade(profile: Sequence[int]) -> int | None:
    """The lower median grade, or None for an empty profile."""
    n = sum(profile)
    if n == 0:
        return None
    position = n // 2  # 0-based, best first: the worse middle one when n is even
    seen = 0
    for grade, count in enumerate(profile):
        seen += count
        if seen > position:
            return grade
    raise AssertionError("unreachable: position < n")


def majority_gauge(profile: Sequence[int]) -> Gauge | None:
    grade = majority_grade(profile)
    if grade is None:
        return None
    return Gauge(grade=grade, better=sum(profile[:grade]), worse=sum(profile[grade + 1 :]))


def majority_value(profile: Sequence[int]) -> tuple[int, ...]:
    """The full sequence of successive majority grades (O(n): for display and small votes)."""
    judgments = [grade for grade, count in enumerate(profile) for _ in range(count)]
    sequence = []
    while judgments:
        sequence.append(judgments.pop(len(judgments) // 2))
    return tuple(sequence)


@dataclass(frozen=True)
class _Key:
    profile: Profile
    gauge: Gauge | None
    # The majority value interleaves two monotone halves of the sorted judgments: `left`
    # walks from the median towards the best grades, `right` towards the worst ones.
    left: Runs
    right: Runs


def _key(profile: Profile) -> _Key:
    n = sum(profile)
    left_size = (n + 1) // 2
    left: Runs = []
    right: Runs = []
    start = 0
    for grade, count in enumerate(profile):
        in_left = max(0, min(start + count, left_size) - start)
        if in_left:
            left.append((grade, in_left))
        if count - in_left:
            right.append((grade, count - in_left))
        start += count
    left.reverse()
    return _Key(profile=profile, gauge=majority_gauge(profile), left=left, right=right)


def _first_difference(xs: Runs, ys: Runs) -> tuple[int, int, int] | None:
    """(index, x grade, y grade) of the first difference of two equally long run lists."""
    i = j = used_x = used_y = offset = 0
    while i < len(xs) and j < len(ys):
        (grade_x, length_x), (grade_y, length_y) = xs[i], ys[j]
        if grade_x != grade_y:
            return offset, grade_x, grade_y
        step = min(length_x - used_x, length_y - used_y)
        offset, used_x, used_y = offset + step, used_x + step, used_y + step
        if used_x == length_x:
            i, used_x = i + 1, 0
        if used_y == length_y:
            j, used_y = j + 1, 0
    return None


def _compare_majority_values(a: _Key, b: _Key) -> int:
    # Removing medians takes alternately from each half: first from `right` when n is even
    # (the lower median is the worse middle judgment), from `left` when n is odd.
    right_first = sum(a.profile) % 2 == 0
    differences = []
    left = _first_difference(a.left, b.left)
    if left is not None:
        differences.append((2 * left[0] + (1 if right_first else 0), left[1], left[2]))
    right = _first_difference(a.right, b.right)
    if right is not None:
        differences.append((2 * right[0] + (0 if right_first else 1), right[1], right[2]))
    if not differences:
        return 0
    _, grade_a, grade_b = min(differences)
    return -1 if grade_a < grade_b else 1


def _compare_gauges(a: Gauge, b: Gauge) -> int:
    """-1 / 1 when the gauge decides, 0 when it ties (then the majority value decides)."""
    if a.grade != b.grade:
        return -1 if a.grade < b.grade else 1
    if a.is_better_leaning != b.is_better_leaning:
        return -1 if a.is_better_leaning else 1
    if a.is_better_leaning and a.better != b.better:
        return -1 if a.better > b.better else 1
    if not a.is_better_leaning and a.worse != b.worse:
        return -1 if a.worse < b.worse else 1
    return 0


def _compare(a: _Key, b: _Key) -> int:
    if a.gauge is None or b.gauge is None:
        return 0
    return _compare_gauges(a.gauge, b.gauge) or _compare_majority_values(a, b)


def compare_profiles(a: Sequence[int], b: Sequence[int]) -> int:
    """-1 if `a` ranks before `b`, 1 if after, 0 for a tie (profiles of the same total)."""
    return _compare(_key(tuple(a)), _key(tuple(b)))


def rank_profiles(*, profiles: Mapping[ItemT, Sequence[int]]) -> MajorityJudgmentResult[ItemT]:
    """Order items by majority judgment from their profiles (same length, same total)."""
    keys = {item: _key(tuple(profile)) for item, profile in profiles.items()}
    if len({len(key.profile) for key in keys.values()}) > 1:
        raise ValueError("profiles must have the same number of grades")
    totals = {sum(key.profile) for key in keys.values()}
    if len(totals) > 1:
        raise ValueError("profiles must have the same number of judgments")
    ordered = sorted(keys, key=lambda item: cmp_to_key(_compare)(keys[item]))
    ranks = competition_ranks([keys[item].profile for item in ordered])
    entries = []
    for item, rank in zip(ordered, ranks, strict=True):
        key = keys[item]
        entries.append(
            MajorityJudgmentEntry(
                item=item,
                rank=rank,
                majority_grade=key.gauge.grade if key.gauge else None,
                profile=key.profile,
                better_count=key.gauge.better if key.gauge else 0,
                worse_count=key.gauge.worse if key.gauge else 0,
            )
        )
    return MajorityJudgmentResult(entries=tuple(entries), voter_count=totals.pop() if totals else 0)


def tally_majority_judgment(
    *, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]
) -> MajorityJudgmentResult[ItemT]:
    """Profiles from the ballots (ungraded or out-of-range = À rejeter), then ranked."""
    voters = voters_of(ballots, items)
    counts: dict[ItemT, dict[int, int]] = {item: {} for item in items}
    for voter in voters:
        for item, grade in ballots[voter].items():
            if item in counts and 0 <= grade < GRADE_COUNT:
                counts[item][grade] = counts[item].get(grade, 0) + 1
    return rank_profiles(
        profiles={
            item: merit_profile(counts=counts[item], voter_count=len(voters)) for item in items
        }
    )
