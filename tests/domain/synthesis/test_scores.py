"""Distinct supporters, reach across segments, territory rollup and the score card."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.synthesis.domain.scores import (
    ActionScores,
    LevelCoverage,
    action_scores,
    cluster_support,
    distinct_supporters,
    join_fr,
    path_at_depth,
    segment_support,
    support_sentence_fr,
    territory_coverage,
)

STRUCTURE_TYPES = ["association", "ccas", "mediatheque", "collectivite"]


class TestDistinctSupporters:
    def test_a_person_supporting_two_duplicates_counts_once(self) -> None:
        supports = {"p1": {"ana", "bob"}, "p2": {"ana", "cyd"}}
        assert distinct_supporters(supports) == {"ana", "bob", "cyd"}

    def test_no_items(self) -> None:
        assert distinct_supporters({}) == frozenset()

    def test_clusters_count_the_union_never_the_sum(self) -> None:
        supports = {"p1": {"ana", "bob"}, "p2": {"ana"}, "p3": {"cyd"}, "p4": set()}
        result = cluster_support({"wifi": ["p1", "p2"], "help": ["p3", "p4", "p3"]}, supports)
        assert list(result) == ["wifi", "help"]
        # wifi: {ana, bob} | {ana} = 2 people for 3 supports.
        assert (result["wifi"].distinct, result["wifi"].summed) == (2, 3)
        # help: p3 listed twice counts once; p4 has no supporter.
        assert (result["help"].distinct, result["help"].summed) == (1, 1)

    def test_items_without_supports_add_nobody(self) -> None:
        result = cluster_support({"c": ["unknown"]}, {"p1": {"ana"}})
        assert result["c"].supporters == frozenset()


PEOPLE = st.sets(st.integers(min_value=0, max_value=20), max_size=8)


@given(st.dictionaries(st.integers(min_value=0, max_value=5), PEOPLE, max_size=6))
def test_distinct_supporters_lie_between_the_largest_item_and_the_sum(
    supports: dict[int, set[int]],
) -> None:
    union = distinct_supporters(supports)
    largest = max((len(people) for people in supports.values()), default=0)
    assert largest <= len(union) <= sum(len(people) for people in supports.values())
    result = cluster_support({"all": list(supports)}, supports)
    assert result["all"].supporters == union


class TestSegmentSupport:
    def test_counts_shares_and_even_balance(self) -> None:
        result = segment_support(
            dimension="structure_type",
            supporters=["ana", "bob", "cyd", "dan"],
            segments_of={"ana": "association", "bob": "association", "cyd": "ccas", "dan": "ccas"},
        )
        assert [(e.segment, e.supporters, e.share) for e in result.entries] == [
            ("association", 2, 0.5),
            ("ccas", 2, 0.5),
        ]
        # Two segments with 2 each: entropy ln 2 / ln 2 = 1; min/max = 2/2.
        assert result.balance == pytest.approx(1.0)
        assert result.min_max_ratio == 1.0
        assert result.reached == ("association", "ccas")

    def test_uneven_balance_by_hand(self) -> None:
        result = segment_support(
            dimension="territory_kind",
            supporters=["a", "b", "c", "d"],
            segments_of={"a": "urban", "b": "urban", "c": "urban", "d": "rural"},
        )
        # p = 3/4, 1/4: H = -(0.75 ln 0.75 + 0.25 ln 0.25) = 0.5623; / ln 2 = 0.8113.
        expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(2)
        assert result.balance == pytest.approx(expected)
        assert result.balance == pytest.approx(0.8113, abs=1e-4)
        assert result.min_max_ratio == pytest.approx(1 / 3)

    def test_unreached_segments_of_the_universe_lower_the_balance(self) -> None:
        result = segment_support(
            dimension="structure_type",
            supporters=["a", "b"],
            segments_of={"a": "association", "b": "association"},
            universe=STRUCTURE_TYPES,
        )
        assert result.balance == 0.0
        assert result.min_max_ratio == 0.0
        assert result.reached == ("association",)
        # Unreached segments keep the universe order after the reached ones.
        assert [e.segment for e in result.entries] == STRUCTURE_TYPES
        # Over a universe of four with one segment each: ln 4 / ln 4 = 1.
        spread = segment_support(
            dimension="structure_type",
            supporters=STRUCTURE_TYPES,
            segments_of={t: t for t in STRUCTURE_TYPES},
            universe=STRUCTURE_TYPES,
        )
        assert spread.balance == pytest.approx(1.0)

    def test_people_in_several_segments_and_in_none(self) -> None:
        result = segment_support(
            dimension="structure_type",
            supporters=["ana", "bob", "cyd", "ana"],
            segments_of={"ana": ["association", "ccas"], "bob": "ccas"},
        )
        assert result.total == 3  # ana once
        assert result.unclassified == 1  # cyd
        assert [(e.segment, e.supporters) for e in result.entries] == [
            ("ccas", 2),
            ("association", 1),
        ]
        assert sum(e.share for e in result.entries) == pytest.approx(1.0)  # 2/3 + 1/3

    def test_segments_outside_the_universe_are_still_counted(self) -> None:
        result = segment_support(
            dimension="d", supporters=["a"], segments_of={"a": "new"}, universe=["old"]
        )
        assert result.universe == ("old", "new")

    def test_no_supporters(self) -> None:
        result = segment_support(dimension="d", supporters=[], segments_of={})
        assert (result.entries, result.total, result.balance, result.min_max_ratio) == (
            (),
            0,
            0.0,
            0.0,
        )

    def test_as_dict_is_json(self) -> None:
        result = segment_support(dimension="d", supporters=["a"], segments_of={"a": "x"})
        data = json.loads(json.dumps(result.as_dict()))
        assert data["reached_count"] == 1
        assert data["balance_method"] == "normalized_shannon_entropy"


@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=30),
        st.sets(st.sampled_from(STRUCTURE_TYPES), max_size=3),
        max_size=12,
    )
)
def test_balance_and_ratio_stay_within_zero_and_one(segments: dict[int, set[str]]) -> None:
    result = segment_support(
        dimension="structure_type",
        supporters=list(segments),
        segments_of=segments,
        universe=STRUCTURE_TYPES,
    )
    assert 0.0 <= result.balance <= 1.0
    assert 0.0 <= result.min_max_ratio <= 1.0
    assert result.total == len(segments)
    assert len(result.reached) <= len(STRUCTURE_TYPES)


class TestSentence:
    def test_who_and_where(self) -> None:
        who = segment_support(
            dimension="structure_type",
            supporters=["a", "b", "c"],
            segments_of={"a": "association", "b": "association", "c": "collectivite"},
        )
        where = segment_support(
            dimension="territory_kind",
            supporters=["a", "b", "c"],
            segments_of={"a": "urban", "b": "rural", "c": "urban"},
        )
        assert (
            support_sentence_fr(by_structure_type=who, by_territory=where)
            == "soutenue par des associations et des collectivités, en ville et en zone rurale"
        )

    def test_long_lists_are_cut_and_unknown_codes_skipped(self) -> None:
        segments = {"a": "association", "b": "ccas", "c": "mediatheque", "d": "x", "e": "other"}
        who = segment_support(
            dimension="structure_type", supporters=list(segments), segments_of=segments
        )
        assert support_sentence_fr(by_structure_type=who, by_territory=None, max_segments=3) == (
            "soutenue par des associations, des CCAS, des médiathèques et d’autres"
        )

    def test_only_where_or_nothing(self) -> None:
        where = segment_support(dimension="t", supporters=["a"], segments_of={"a": "rural"})
        assert support_sentence_fr(by_structure_type=None, by_territory=where) == ("en zone rurale")
        assert support_sentence_fr(by_structure_type=None, by_territory=None) == ""

    def test_join_fr(self) -> None:
        assert [join_fr([]), join_fr(["a"]), join_fr(["a", "b"]), join_fr(["a", "b", "c"])] == [
            "",
            "a",
            "a et b",
            "a, b et c",
        ]


class TestTerritoryCoverage:
    PATHS = ["000001/000007/000042/", "000001/000007/000043/", "000001/000009/"]

    def test_rollup_and_counts_per_level(self) -> None:
        coverage = territory_coverage([*self.PATHS, "000001/000009/"])
        # Named: 42 and 43 (depth 2), 9 (depth 1) = 3. Rolled up: + 7 (depth 1), 1 (root).
        assert coverage.count == 3
        assert coverage.rolled_up == {
            "000001/",
            "000001/000007/",
            "000001/000009/",
            "000001/000007/000042/",
            "000001/000007/000043/",
        }
        assert coverage.territory_ids == {1, 7, 9, 42, 43}
        assert coverage.levels == (
            LevelCoverage(depth=0, direct=0, rolled_up=1),
            LevelCoverage(depth=1, direct=1, rolled_up=2),
            LevelCoverage(depth=2, direct=2, rolled_up=2),
        )

    def test_a_node_named_and_reached_through_a_child_counts_once(self) -> None:
        coverage = territory_coverage(["000001/000007/", "000001/000007/000042/"])
        assert coverage.count == 2
        assert len(coverage.rolled_up) == 3

    def test_paths_without_the_trailing_slash_or_padding(self) -> None:
        coverage = territory_coverage(["84/38/185", "84/38/185/", "", "/"])
        assert coverage.direct == {"84/38/185/"}
        assert coverage.territory_ids == {84, 38, 185}

    def test_nothing_covered(self) -> None:
        coverage = territory_coverage([])
        assert (coverage.count, coverage.levels, coverage.rolled_up) == (0, (), frozenset())

    def test_path_at_depth(self) -> None:
        assert path_at_depth("000001/000007/000042/", 0) == "000001/"
        assert path_at_depth("000001/000007/000042/", 1) == "000001/000007/"
        assert path_at_depth("000001/000007/000042/", 2) == "000001/000007/000042/"
        assert path_at_depth("000001/", 1) is None


class TestActionScores:
    def build(self, consensus: float | None = 0.5) -> ActionScores:
        return action_scores(
            item_supporters={"p1": {"ana", "bob"}, "p2": {"ana", "cyd"}, "pb1": {"dan"}},
            structures_of={"ana": ["emmaus"], "bob": ["ccas-gre"], "cyd": ["emmaus"]},
            structure_type_of={"emmaus": "association", "ccas-gre": "ccas"},
            territory_paths=["000001/000007/000042/", "000001/000009/"],
            consensus=consensus,
            consensus_parameters={"groups": 2},
        )

    def test_counts(self) -> None:
        scores = self.build()
        # ana, bob, cyd, dan: ana counted once though she supports p1 and p2.
        assert scores.distinct_supporters == 4
        assert scores.distinct_structures == 2  # emmaus (ana, cyd) and ccas-gre
        assert scores.distinct_structure_types == 2
        assert scores.territories_covered == 2
        assert scores.consensus == 0.5

    def test_explanations_and_dict(self) -> None:
        data = json.loads(json.dumps(self.build().as_dict()))
        names = [e["name"] for e in data["explanations"]]
        assert names == [
            "distinct_supporters",
            "distinct_structures",
            "distinct_structure_types",
            "territories_covered",
            "consensus",
        ]
        first = data["explanations"][0]
        assert first["value"] == 4
        assert first["parameters"] == {"sources": 3, "summed_supports": 5}
        assert data["explanations"][3]["parameters"] == {"rolled_up": 4}
        assert data["explanations"][4]["parameters"] == {"groups": 2}

    def test_without_vote_or_supporters(self) -> None:
        scores = action_scores(
            item_supporters={},
            structures_of={},
            structure_type_of={},
            territory_paths=[],
        )
        assert scores.as_dict()["consensus"] is None
        assert (scores.distinct_supporters, scores.distinct_structures) == (0, 0)

    def test_structure_of_unknown_type_counts_as_a_structure_only(self) -> None:
        scores = action_scores(
            item_supporters={"p": {"ana"}},
            structures_of={"ana": ["mystery"]},
            structure_type_of={},
            territory_paths=[],
        )
        assert (scores.distinct_structures, scores.distinct_structure_types) == (1, 0)
