"""Pairwise precision/recall/F1 and recall@k, checked against hand-computed values."""

import pytest

from backend.synthesis.domain.evaluation import (
    groups_from_labels,
    pairwise_scores,
    recall_at_k,
    same_cluster_pairs,
)


def test_same_cluster_pairs() -> None:
    assert same_cluster_pairs([[1, 2, 3], [4]]) == {
        frozenset({1, 2}),
        frozenset({1, 3}),
        frozenset({2, 3}),
    }


def test_groups_from_labels() -> None:
    groups = groups_from_labels({1: "a", 2: "b", 3: "a"})
    assert sorted(sorted(g) for g in groups) == [[1, 3], [2]]


def test_pairwise_scores_by_hand() -> None:
    # Expected pairs: {1,2} {1,3} {2,3} {4,5} = 4. Predicted: {1,2} {4,5} {4,6} {5,6} = 4.
    # True positives: {1,2} {4,5} = 2 -> precision 2/4, recall 2/4, F1 0.5.
    scores = pairwise_scores([[1, 2], [3], [4, 5, 6]], [[1, 2, 3], [4, 5], [6]])
    assert (scores.true_positives, scores.predicted_pairs, scores.expected_pairs) == (2, 4, 4)
    assert scores.precision == pytest.approx(0.5)
    assert scores.recall == pytest.approx(0.5)
    assert scores.f1 == pytest.approx(0.5)


def test_pairwise_scores_uneven() -> None:
    # Predicted one big cluster {1,2,3,4}: 6 pairs; expected {1,2} {3,4}: 2 pairs, both found.
    scores = pairwise_scores([[1, 2, 3, 4]], [[1, 2], [3, 4]])
    assert scores.precision == pytest.approx(2 / 6)
    assert scores.recall == pytest.approx(1.0)
    assert scores.f1 == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


def test_pairwise_scores_conventions() -> None:
    assert pairwise_scores([[1], [2]], [[1], [2]]).f1 == pytest.approx(1.0)
    nothing = pairwise_scores([[1], [2]], [[1, 2]])
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 0.0, 0.0)


def test_recall_at_k_by_hand() -> None:
    labels = {1: "a", 2: "a", 3: "a", 4: "b", 5: "c"}
    neighbours = {
        1: [2, 4, 3],  # 2 of 2 duplicates within k=2? only [2, 4] -> 1/2
        2: [1, 3],  # 2/2
        3: [3, 5],  # itself ignored, then 5 -> 0/2
        4: [1, 2],  # no duplicate: not averaged
        5: [],
    }
    assert recall_at_k(neighbours, labels, k=2) == pytest.approx((0.5 + 1.0 + 0.0) / 3)


def test_recall_at_k_without_duplicates_is_one() -> None:
    assert recall_at_k({1: [2]}, {1: "a", 2: "b"}) == 1.0
