"""Agree / disagree / pass counts and shares per statement (Pol.is style)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic

from backend.votes.domain.ballots import Ballots, ItemT, VoterT, voters_of

AGREE = 1
DISAGREE = -1
PASS = 0


@dataclass(frozen=True)
class StatementCount(Generic[ItemT]):
    """Shares are out of the voters who answered this statement (passes included)."""

    item: ItemT
    agree: int
    disagree: int
    passed: int

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed

    @property
    def agree_share(self) -> float:
        return self.agree / self.total if self.total else 0.0

    @property
    def disagree_share(self) -> float:
        return self.disagree / self.total if self.total else 0.0

    @property
    def pass_share(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class AgreeResult(Generic[ItemT]):
    """Entries in the order of `items`: statements are not ranked."""

    entries: tuple[StatementCount[ItemT], ...]
    voter_count: int

    def entry_for(self, item: ItemT) -> StatementCount[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def tally_agree(*, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]) -> AgreeResult[ItemT]:
    """Count 1 as agree, -1 as disagree, 0 as pass; other values are ignored."""
    counts = {item: {AGREE: 0, DISAGREE: 0, PASS: 0} for item in items}
    for ballot in ballots.values():
        for item, value in ballot.items():
            if item in counts and value in counts[item]:
                counts[item][value] += 1
    return AgreeResult(
        entries=tuple(
            StatementCount(
                item=item,
                agree=counts[item][AGREE],
                disagree=counts[item][DISAGREE],
                passed=counts[item][PASS],
            )
            for item in items
        ),
        voter_count=len(voters_of(ballots, items)),
    )
