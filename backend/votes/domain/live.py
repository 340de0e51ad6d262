"""Running totals: how one voter's change of ballot moves the per-(item, value) counts.

Live results read counts kept up to date by these deltas instead of recounting every line.
No Django import here.
"""

from collections.abc import Iterable, Mapping

# (item, value) -> change of the number of lines with that value on that item.
CountDeltas = dict[tuple[int, int], int]


def ballot_deltas(before: Mapping[int, int], after: Mapping[int, int]) -> tuple[CountDeltas, int]:
    """The count changes and the voter-count change when a voter's ballot goes from `before`
    to `after` (item -> value; empty = no ballot). Unchanged lines give no delta."""
    deltas: CountDeltas = {}
    for item, value in before.items():
        deltas[(item, value)] = deltas.get((item, value), 0) - 1
    for item, value in after.items():
        deltas[(item, value)] = deltas.get((item, value), 0) + 1
    voters = int(bool(after)) - int(bool(before))
    return {key: change for key, change in deltas.items() if change}, voters


def combined_deltas(
    changes: Iterable[tuple[Mapping[int, int], Mapping[int, int]]],
) -> tuple[CountDeltas, int]:
    """The sum of `ballot_deltas` over several voters' (before, after) ballots."""
    total: CountDeltas = {}
    voters = 0
    for before, after in changes:
        deltas, voter_change = ballot_deltas(before, after)
        voters += voter_change
        for key, change in deltas.items():
            total[key] = total.get(key, 0) + change
    return {key: change for key, change in total.items() if change}, voters


def apply_deltas(counts: Mapping[tuple[int, int], int], deltas: CountDeltas) -> CountDeltas:
    """`counts` moved by `deltas`, zero counts dropped (what the database rows sum to)."""
    moved = dict(counts)
    for key, change in deltas.items():
        moved[key] = moved.get(key, 0) + change
    return {key: count for key, count in moved.items() if count}
