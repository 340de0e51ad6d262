"""Ballot representation shared by every tally: one integer per (voter, item)."""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import TypeVar

ItemT = TypeVar("ItemT", bound=Hashable)
VoterT = TypeVar("VoterT", bound=Hashable)

# ballots[voter][item] = value; the meaning of the value depends on the method (see the
# package docstring). A voter absent from the mapping did not vote.
Ballots = Mapping[VoterT, Mapping[ItemT, int]]


class Method(StrEnum):
    SUPPORT = "support"
    APPROVAL = "approval"
    MAJORITY_JUDGMENT = "majority_judgment"
    DOTS = "dots"
    RANKING = "ranking"
    AGREE = "agree"


def voters_of(ballots: Ballots[VoterT, ItemT], items: Iterable[ItemT]) -> list[VoterT]:
    """Voters with at least one value on one of `items` (rows on other items are ignored)."""
    wanted = set(items)
    return [voter for voter, ballot in ballots.items() if any(item in wanted for item in ballot)]


def competition_ranks(sorted_keys: Sequence[object]) -> list[int]:
    """Ranks "1, 1, 3" for keys sorted best first, where equal neighbouring keys tie."""
    ranks: list[int] = []
    for position, key in enumerate(sorted_keys):
        if position and key == sorted_keys[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
