"""Quality measures of duplicate detection: pairwise precision/recall/F1 and recall@k."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class PairScores:
    """Pairwise scores: a pair is positive when both items share a cluster."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted_pairs: int
    expected_pairs: int


def same_cluster_pairs(clusters: Iterable[Iterable[K]]) -> set[frozenset[K]]:
    """Every unordered pair of items placed in the same cluster."""
    pairs: set[frozenset[K]] = set()
    for cluster in clusters:
        members = sorted(set(cluster), key=repr)
        pairs.update(frozenset(p) for p in combinations(members, 2))
    return pairs


def groups_from_labels(labels: Mapping[K, Hashable]) -> list[list[K]]:
    """Clusters (lists of items) from an item -> label mapping."""
    by_label: dict[Hashable, list[K]] = {}
    for item, label in labels.items():
        by_label.setdefault(label, []).append(item)
    return list(by_label.values())


def pairwise_scores(
    predicted: Iterable[Iterable[K]], expected: Iterable[Iterable[K]]
) -> PairScores:
    """Pairwise precision, recall and F1 of predicted clusters against expected clusters.

    Conventions: no predicted pair gives precision 1.0; no expected pair gives recall 1.0;
    F1 is 0.0 when precision and recall are both 0.
    """
    got = same_cluster_pairs(predicted)
    want = same_cluster_pairs(expected)
    tp = len(got & want)
    precision = tp / len(got) if got else 1.0
    recall = tp / len(want) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, tp, len(got), len(want))


def recall_at_k(
    neighbours: Mapping[K, Sequence[K]], labels: Mapping[K, Hashable], k: int = 5
) -> float:
    """Mean, over items having at least one true duplicate, of the share of those duplicates
    found among the item's first ``k`` neighbours (the item itself is ignored if present).

    Returns 1.0 when no item has a duplicate.
    """
    shares: list[float] = []
    for item, label in labels.items():
        duplicates = {other for other, lab in labels.items() if lab == label and other != item}
        if not duplicates:
            continue
        found = [n for n in neighbours.get(item, ()) if n != item][:k]
        shares.append(len(duplicates.intersection(found)) / len(duplicates))
    return sum(shares) / len(shares) if shares else 1.0
