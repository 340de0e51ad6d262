"""Running totals: deltas of ballot changes add up to a recount of the final ballots."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from backend.votes.domain.live import apply_deltas, ballot_deltas, combined_deltas


def recount(ballots: dict[int, dict[int, int]]) -> tuple[dict[tuple[int, int], int], int]:
    counts = Counter((item, value) for ballot in ballots.values() for item, value in ballot.items())
    return dict(counts), sum(1 for ballot in ballots.values() if ballot)


def test_first_ballot_adds_one_line_per_item_and_one_voter() -> None:
    assert ballot_deltas({}, {10: 2, 11: 6}) == ({(10, 2): 1, (11, 6): 1}, 1)


def test_changing_a_grade_moves_one_line_and_keeps_the_voter() -> None:
    assert ballot_deltas({10: 2, 11: 6}, {10: 3, 11: 6}) == ({(10, 2): -1, (10, 3): 1}, 0)


def test_withdrawing_removes_every_line_and_the_voter() -> None:
    assert ballot_deltas({10: 1}, {}) == ({(10, 1): -1}, -1)


def test_same_ballot_again_changes_nothing() -> None:
    assert ballot_deltas({10: 1, 11: 0}, {10: 1, 11: 0}) == ({}, 0)


def test_combined_deltas_cancel_out_between_voters() -> None:
    deltas, voters = combined_deltas([({}, {10: 1}), ({10: 1}, {})])
    assert (deltas, voters) == ({}, 0)


ballot = st.dictionaries(st.integers(1, 4), st.integers(-1, 6), max_size=4)
history = st.lists(st.tuples(st.integers(1, 5), ballot), max_size=40)


@given(history)
def test_running_totals_equal_a_recount_after_any_history(steps: list) -> None:
    ballots: dict[int, dict[int, int]] = {}
    counts: dict[tuple[int, int], int] = {}
    voters = 0
    for voter, new in steps:
        deltas, voter_change = ballot_deltas(ballots.get(voter, {}), new)
        counts = apply_deltas(counts, deltas)
        voters += voter_change
        ballots[voter] = new
    assert (counts, voters) == recount(ballots)
