"""Support, approval, dots and agree/disagree/pass counts on small hand-checked cases."""

import pytest

from backend.votes.domain import tally_agree, tally_approval, tally_dots, tally_support

ITEMS = ["a", "b", "c"]


class TestSupport:
    BALLOTS = {
        "ana": {"a": 1, "b": 1},
        "bob": {"a": 1},
        "cyd": {"a": 1, "c": 1},
        "dan": {"b": 1},
    }

    def test_counts_ranks_and_threshold(self) -> None:
        result = tally_support(ballots=self.BALLOTS, items=ITEMS, threshold=2)
        assert [(e.item, e.count, e.rank, e.has_reached_threshold) for e in result.entries] == [
            ("a", 3, 1, True),
            ("b", 2, 2, True),
            ("c", 1, 3, False),
        ]
        assert result.voter_count == 4
        assert result.threshold == 2

    def test_without_threshold_nothing_is_reached(self) -> None:
        result = tally_support(ballots=self.BALLOTS, items=ITEMS)
        assert not any(entry.has_reached_threshold for entry in result.entries)

    def test_ties_share_a_rank_in_item_order(self) -> None:
        result = tally_approval(ballots={"ana": {"c": 1, "b": 1}}, items=ITEMS)
        assert [(e.item, e.rank) for e in result.entries] == [("b", 1), ("c", 1), ("a", 3)]

    def test_rows_on_other_items_and_non_supports_are_ignored(self) -> None:
        result = tally_support(ballots={"ana": {"z": 1, "a": 0}, "bob": {"z": 1}}, items=ITEMS)
        assert result.entry_for("a").count == 0
        assert result.voter_count == 1  # ana has a row on "a", bob only on "z"

    def test_no_ballots(self) -> None:
        result = tally_support(ballots={}, items=ITEMS, threshold=1)
        assert [e.rank for e in result.entries] == [1, 1, 1]
        assert result.voter_count == 0


class TestDots:
    def test_totals_and_givers(self) -> None:
        ballots = {"ana": {"a": 3, "b": 2}, "bob": {"b": 5}, "cyd": {"a": 1, "c": 1}}
        result = tally_dots(ballots=ballots, items=ITEMS)
        assert [(e.item, e.points, e.voter_count, e.rank) for e in result.entries] == [
            ("b", 7, 2, 1),
            ("a", 4, 2, 2),
            ("c", 1, 1, 3),
        ]
        assert result.voter_count == 3


class TestAgree:
    def test_counts_and_shares_in_item_order(self) -> None:
        ballots = {
            "ana": {"a": 1, "b": -1},
            "bob": {"a": 1, "b": 0},
            "cyd": {"a": -1},
            "dan": {"a": 0, "c": 1},
        }
        result = tally_agree(ballots=ballots, items=ITEMS)
        a, b, c = result.entries
        assert (a.item, a.agree, a.disagree, a.passed, a.total) == ("a", 2, 1, 1, 4)
        assert (a.agree_share, a.disagree_share, a.pass_share) == (0.5, 0.25, 0.25)
        assert (b.agree, b.disagree, b.passed) == (0, 1, 1)
        assert (c.agree, c.total) == (1, 1)
        assert result.voter_count == 4

    def test_shares_of_an_unanswered_statement(self) -> None:
        entry = tally_agree(ballots={}, items=ITEMS).entry_for("a")
        assert entry.total == 0
        assert entry.agree_share == pytest.approx(0.0)
