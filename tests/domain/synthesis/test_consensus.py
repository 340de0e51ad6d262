"""Opinion groups (PCA, k-means, silhouette) and group-informed consensus, checked by hand."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA  # type: ignore[import-untyped]
from sklearn.metrics import silhouette_score  # type: ignore[import-untyped]

from backend.synthesis.domain.consensus import (
    PASS,
    GroupShare,
    ReactionMatrix,
    consensus_scores,
    kmeans,
    opinion_groups,
    principal_components,
    reaction_matrix,
    silhouette,
)

NAN = math.nan

# Two camps on six statements: A (4 people) agrees, B (2 people) disagrees; each person
# passes on one statement, so nobody sits on the same point and no sub-camp stands out.
STATEMENTS = ["s1", "s2", "s3", "s4", "s5", "s6"]
CAMPS: dict[str, dict[str, int]] = {
    **{f"a{i}": {**dict.fromkeys(STATEMENTS, 1), STATEMENTS[i - 1]: 0} for i in range(1, 5)},
    "b1": {**dict.fromkeys(STATEMENTS, -1), "s5": 0},
    "b2": {**dict.fromkeys(STATEMENTS, -1), "s6": 0},
}
CAMP_A = ("a1", "a2", "a3", "a4")
CAMP_B = ("b1", "b2")
# Candidate actions then get supports: "bridge" from half of A (a1, a2) and half of B (b1),
# 3 supports; "majority" from all of A, 4 supports; "nobody" from nobody.
ACTIONS = ["bridge", "majority", "nobody"]
ACTION_SUPPORTS = {
    "a1": {"bridge": 1, "majority": 1},
    "a2": {"bridge": 1, "majority": 1},
    "a3": {"majority": 1},
    "a4": {"majority": 1},
    "b1": {"bridge": 1},
    "b2": {},
}


def camps_matrix() -> ReactionMatrix[str, str]:
    return reaction_matrix(ballots=CAMPS, items=STATEMENTS)


def supports_matrix() -> ReactionMatrix[str, str]:
    return reaction_matrix(ballots=ACTION_SUPPORTS, items=ACTIONS, absent_as=PASS)


def flat(points: tuple[tuple[float, float], ...]) -> list[float]:
    return [value for point in points for value in point]


class TestReactionMatrix:
    def test_missing_rows_are_unseen_by_default(self) -> None:
        matrix = reaction_matrix(ballots={"ana": {"x": 1}, "bob": {"y": -1}}, items=["x", "y"])
        assert matrix.participants == ("ana", "bob")
        assert np.array_equal(matrix.values, [[1, NAN], [NAN, -1]], equal_nan=True)

    def test_support_ballots_read_absence_as_seen_without_support(self) -> None:
        matrix = reaction_matrix(
            ballots={"ana": {"x": 1}, "bob": {"y": 1, "z": 1}}, items=["x", "y"], absent_as=PASS
        )
        assert matrix.values.tolist() == [[1, 0], [0, 1]]  # "z" is not in the vote

    def test_values_are_read_only(self) -> None:
        with pytest.raises(ValueError, match="read-only"):
            camps_matrix().values[0, 0] = -1

    @pytest.mark.parametrize("value", [2, 0.5, -3])
    def test_other_values_are_refused(self, value: float) -> None:
        with pytest.raises(ValueError, match="reactions"):
            ReactionMatrix(participants=("a",), items=("x",), values=np.array([[value]]))

    def test_a_matrix_of_the_wrong_shape_is_refused(self) -> None:
        with pytest.raises(ValueError, match="one row per participant"):
            ReactionMatrix(participants=("a", "b"), items=("x",), values=np.zeros((1, 2)))

    def test_duplicate_participants_are_refused(self) -> None:
        with pytest.raises(ValueError, match="distinct"):
            ReactionMatrix(participants=("a", "a"), items=("x",), values=np.zeros((2, 1)))


class TestPrincipalComponents:
    def test_rank_one_matrix_has_one_axis(self) -> None:
        # X = u v^T with u = (1, 2, 3, 4), v = (3, 0, -4), |v| = 5. Centred rows are
        # (u_i - 2.5) v; the only axis is +-v/5 = +-(0.6, 0, -0.8), signed so the largest
        # loading (0.8) is positive: (-0.6, 0, 0.8). Coordinate i = (u_i - 2.5) v . axis =
        # (u_i - 2.5) * (-1.8 - 3.2) = -5 (u_i - 2.5) -> 7.5, 2.5, -2.5, -7.5.
        matrix = np.outer([1.0, 2.0, 3.0, 4.0], [3.0, 0.0, -4.0])
        projection = principal_components(matrix)
        assert projection.axes[0] == pytest.approx((-0.6, 0.0, 0.8))
        assert projection.axes[1] == (0.0, 0.0, 0.0)
        assert projection.explained_variance_ratio == pytest.approx((1.0, 0.0))
        assert [x for x, _ in projection.coordinates] == pytest.approx([7.5, 2.5, -2.5, -7.5])
        assert [y for _, y in projection.coordinates] == [0.0, 0.0, 0.0, 0.0]

    def test_two_axes_of_a_diagonal_configuration(self) -> None:
        # Centred rows (+-2, 0) and (0, +-1): variances 8 and 2 out of 10.
        matrix = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
        projection = principal_components(matrix)
        assert projection.explained_variance_ratio == pytest.approx((0.8, 0.2))
        assert flat(projection.coordinates) == pytest.approx([2, 0, -2, 0, 0, 1, 0, -1])

    def test_no_variance_and_no_rows(self) -> None:
        assert principal_components(np.ones((3, 2))).coordinates == ((0.0, 0.0),) * 3
        assert principal_components(np.zeros((0, 4))).coordinates == ()


class TestKMeansAndSilhouette:
    def test_silhouette_of_two_one_dimensional_pairs(self) -> None:
        # Points 0, 1 | 5, 6. Every a = 1. b(0) = (5 + 6) / 2 = 5.5, s = 4.5 / 5.5 = 9/11;
        # b(1) = (4 + 5) / 2 = 4.5, s = 3.5 / 4.5 = 7/9; by symmetry 5 -> 7/9, 6 -> 9/11.
        # Mean = (9/11 + 7/9) / 2 = 79/99.
        points = np.array([[0.0], [1.0], [5.0], [6.0]])
        assert silhouette(points, [0, 0, 1, 1]) == pytest.approx(79 / 99)

    def test_a_lone_point_scores_zero(self) -> None:
        # 0, 2 | 10: a(0) = 2, b(0) = 10, s = 0.8; a(2) = 2, b(2) = 8, s = 0.75; lone 10 -> 0.
        points = np.array([[0.0], [2.0], [10.0]])
        assert silhouette(points, [0, 0, 1]) == pytest.approx((0.8 + 0.75 + 0) / 3)

    def test_silhouette_is_undefined_for_one_cluster_or_singletons(self) -> None:
        points = np.array([[0.0], [1.0], [2.0]])
        assert silhouette(points, [0, 0, 0]) is None
        assert silhouette(points, [0, 1, 2]) is None

    def test_kmeans_finds_two_clumps_and_numbers_them_by_appearance(self) -> None:
        points = np.array([[10.0, 0], [0, 0], [10.2, 0], [0.2, 0], [0, 0.2]])
        fit = kmeans(points, k=2)
        assert fit.labels == (0, 1, 0, 1, 1)
        # Inertia: clump {10, 10.2} around 10.1 -> 2 * 0.1^2 = 0.02; clump around
        # (1/15, 1/15): per axis (1/15)^2 + (1/15)^2 + (2/15)^2 = 6/225, two axes -> 12/225.
        assert fit.inertia == pytest.approx(0.02 + 12 / 225)

    def test_kmeans_refuses_impossible_k(self) -> None:
        with pytest.raises(ValueError, match="k must"):
            kmeans(np.zeros((2, 2)), k=3)


class TestOpinionGroups:
    def test_two_camps_give_two_groups(self) -> None:
        groups = opinion_groups(camps_matrix())
        assert groups.chosen_k == 2
        assert groups.groups == (CAMP_A, CAMP_B)
        best = max(groups.candidates, key=lambda c: c.silhouette or -1)
        assert best.k == 2
        assert [c.k for c in groups.candidates] == [2, 3, 4, 5]
        assert groups.group_of("b2") == 1
        assert groups.group_of("nobody") is None

    def test_same_input_same_output(self) -> None:
        rng = np.random.default_rng(7)
        values = rng.choice([1.0, -1.0, 0.0, NAN], size=(30, 12))
        matrix = ReactionMatrix(
            participants=tuple(range(30)), items=tuple(range(12)), values=values
        )
        assert opinion_groups(matrix).as_dict() == opinion_groups(matrix).as_dict()

    def test_reordering_participants_keeps_the_camps(self) -> None:
        reordered = {p: CAMPS[p] for p in ["b2", "a3", "b1", "a1", "a4", "a2"]}
        groups = opinion_groups(reaction_matrix(ballots=reordered, items=STATEMENTS))
        assert [set(members) for members in groups.groups] == [set(CAMP_A), set(CAMP_B)]

    def test_participants_with_too_few_reactions_are_set_aside(self) -> None:
        ballots = {**CAMPS, "late": {"s1": 1, "s2": 1}}
        groups = opinion_groups(reaction_matrix(ballots=ballots, items=STATEMENTS))
        assert groups.excluded == ("late",)
        assert "late" not in groups.participants
        assert groups.chosen_k == 2
        everyone = opinion_groups(
            reaction_matrix(ballots=ballots, items=STATEMENTS), min_reactions=2
        )
        assert "late" in everyone.participants

    def test_unseen_cells_are_filled_with_the_column_mean(self) -> None:
        # a2 did not see s1: the column mean over the others is (0 + 1 + 1 - 1 - 1) / 5 = 0,
        # and a4 did not see s6: (1 + 1 + 1 - 1 + 0) / 5 = 0.4. Both land where they would
        # with those reactions.
        ballots = {p: dict(b) for p, b in CAMPS.items()}
        del ballots["a2"]["s1"]
        del ballots["a4"]["s6"]
        groups = opinion_groups(reaction_matrix(ballots=ballots, items=STATEMENTS))
        values = camps_matrix().values.copy()
        values[1, 0] = 0.0
        values[3, 5] = 0.4
        expected = principal_components(values).coordinates
        assert flat(groups.coordinates) == pytest.approx(flat(expected))
        assert groups.groups == (CAMP_A, CAMP_B)

    def test_no_participants(self) -> None:
        matrix: ReactionMatrix[str, str] = ReactionMatrix(
            participants=(), items=("x",), values=np.zeros((0, 1))
        )
        groups = opinion_groups(matrix)
        assert (groups.groups, groups.chosen_k, groups.candidates) == ((), 0, ())

    def test_one_participant_is_one_group(self) -> None:
        groups = opinion_groups(reaction_matrix(ballots={"ana": CAMPS["a1"]}, items=STATEMENTS))
        assert (groups.groups, groups.chosen_k) == ((("ana",),), 1)

    def test_fewer_than_the_minimum_participants_is_one_group(self) -> None:
        ballots = {p: CAMPS[p] for p in ["a1", "a2", "b1"]}
        groups = opinion_groups(reaction_matrix(ballots=ballots, items=STATEMENTS))
        assert groups.groups == (("a1", "a2", "b1"),)
        assert groups.candidates == ()

    def test_everyone_passing_is_one_group(self) -> None:
        ballots = {p: dict.fromkeys(STATEMENTS, 0) for p in "abcdef"}
        groups = opinion_groups(reaction_matrix(ballots=ballots, items=STATEMENTS))
        assert groups.chosen_k == 1
        assert groups.explained_variance_ratio == (0.0, 0.0)

    def test_no_structure_below_the_silhouette_threshold_is_one_group(self) -> None:
        groups = opinion_groups(camps_matrix(), min_silhouette=1.01)
        assert groups.chosen_k == 1
        assert groups.groups == (tuple(CAMPS),)
        assert groups.candidates  # the tries are still shown

    def test_explanation_is_serializable(self) -> None:
        data = opinion_groups(camps_matrix()).as_dict()
        assert data["method"] == "pca2_kmeans_silhouette"
        assert data["chosen_k"] == 2
        assert data["parameters"]["min_reactions"] == 3  # type: ignore[index]
        assert len(data["coordinates"]) == 6  # type: ignore[arg-type]


class TestConsensus:
    GROUPS = (CAMP_A, CAMP_B)

    def test_the_camps_found_are_the_groups_used(self) -> None:
        assert opinion_groups(camps_matrix()).groups == self.GROUPS

    def test_an_action_across_camps_beats_one_of_the_bigger_camp(self) -> None:
        result = consensus_scores(supports_matrix(), groups=self.GROUPS)
        # bridge: A (2 + 1) / (4 + 2) = 1/2, B (1 + 1) / (2 + 2) = 1/2 -> sqrt(1/4) = 0.5.
        bridge = result.entry_for("bridge")
        assert [g.smoothed for g in bridge.groups] == [0.5, 0.5]
        assert bridge.consensus == pytest.approx(0.5)
        assert bridge.product == pytest.approx(0.25)
        # majority: A (4 + 1) / 6 = 5/6, B (0 + 1) / 4 = 1/4 -> sqrt(5/24) ~ 0.456, though
        # it has 4 supports against 3.
        majority = result.entry_for("majority")
        assert majority.consensus == pytest.approx(math.sqrt(5 / 24))
        assert (majority.agree, bridge.agree) == (4, 3)
        assert bridge.rank < majority.rank

    def test_ranking_is_best_first(self) -> None:
        result = consensus_scores(supports_matrix(), groups=self.GROUPS)
        # nobody: A 1/6, B 1/4 -> sqrt(1/24) ~ 0.204.
        assert [(e.item, e.rank) for e in result.entries] == [
            ("bridge", 1),
            ("majority", 2),
            ("nobody", 3),
        ]
        assert result.entry_for("nobody").consensus == pytest.approx(math.sqrt(1 / 24))
        assert result.group_count == 2

    def test_equal_consensus_shares_a_rank_and_keeps_item_order(self) -> None:
        # s1..s4: one A member passes, A (3 + 1) / (4 + 2) = 2/3, B (0 + 1) / (2 + 2) = 1/4
        # -> sqrt(1/6). s5, s6: A (4 + 1) / 6 = 5/6, B 1/4 -> sqrt(5/24), higher. So s5, s6
        # tie first, then s1..s4 tie third, each tie in item order.
        result = consensus_scores(camps_matrix(), groups=self.GROUPS)
        assert [(e.item, e.rank) for e in result.entries] == [
            ("s5", 1),
            ("s6", 1),
            ("s1", 3),
            ("s2", 3),
            ("s3", 3),
            ("s4", 3),
        ]

    def test_group_shares_count_passes_and_unseen(self) -> None:
        matrix = reaction_matrix(
            ballots={"a": {"x": 1}, "b": {"x": 0}, "c": {"x": -1}, "d": {}}, items=["x"]
        )
        (share,) = consensus_scores(matrix, groups=[["a", "b", "c", "d"]]).entries[0].groups
        assert share == GroupShare(group=0, members=4, agree=1, disagree=1, passed=1, seen=3)
        assert share.share == pytest.approx(1 / 3)
        assert share.smoothed == pytest.approx(2 / 5)

    def test_all_pass_gives_the_smoothed_floor(self) -> None:
        # Nobody agrees, 6 seen in each of one group: (0 + 1) / (6 + 2) = 1/8.
        ballots = {p: {"x": 0} for p in "abcdef"}
        result = consensus_scores(reaction_matrix(ballots=ballots, items=["x"]), groups=["abcdef"])
        assert result.entries[0].consensus == pytest.approx(1 / 8)

    def test_no_group_gives_the_prior(self) -> None:
        matrix: ReactionMatrix[str, str] = ReactionMatrix(
            participants=(), items=("x", "y"), values=np.zeros((0, 2))
        )
        result = consensus_scores(matrix, groups=[])
        assert [e.consensus for e in result.entries] == [0.5, 0.5]
        assert [e.rank for e in result.entries] == [1, 1]

    def test_unknown_participants_in_groups_are_ignored(self) -> None:
        result = consensus_scores(supports_matrix(), groups=[("a1", "ghost")])
        assert result.entry_for("bridge").groups[0].members == 1

    def test_as_dict_shows_the_shares(self) -> None:
        result = consensus_scores(supports_matrix(), groups=self.GROUPS)
        data = result.entry_for("bridge").as_dict()
        assert data["method"] == "geometric_mean_of_smoothed_group_agreement"
        assert data["groups"][1]["smoothed"] == 0.5  # type: ignore[index]


REACTION = st.sampled_from([1.0, -1.0, 0.0, NAN])


@st.composite
def matrices_and_groups(
    draw: st.DrawFn,
) -> tuple[ReactionMatrix[int, int], list[list[int]]]:
    participants = draw(st.integers(min_value=0, max_value=8))
    items = draw(st.integers(min_value=1, max_value=4))
    values = np.array(
        [[draw(REACTION) for _ in range(items)] for _ in range(participants)], dtype=float
    ).reshape(participants, items)
    labels = [draw(st.integers(min_value=0, max_value=2)) for _ in range(participants)]
    groups = [[p for p in range(participants) if labels[p] == g] for g in range(3)]
    matrix = ReactionMatrix(
        participants=tuple(range(participants)), items=tuple(range(items)), values=values
    )
    return matrix, [g for g in groups if g]


@given(matrices_and_groups())
def test_consensus_lies_between_zero_and_one(
    case: tuple[ReactionMatrix[int, int], list[list[int]]],
) -> None:
    matrix, groups = case
    for entry in consensus_scores(matrix, groups=groups).entries:
        assert 0 < entry.consensus < 1
        assert entry.product <= entry.consensus + 1e-12


@given(matrices_and_groups(), st.randoms(use_true_random=False))
def test_permuting_participants_changes_no_score(
    case: tuple[ReactionMatrix[int, int], list[list[int]]], rng: random.Random
) -> None:
    matrix, groups = case
    order = list(range(len(matrix.participants)))
    rng.shuffle(order)
    permuted = ReactionMatrix(
        participants=tuple(matrix.participants[i] for i in order),
        items=matrix.items,
        values=matrix.values[order],
    )
    before = consensus_scores(matrix, groups=groups)
    after = consensus_scores(permuted, groups=groups)
    assert [(e.item, e.consensus, e.rank) for e in before.entries] == [
        (e.item, e.consensus, e.rank) for e in after.entries
    ]


@given(matrices_and_groups(), st.data())
def test_a_new_supporter_never_lowers_the_consensus(
    case: tuple[ReactionMatrix[int, int], list[list[int]]], data: st.DataObject
) -> None:
    matrix, groups = case
    members = [p for group in groups for p in group]
    if not members:
        return
    person = data.draw(st.sampled_from(members))
    item = data.draw(st.sampled_from(matrix.items))
    values = matrix.values.copy()
    values[person, item] = 1.0
    changed = ReactionMatrix(participants=matrix.participants, items=matrix.items, values=values)
    before = consensus_scores(matrix, groups=groups).entry_for(item).consensus
    after = consensus_scores(changed, groups=groups).entry_for(item).consensus
    assert after >= before


@given(matrices_and_groups())
def test_groups_partition_the_kept_participants(
    case: tuple[ReactionMatrix[int, int], list[list[int]]],
) -> None:
    matrix, _ = case
    result = opinion_groups(matrix, min_reactions=1, restarts=2)
    grouped = [p for members in result.groups for p in members]
    assert sorted(grouped) == sorted(result.participants)
    assert set(result.participants) | set(result.excluded) == set(matrix.participants)
    assert result.chosen_k == len(result.groups)
    assert [len(g) for g in result.groups] == sorted((len(g) for g in result.groups), reverse=True)


@settings(max_examples=30)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=2, max_value=4))
def test_silhouette_and_projection_agree_with_scikit_learn(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.choice([1.0, -1.0, 0.0], size=(12, 5))
    projection = principal_components(values)
    points = np.array(projection.coordinates)
    reference = PCA(n_components=2, svd_solver="full").fit_transform(values)
    for axis in range(2):
        if projection.explained_variance_ratio[axis] > 1e-9:
            # Same axis up to its sign.
            assert abs(points[:, axis]) == pytest.approx(abs(reference[:, axis]), abs=1e-9)
    labels = [index % k for index in range(12)]
    assert silhouette(points, labels) == pytest.approx(silhouette_score(points, labels))
