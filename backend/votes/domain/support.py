"""Support and approval counts: one support per voter and item, optional threshold."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic

from backend.votes.domain.ballots import Ballots, ItemT, VoterT, competition_ranks, voters_of


@dataclass(frozen=True)
class SupportCount(Generic[ItemT]):
    item: ItemT
    count: int
    rank: int
    has_reached_threshold: bool


@dataclass(frozen=True)
class SupportResult(Generic[ItemT]):
    """Entries best first (most supports; ties keep the order of `items` and share a rank)."""

    entries: tuple[SupportCount[ItemT], ...]
    voter_count: int
    threshold: int | None

    def entry_for(self, item: ItemT) -> SupportCount[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def tally_support(
    *,
    ballots: Ballots[VoterT, ItemT],
    items: Sequence[ItemT],
    threshold: int | None = None,
) -> SupportResult[ItemT]:
    """Count the value-1 rows per item; an item with `count >= threshold` has reached it."""
    counts = dict.fromkeys(items, 0)
    for ballot in ballots.values():
        for item, value in ballot.items():
            if item in counts and value == 1:
                counts[item] += 1
    ordered = sorted(items, key=lambda item: -counts[item])
    ranks = competition_ranks([counts[item] for item in ordered])
    entries = tuple(
        SupportCount(
            item=item,
            count=counts[item],
            rank=rank,
            has_reached_threshold=threshold is not None and counts[item] >= threshold,
        )
        for item, rank in zip(ordered, ranks, strict=True)
    )
    return SupportResult(
        entries=entries, voter_count=len(voters_of(ballots, items)), threshold=threshold
    )


def tally_approval(
    *, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]
) -> SupportResult[ItemT]:
    """Approval voting counts like support, without a threshold."""
    return tally_support(ballots=ballots, items=items)
