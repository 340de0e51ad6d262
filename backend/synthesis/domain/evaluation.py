"""Quality measures of duplicate detection: pairwise precision/recall/F1 and recall@k."""

from __future__ import annotations

import json
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TypeVar

from backend.synthesis.domain.clustering import clusters_from_vectors
from backend.synthesis.domain.index import build_index
from backend.synthesis.domain.similarity import Doc

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


@dataclass(frozen=True)
class LabelledDoc:
    """A development document with its ground-truth duplicate cluster."""

    doc: Doc
    label: str
    key: str


def load_labelled_jsonl(path: Path) -> list[LabelledDoc]:
    """Read a JSON Lines file of ``{"id", "title", "body", "cluster"}`` objects.

    String ids such as ``"d-042"`` are kept as ``key``; ``doc.id`` is the line number.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"Development data not found at {path} (a copy of shared/data/proposals-dev.jsonl "
            "lives in tests/domain/synthesis/data/)."
        )
    items: list[LabelledDoc] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        items.append(
            LabelledDoc(Doc(number, row["title"], row["body"]), row["cluster"], str(row["id"]))
        )
    return items


@dataclass(frozen=True)
class Report:
    """Quality of the engine on a labelled corpus at one threshold."""

    threshold: float
    pairs: PairScores
    recall_at_5: float


def evaluate_thresholds(items: Sequence[LabelledDoc], thresholds: Sequence[float]) -> list[Report]:
    """Index ``items`` once, then cluster at each threshold and measure (recall@5 is shared)."""
    docs = [item.doc for item in items]
    labels = {item.doc.id: item.label for item in items}
    expected = groups_from_labels(labels)
    index = build_index(docs)
    neighbours = {d.id: [i for i, _ in index.nearest_to(d.id, 5)] for d in docs}
    at_5 = recall_at_k(neighbours, labels, 5)
    ids, vectors = index.vectors()
    reports: list[Report] = []
    for threshold in thresholds:
        clusters = clusters_from_vectors(ids, vectors, threshold)
        reports.append(
            Report(threshold, pairwise_scores([c.ids for c in clusters], expected), at_5)
        )
    return reports


def evaluate(items: Sequence[LabelledDoc], threshold: float) -> Report:
    """Cluster ``items`` at ``threshold`` and measure pairwise scores and recall@5."""
    return evaluate_thresholds(items, [threshold])[0]


def tune_threshold(items: Sequence[LabelledDoc], grid: Sequence[float]) -> Report:
    """The threshold of ``grid`` with the best pairwise F1 (the lowest one on ties)."""
    best: Report | None = None
    for report in evaluate_thresholds(items, sorted(grid)):
        if best is None or report.pairs.f1 > best.pairs.f1 + 1e-12:
            best = report
    if best is None:
        raise ValueError("empty threshold grid")
    return best


@dataclass(frozen=True)
class FoldResult:
    """Threshold tuned on one half of the clusters, scores measured on the other half."""

    tuned_on: int
    tuned: Report
    held_out: Report


def two_fold_by_cluster(
    items: Sequence[LabelledDoc], grid: Sequence[float], seed: int = 0
) -> list[FoldResult]:
    """Split the clusters in two halves (seeded), tune on each half, report on the other."""
    labels = sorted({item.label for item in items})
    random.Random(seed).shuffle(labels)  # noqa: S311 - a reproducible split, not a secret
    half = set(labels[: len(labels) // 2])
    folds = [
        [item for item in items if item.label in half],
        [item for item in items if item.label not in half],
    ]
    results: list[FoldResult] = []
    for which in (0, 1):
        tuned = tune_threshold(folds[which], grid)
        held_out = evaluate(folds[1 - which], tuned.threshold)
        results.append(FoldResult(which, tuned, held_out))
    return results
