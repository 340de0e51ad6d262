"""Majority judgment: published examples of the Mieux Voter libraries, and invariants.

The Mieux Voter libraries write merit profiles from the worst grade to the best; ours go from
the best (index 0) to the worst, hence `best_first`.
"""

import random
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.votes.domain import (
    Grade,
    compare_profiles,
    majority_gauge,
    majority_grade,
    majority_value,
    merit_profile,
    rank_profiles,
    tally_majority_judgment,
)


def best_first(worst_first: Sequence[int]) -> tuple[int, ...]:
    return tuple(reversed(worst_first))


def ranks(profiles_worst_first: Sequence[Sequence[int]]) -> list[int]:
    """Ranks in input order, like the libraries' `result.proposals[i].rank`."""
    result = rank_profiles(
        profiles={i: best_first(profile) for i, profile in enumerate(profiles_worst_first)}
    )
    return [result.entry_for(i).rank for i in range(len(profiles_worst_first))]


class TestMieuxVoterExamples:
    def test_go_library_readme_demo(self) -> None:
        """MieuxVoter/majority-judgment-library-go, README and TestReadmeDemo in
        judgment/majorityjudgment_test.go: 10 judges, 5 grades; A and E are equal."""
        assert ranks(
            [[2, 2, 2, 2, 2], [2, 1, 1, 1, 5], [2, 1, 1, 2, 4], [2, 1, 5, 0, 2], [2, 2, 2, 2, 2]]
        ) == [4, 1, 2, 3, 4]

    def test_go_library_basic_01(self) -> None:
        """MieuxVoter/majority-judgment-library-go, TestBunchOfWorkingScenarios "Basic 01"."""
        assert ranks([[1, 1, 1], [1, 2, 0], [0, 2, 1]]) == [2, 3, 1]

    def test_java_library_readme_gauge_tie_broken_by_majority_value(self) -> None:
        """MieuxVoter/majority-judgment-library-java, README "Example Usage": 18 judges,
        A = 4,5,2,1,3,1,2 and B = 3,6,2,1,3,1,2 (worst first); B ranks 1, A ranks 2.

        Same majority grade (Poor), same gauge (9 better, sign +): only the majority value
        separates them.
        """
        a, b = best_first([4, 5, 2, 1, 3, 1, 2]), best_first([3, 6, 2, 1, 3, 1, 2])
        gauge_a, gauge_b = majority_gauge(a), majority_gauge(b)
        assert gauge_a is not None
        assert gauge_b is not None
        assert (gauge_a.grade, gauge_a.better) == (gauge_b.grade, gauge_b.better) == (5, 9)
        assert gauge_a.is_better_leaning
        assert gauge_b.is_better_leaning
        assert ranks([[4, 5, 2, 1, 3, 1, 2], [3, 6, 2, 1, 3, 1, 2]]) == [2, 1]

    def test_dart_library_readme(self) -> None:
        """MieuxVoter/majority-judgment-library-dart, README "Get started": ranks (2, 1, 4, 2);
        all four share the majority grade, D equals A exactly."""
        profiles = [[1, 2, 4, 2, 1], [1, 2, 4, 1, 2], [3, 1, 3, 1, 2], [1, 2, 4, 2, 1]]
        assert len({majority_grade(best_first(p)) for p in profiles}) == 1
        assert ranks(profiles) == [2, 1, 4, 2]


class TestMajorityGrade:
    def test_lower_median_for_an_even_number_of_judgments(self) -> None:
        # Excellent and À rejeter: the worse of the two middle grades.
        assert majority_grade((1, 0, 0, 0, 0, 0, 1)) == Grade.REJECT
        assert majority_grade((1, 1, 1, 1, 0, 0, 0)) == Grade.GOOD

    def test_median_for_an_odd_number(self) -> None:
        assert majority_grade((1, 0, 1, 0, 0, 0, 1)) == Grade.GOOD

    def test_nobody_voted(self) -> None:
        assert majority_grade((0,) * 7) is None
        assert majority_gauge((0,) * 7) is None

    def test_majority_value_removes_one_median_at_a_time(self) -> None:
        # Judgments best first: 0 1 2 3 -> medians 2, then of (0 1 3) 1, then of (0 3) 3, then 0.
        assert majority_value((1, 1, 1, 1)) == (2, 1, 3, 0)


class TestGauge:
    def test_the_gauge_decides_when_the_majority_grades_tie(self) -> None:
        # Both "Bien"; x has more judgments above it (+), y more below (-): x first.
        x = (0, 2, 2, 1, 0, 0, 0)
        y = (0, 1, 2, 2, 0, 0, 0)
        assert majority_grade(x) == majority_grade(y) == Grade.GOOD
        assert compare_profiles(x, y) == -1

    def test_equal_profiles_tie_exactly(self) -> None:
        assert compare_profiles((1, 2, 3, 0, 0, 0, 1), (1, 2, 3, 0, 0, 0, 1)) == 0


