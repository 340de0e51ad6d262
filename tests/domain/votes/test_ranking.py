"""Schulze and Borda on ranked ballots, against a published example and invariants."""

import random

from hypothesis import given
from hypothesis import strategies as st

from backend.votes.domain import pairwise_preferences, tally_borda, tally_schulze

CANDIDATES = list("ABCDE")


def ranked(order: str) -> dict[str, int]:
    return {item: rank for rank, item in enumerate(order, start=1)}


def electorate(groups: list[tuple[int, str]]) -> dict[str, dict[str, int]]:
    ballots = {}
    for group, (size, order) in enumerate(groups):
        for n in range(size):
            ballots[f"{group}-{n}"] = ranked(order)
    return ballots


# Wikipedia, "Schulze method", section "Example": 45 voters, 5 candidates.
WIKIPEDIA_45 = electorate(
    [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
)


class TestSchulzeWikipediaExample:
    """https://en.wikipedia.org/wiki/Schulze_method#Example: the matrix of pairwise
    preferences d[*,*], the strongest paths p[*,*], and the result E > A > C > B > D."""

    def test_pairwise_preferences(self) -> None:
        assert pairwise_preferences(ballots=WIKIPEDIA_45, items=CANDIDATES) == (
            (0, 20, 26, 30, 22),
            (25, 0, 16, 33, 18),
            (19, 29, 0, 17, 24),
            (15, 12, 28, 0, 14),
            (23, 27, 21, 31, 0),
        )

    def test_strongest_paths(self) -> None:
        result = tally_schulze(ballots=WIKIPEDIA_45, items=CANDIDATES)
        assert result.strongest_paths == (
            (0, 28, 28, 30, 24),
            (25, 0, 28, 33, 24),
            (25, 29, 0, 29, 24),
            (25, 28, 28, 0, 24),
            (25, 28, 28, 31, 0),
        )

    def test_order(self) -> None:
        result = tally_schulze(ballots=WIKIPEDIA_45, items=CANDIDATES)
        assert [(e.item, e.rank) for e in result.entries] == [
            ("E", 1),
            ("A", 2),
            ("C", 3),
            ("B", 4),
            ("D", 5),
        ]
        assert result.winners == ("E",)
        assert result.voter_count == 45


class TestSchulzeSmallCases:
    def test_unranked_items_tie_below_ranked_ones(self) -> None:
        result = tally_schulze(ballots={"v": {"C": 1}}, items=["A", "B", "C"])
        assert [(e.item, e.rank) for e in result.entries] == [("C", 1), ("A", 2), ("B", 2)]

    def test_a_perfect_cycle_is_a_three_way_tie(self) -> None:
        ballots = {"x": ranked("ABC"), "y": ranked("BCA"), "z": ranked("CAB")}
        result = tally_schulze(ballots=ballots, items=list("ABC"))
        assert [e.rank for e in result.entries] == [1, 1, 1]

    def test_no_ballots(self) -> None:
        result = tally_schulze(ballots={}, items=list("AB"))
        assert result.winners == ("A", "B")


class TestBorda:
    def test_hand_computed_example(self) -> None:
        """Four items, so rank r earns 4 - r (3, 2, 1, 0) and unranked items earn 0.

        v1 A>B>C>D: A3 B2 C1 D0; v2 B>C>A>D: B3 C2 A1 D0; v3 C>B (partial): C3 B2.
        Totals: B 7, C 6, A 4, D 0.
        """
        ballots = {"v1": ranked("ABCD"), "v2": ranked("BCAD"), "v3": ranked("CB")}
        result = tally_borda(ballots=ballots, items=list("ABCD"))
        assert [(e.item, e.points, e.rank) for e in result.entries] == [
            ("B", 7, 1),
            ("C", 6, 2),
            ("A", 4, 3),
            ("D", 0, 4),
        ]

    def test_wikipedia_example_second_reading(self) -> None:
        """Sum over the eight groups of size x (5 - rank), by hand; for A:
        5x4 + 5x4 + 8x1 + 3x3 + 7x3 + 2x2 + 7x0 + 8x2 = 98. Same winner as Schulze here."""
        result = tally_borda(ballots=WIKIPEDIA_45, items=CANDIDATES)
        assert [(e.item, e.points) for e in result.entries] == [
            ("E", 102),
            ("A", 98),
            ("B", 92),
            ("C", 89),
            ("D", 69),
        ]
        points = {e.item: e.points for e in result.entries}
        assert sum(points.values()) == 45 * (4 + 3 + 2 + 1)


@st.composite
def ranking_ballots(draw: st.DrawFn) -> tuple[list[str], dict[int, dict[str, int]]]:
    items = CANDIDATES[: draw(st.integers(min_value=2, max_value=5))]
    voters = draw(st.integers(min_value=0, max_value=12))
    ballots = {}
    for voter in range(voters):
        order = draw(st.permutations(items))
        length = draw(st.integers(min_value=1, max_value=len(items)))
        ballots[voter] = ranked("".join(order[:length]))
    return items, ballots


@given(ranking_ballots())
def test_schulze_picks_the_condorcet_winner(case: tuple) -> None:
    items, ballots = case
    d = pairwise_preferences(ballots=ballots, items=items)
    m = len(items)
    condorcet = [i for i in range(m) if all(d[i][j] > d[j][i] for j in range(m) if j != i)]
    if condorcet:
        assert tally_schulze(ballots=ballots, items=items).winners == (items[condorcet[0]],)


def test_incomparable_items_still_get_a_complete_order() -> None:
    # A ~ B and A ~ C (one voter each way), but B defeats C: A and B are the winners.
    ballots = {"x": {"A": 1}, "y": {"B": 1, "C": 2}}
    result = tally_schulze(ballots=ballots, items=list("ABC"))
    assert [(e.item, e.rank) for e in result.entries] == [("A", 1), ("B", 1), ("C", 3)]


@given(ranking_ballots())
def test_schulze_output_is_a_complete_order(case: tuple) -> None:
    """Every item gets a rank, ranks are "1, 1, 3" style, every defeat is respected, and
    rank 1 is exactly the set of items nobody defeats."""
    items, ballots = case
    result = tally_schulze(ballots=ballots, items=items)
    assert sorted(e.item for e in result.entries) == sorted(items)
    ranks = [e.rank for e in result.entries]
    assert ranks[0] == 1
    for position, rank in enumerate(ranks):
        assert rank in (ranks[position - 1], position + 1) if position else rank == 1
    p = result.strongest_paths
    for i, a in enumerate(items):
        unbeaten = all(p[j][i] <= p[i][j] for j in range(len(items)))
        assert unbeaten == (result.rank_of(a) == 1)
        for j, b in enumerate(items):
            if p[i][j] > p[j][i]:
                assert result.rank_of(a) < result.rank_of(b)


@given(ranking_ballots(), st.randoms())
def test_ranking_results_ignore_the_order_of_voters(case: tuple, rng: random.Random) -> None:
    items, ballots = case
    voters = list(ballots)
    rng.shuffle(voters)
    shuffled = {voter: ballots[voter] for voter in voters}
    assert tally_schulze(ballots=shuffled, items=items) == tally_schulze(
        ballots=ballots, items=items
    )
    assert tally_borda(ballots=shuffled, items=items) == tally_borda(ballots=ballots, items=items)
