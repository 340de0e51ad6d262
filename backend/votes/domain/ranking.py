"""Ranked ballots: Schulze (strongest paths) and Borda as a second reading.

A ranking ballot gives ranks (1 = best) to some items; unranked items are tied below all ranked
ones. The validator refuses equal ranks; the tallies read them as indifference.

Borda convention: with m items, rank r earns m - r points (rank 1 earns m - 1) and an unranked
item earns 0, so a partial list rewards only what the voter ranked.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic

from backend.votes.domain.ballots import Ballots, ItemT, VoterT, competition_ranks, voters_of

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class RankedItem(Generic[ItemT]):
    item: ItemT
    rank: int


@dataclass(frozen=True)
class SchulzeResult(Generic[ItemT]):
    """`preferences[i][j]`: voters preferring items[i] to items[j]; `strongest_paths[i][j]`:
    strength (winning votes) of the widest path from items[i] to items[j]. `entries` best
    first; tied items share a rank and keep the order of `items`.
    """

    items: tuple[ItemT, ...]
    preferences: Matrix
    strongest_paths: Matrix
    entries: tuple[RankedItem[ItemT], ...]
    voter_count: int

    @property
    def winners(self) -> tuple[ItemT, ...]:
        return tuple(entry.item for entry in self.entries if entry.rank == 1)

    def rank_of(self, item: ItemT) -> int:
        return next(entry.rank for entry in self.entries if entry.item == item)


@dataclass(frozen=True)
class BordaScore(Generic[ItemT]):
    item: ItemT
    points: int
    rank: int


@dataclass(frozen=True)
class BordaResult(Generic[ItemT]):
    """Entries best first (most points; ties keep the order of `items` and share a rank)."""

    entries: tuple[BordaScore[ItemT], ...]
    voter_count: int

    def entry_for(self, item: ItemT) -> BordaScore[ItemT]:
        return next(entry for entry in self.entries if entry.item == item)


def _known_ranks(ballot: Mapping[ItemT, int], index: Mapping[ItemT, int]) -> dict[int, int]:
    """Item position -> rank, for the ranked items of the vote."""
    return {index[item]: rank for item, rank in ballot.items() if item in index}


def pairwise_preferences(*, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]) -> Matrix:
    """d[i][j] = number of voters ranking items[i] strictly above items[j]."""
    index = {item: position for position, item in enumerate(items)}
    m = len(items)
    d = [[0] * m for _ in range(m)]
    for ballot in ballots.values():
        ranks = _known_ranks(ballot, index)
        for i, rank_i in ranks.items():
            row = d[i]
            for j in range(m):
                rank_j = ranks.get(j)
                if rank_j is None or rank_i < rank_j:
                    row[j] += j != i
    return tuple(tuple(row) for row in d)


def strongest_paths(preferences: Matrix) -> Matrix:
    """Widest paths (Floyd–Warshall) where a link i -> j is d[i][j] if d[i][j] > d[j][i]."""
    m = len(preferences)
    d = preferences
    p = [[d[i][j] if i != j and d[i][j] > d[j][i] else 0 for j in range(m)] for i in range(m)]
    for k in range(m):
        for i in range(m):
            if i == k:
                continue
            p_ik = p[i][k]
            if not p_ik:
                continue
            row_i, row_k = p[i], p[k]
            for j in range(m):
                if j != i and j != k:
                    width = min(p_ik, row_k[j])
                    if width > row_i[j]:
                        row_i[j] = width
    return tuple(tuple(row) for row in p)


def tally_schulze(
    *, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]
) -> SchulzeResult[ItemT]:
    """Schulze ranking: i defeats j when p[i][j] > p[j][i].

    This relation is transitive (Schulze 2011, section 4.1) but may leave pairs incomparable
    (A ~ B, A ~ C, B defeats C). The complete order counts, for each item, the items that
    defeat it: fewer is better, equal counts tie. Every defeat is respected (whoever defeats j
    also defeats everything j defeats), and rank 1 is exactly the set of Schulze winners.
    """
    preferences = pairwise_preferences(ballots=ballots, items=items)
    paths = strongest_paths(preferences)
    m = len(items)
    defeats = [sum(paths[j][i] > paths[i][j] for j in range(m)) for i in range(m)]
    order = sorted(range(m), key=lambda i: defeats[i])
    ranks = competition_ranks([defeats[i] for i in order])
    return SchulzeResult(
        items=tuple(items),
        preferences=preferences,
        strongest_paths=paths,
        entries=tuple(
            RankedItem(item=items[i], rank=rank) for i, rank in zip(order, ranks, strict=True)
        ),
        voter_count=len(voters_of(ballots, items)),
    )


def tally_borda(*, ballots: Ballots[VoterT, ItemT], items: Sequence[ItemT]) -> BordaResult[ItemT]:
    """Borda points: rank r of m items earns m - r, unranked items earn 0."""
    m = len(items)
    points = dict.fromkeys(items, 0)
    for ballot in ballots.values():
        for item, rank in ballot.items():
            if item in points:
                points[item] += max(0, m - rank)
    ordered = sorted(items, key=lambda item: -points[item])
    ranks = competition_ranks([points[item] for item in ordered])
    return BordaResult(
        entries=tuple(
            BordaScore(item=item, points=points[item], rank=rank)
            for item, rank in zip(ordered, ranks, strict=True)
        ),
        voter_count=len(voters_of(ballots, items)),
    )