class TestTallyFromBallots:
    def test_ungraded_items_count_as_reject(self) -> None:
        ballots = {"ana": {"a": 0, "b": 0}, "bob": {"a": 2}, "cyd": {"b": 3}}
        result = tally_majority_judgment(ballots=ballots, items=["a", "b", "c"])
        assert result.entry_for("a").profile == (1, 0, 1, 0, 0, 0, 1)
        assert result.entry_for("c").profile == (0, 0, 0, 0, 0, 0, 3)
        assert result.entry_for("c").majority_grade == Grade.REJECT
        assert result.voter_count == 3
        # a: Bien, b: Assez bien, c: À rejeter.
        assert [e.item for e in result.entries] == ["a", "b", "c"]

    def test_merit_profile_from_group_by_counts(self) -> None:
        assert merit_profile(counts={0: 2, 4: 1}, voter_count=5) == (2, 0, 0, 0, 1, 0, 2)

    def test_merit_profile_refuses_more_judgments_than_voters(self) -> None:
        with pytest.raises(ValueError, match="more judgments"):
            merit_profile(counts={0: 3}, voter_count=2)

    def test_profiles_must_have_the_same_total(self) -> None:
        with pytest.raises(ValueError, match="same number of judgments"):
            rank_profiles(profiles={"a": (1, 0), "b": (1, 1)})

    def test_no_voter(self) -> None:
        result = tally_majority_judgment(ballots={}, items=["a", "b"])
        assert [(e.rank, e.majority_grade) for e in result.entries] == [(1, None), (1, None)]


class TestUniformBallot:
    """The issue states that adding a ballot giving every item the same grade changes no
    order under majority judgment. That is false: a lone uniform ballot can invert an order.
    What holds: it never creates a tie (ties need equal profiles), and a balanced pair of
    uniform ballots (one all Excellent, one all À rejeter) changes nothing."""

    def test_counterexample_one_uniform_ballot_inverts_an_order(self) -> None:
        x = (1, 0, 0, 0, 0, 0, 1)  # Excellent, À rejeter -> majority grade À rejeter
        y = (0, 0, 0, 2, 0, 0, 0)  # Assez bien twice
        assert compare_profiles(y, x) == -1
        # A third voter grades both Excellent: x's median becomes Excellent.
        assert compare_profiles(add(x, Grade.EXCELLENT), add(y, Grade.EXCELLENT)) == -1


def add(profile: Sequence[int], grade: int, times: int = 1) -> tuple[int, ...]:
    return tuple(count + (times if g == grade else 0) for g, count in enumerate(profile))


def lexicographic(a: Sequence[int], b: Sequence[int]) -> int:
    """The definition: compare the majority values, the smaller grade is the better."""
    va, vb = majority_value(a), majority_value(b)
    return (va > vb) - (va < vb)


@st.composite
def profile_pairs(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    n = draw(st.integers(min_value=1, max_value=25))
    return draw(profiles_of(n)), draw(profiles_of(n))


def profiles_of(n: int) -> st.SearchStrategy[tuple[int, ...]]:
    grades = st.lists(st.integers(min_value=0, max_value=6), min_size=n, max_size=n)
    return grades.map(lambda gs: tuple(gs.count(g) for g in range(7)))


@given(profile_pairs())
def test_the_fast_comparison_is_the_lexicographic_majority_value(pair: tuple) -> None:
    a, b = pair
    assert compare_profiles(a, b) == lexicographic(a, b)
    assert compare_profiles(a, b) == -compare_profiles(b, a)
    assert (compare_profiles(a, b) == 0) == (a == b)


@given(profile_pairs())
def test_the_gauge_when_it_decides_agrees_with_the_majority_value(pair: tuple) -> None:
    a, b = pair
    ga, gb = majority_gauge(a), majority_gauge(b)
    assert ga is not None
    assert gb is not None
    if ga.grade != gb.grade:
        assert lexicographic(a, b) == (-1 if ga.grade < gb.grade else 1)
    elif ga.is_better_leaning != gb.is_better_leaning:
        assert lexicographic(a, b) == (-1 if ga.is_better_leaning else 1)


@given(profile_pairs(), st.integers(min_value=0, max_value=6))
def test_one_uniform_ballot_never_turns_a_strict_order_into_a_tie(pair: tuple, g: int) -> None:
    a, b = pair
    if a != b:
        assert compare_profiles(add(a, g), add(b, g)) != 0


@given(profile_pairs(), st.integers(min_value=1, max_value=3))
def test_balanced_uniform_ballots_change_no_order(pair: tuple, times: int) -> None:
    a, b = pair
    extended_a = add(add(a, Grade.EXCELLENT, times), Grade.REJECT, times)
    extended_b = add(add(b, Grade.EXCELLENT, times), Grade.REJECT, times)
    assert compare_profiles(extended_a, extended_b) == compare_profiles(a, b)


@given(profile_pairs(), st.data())
def test_a_better_grade_never_hurts(pair: tuple, data: st.DataObject) -> None:
    a, b = pair
    worse_grades = [g for g in range(1, 7) if a[g]]
    if worse_grades:
        g = data.draw(st.sampled_from(worse_grades))
        improved = add(add(a, g, -1), g - 1)
        assert compare_profiles(improved, b) <= compare_profiles(a, b)


mj_ballots = st.dictionaries(
    st.integers(min_value=0, max_value=30),
    st.dictionaries(st.sampled_from("abcd"), st.integers(min_value=0, max_value=6), min_size=1),
    max_size=15,
)


@given(mj_ballots)
def test_profiles_sum_to_the_number_of_voters(ballots: dict) -> None:
    result = tally_majority_judgment(ballots=ballots, items=list("abcd"))
    assert result.voter_count == len(ballots)
    for entry in result.entries:
        assert sum(entry.profile) == len(ballots)


@given(mj_ballots, st.randoms())
def test_the_result_ignores_the_order_of_voters(ballots: dict, rng: random.Random) -> None:
    voters = list(ballots)
    rng.shuffle(voters)
    shuffled = {voter: ballots[voter] for voter in voters}
    items = list("abcd")
    assert tally_majority_judgment(ballots=shuffled, items=items) == tally_majority_judgment(
        ballots=ballots, items=items
    )
