"""Ballot validation: one stable code per problem, for every method."""

import pytest

from backend.votes.domain import (
    BallotProblem,
    BallotProblemCode,
    BallotRules,
    Method,
    ballot_problems,
)

ITEMS = ["a", "b", "c", "d"]
Code = BallotProblemCode


def codes(method: Method, ballot: dict[str, int], rules: BallotRules | None = None) -> list:
    return [
        (problem.code, problem.item)
        for problem in ballot_problems(method=method, ballot=ballot, items=ITEMS, rules=rules)
    ]


@pytest.mark.parametrize("method", list(Method))
def test_an_empty_ballot_is_valid_for_every_method(method: Method) -> None:
    assert ballot_problems(method=method, ballot={}, items=ITEMS) == []


@pytest.mark.parametrize("method", list(Method))
def test_items_outside_the_vote_are_unknown(method: Method) -> None:
    assert codes(method, {"z": 1}) == [(Code.UNKNOWN_ITEM, "z")]


class TestSupport:
    def test_supports_within_the_maximum(self) -> None:
        assert codes(Method.SUPPORT, {"a": 1, "b": 1}, BallotRules(max_supports=2)) == []

    def test_too_many_supports_concerns_the_whole_ballot(self) -> None:
        problems = ballot_problems(
            method=Method.SUPPORT,
            ballot={"a": 1, "b": 1, "c": 1},
            items=ITEMS,
            rules=BallotRules(max_supports=2),
        )
        assert problems == [BallotProblem(Code.TOO_MANY_SUPPORTS)]

    @pytest.mark.parametrize("method", [Method.SUPPORT, Method.APPROVAL])
    @pytest.mark.parametrize("value", [0, 2, -1])
    def test_a_support_is_the_value_one(self, method: Method, value: int) -> None:
        assert codes(method, {"a": 1, "b": value}) == [(Code.INVALID_VALUE, "b")]

    def test_approval_accepts_any_subset(self) -> None:
        assert codes(Method.APPROVAL, dict.fromkeys(ITEMS, 1)) == []


class TestDots:
    RULES = BallotRules(dots_budget=5, dots_max_per_item=3)

    def test_spending_the_whole_budget(self) -> None:
        assert codes(Method.DOTS, {"a": 3, "b": 2}, self.RULES) == []

    def test_over_budget(self) -> None:
        assert codes(Method.DOTS, {"a": 3, "b": 2, "c": 1}, self.RULES) == [
            (Code.OVER_BUDGET, None)
        ]

    def test_too_many_on_one_item(self) -> None:
        assert codes(Method.DOTS, {"a": 4}, self.RULES) == [(Code.TOO_MANY_ON_ITEM, "a")]

    def test_both_limits_at_once(self) -> None:
        assert codes(Method.DOTS, {"a": 4, "b": 3}, self.RULES) == [
            (Code.TOO_MANY_ON_ITEM, "a"),
            (Code.OVER_BUDGET, None),
        ]

    def test_points_are_positive(self) -> None:
        assert codes(Method.DOTS, {"a": 0, "b": -2}, self.RULES) == [
            (Code.INVALID_VALUE, "a"),
            (Code.INVALID_VALUE, "b"),
        ]

    def test_no_rules_no_limits(self) -> None:
        assert codes(Method.DOTS, {"a": 100, "b": 100}) == []


class TestMajorityJudgment:
    def test_the_seven_grades_are_valid(self) -> None:
        ballot = {"a": 0, "b": 6, "c": 3}
        assert codes(Method.MAJORITY_JUDGMENT, ballot) == []

    def test_grades_out_of_range(self) -> None:
        assert codes(Method.MAJORITY_JUDGMENT, {"a": -1, "b": 7, "c": 2}) == [
            (Code.INVALID_GRADE, "a"),
            (Code.INVALID_GRADE, "b"),
        ]


class TestRanking:
    def test_a_partial_ranking_from_one(self) -> None:
        assert codes(Method.RANKING, {"c": 1, "a": 2}) == []

    def test_a_tie_is_a_duplicate_rank_on_each_tied_item(self) -> None:
        assert codes(Method.RANKING, {"a": 1, "b": 1, "c": 2, "d": 3}) == [
            (Code.DUPLICATE_RANK, "a"),
            (Code.DUPLICATE_RANK, "b"),
        ]

    def test_ranks_must_be_one_to_k(self) -> None:
        # Two ranked items may only use ranks 1 and 2.
        assert codes(Method.RANKING, {"a": 1, "b": 3}) == [(Code.INVALID_RANK, "b")]
        assert codes(Method.RANKING, {"a": 0, "b": 1}) == [(Code.INVALID_RANK, "a")]


class TestAgree:
    def test_agree_disagree_pass(self) -> None:
        assert codes(Method.AGREE, {"a": 1, "b": -1, "c": 0}) == []

    def test_other_values(self) -> None:
        assert codes(Method.AGREE, {"a": 2, "b": -2}) == [
            (Code.INVALID_VALUE, "a"),
            (Code.INVALID_VALUE, "b"),
        ]


def test_codes_are_stable_strings() -> None:
    assert {code.value for code in Code} == {
        "unknown_item",
        "invalid_value",
        "too_many_supports",
        "over_budget",
        "too_many_on_item",
        "invalid_grade",
        "invalid_rank",
        "duplicate_rank",
    }
