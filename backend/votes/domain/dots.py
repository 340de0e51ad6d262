"""Dots: points spread over items, summed per item."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic

from backend.votes.domain.ballots import Ballots, ItemT, VoterT, competition_ranks, voters_of


@dataclass(frozen=True)
class DotsTotal(Generic[ItemT]):
    item: ItemT
    points: int
    voter_count: int  # voters who put at least one point on the item
    rank: int


@dataclass(frozen=True)
class DotsResult(Generic[ItemT]):
    """Entries best first (most points; ties keep the order of `items` and share a rank)."""

    entries: tuple[DotsTotal[ItemT], ...]
    voter_count: int

    def entry_for(self, item: ItemT) -> DotsTotal[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def tally_dots(*, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]) -> DotsResult[ItemT]:
    """Sum the positive values per item (the validator refuses the others)."""
    points = dict.fromkeys(items, 0)
    givers = dict.fromkeys(items, 0)
    for ballot in ballots.values():
        for item, value in ballot.items():
            if item in points and value > 0:
                points[item] += value
                givers[item] += 1
    ordered = sorted(items, key=lambda item: -points[item])
    ranks = competition_ranks([points[item] for item in ordered])
    return DotsResult(
        entries=tuple(
            DotsTotal(item=item, points=points[item], voter_count=givers[item], rank=rank)
            for item, rank in zip(ordered, ranks, strict=True)
        ),
        voter_count=len(voters_of(ballots, items)),
    )
