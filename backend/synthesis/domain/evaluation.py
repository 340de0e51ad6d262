"""Quality measures of duplicate detection: pairwise precision/recall/F1, recall@k, hit rate,
and cross-validation (leave-theme-out, leave-cluster-out)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TypeVar

from backend.synthesis.domain.clustering import average_linkage, neighbour_graph
from backend.synthesis.domain.hybrid import as_hybrid
from backend.synthesis.domain.index import build_index
from backend.synthesis.domain.similarity import Doc, SimilarityBackend

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


def hit_rate_at_k(
    neighbours: Mapping[K, Sequence[K]], labels: Mapping[K, Hashable], k: int = 5
) -> float:
    """Share of the items having at least one true duplicate that find one among their first
    ``k`` neighbours: "a true duplicate among the 5 shown before posting". 1.0 when none has."""
    hits: list[bool] = []
    for item, label in labels.items():
        if not any(lab == label and other != item for other, lab in labels.items()):
            continue
        found = [n for n in neighbours.get(item, ()) if n != item][:k]
        hits.append(any(labels.get(n) == label for n in found))
    return sum(hits) / len(hits) if hits else 1.0


@dataclass(frozen=True)
class LabelledDoc:
    """A labelled document: its ground-truth duplicate cluster, theme and kind."""

    doc: Doc
    label: str
    key: str
    theme: str = ""
    kind: str = "proposal"


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
            LabelledDoc(
                Doc(number, row["title"], row["body"]),
                row["cluster"],
                str(row["id"]),
                row.get("theme", ""),
                row.get("kind", "proposal"),
            )
        )
    return items


@dataclass(frozen=True)
class Report:
    """Quality of the engine on a labelled corpus at one threshold."""

    threshold: float
    pairs: PairScores
    recall_at_5: float
    hit_at_5: float = 1.0


BackendFactory = Callable[[], SimilarityBackend]


@dataclass
class Scored:
    """A labelled corpus scored once by a backend: its neighbour graph and lookup rankings.

    Clustering at any threshold then costs only the linkage (the merge order does not depend
    on the threshold). ``neighbours`` are the 5 best of each item among all the others, as the
    similar-contributions lookup would show them before posting (``min_score`` applied).
    """

    items: Sequence[LabelledDoc]
    edges: dict[tuple[int, int], float]
    neighbours: dict[int, list[int]]

    @classmethod
    def of(
        cls,
        items: Sequence[LabelledDoc],
        backend: BackendFactory | None = None,
        min_score: float = 0.0,
    ) -> Scored:
        from backend.synthesis.domain.clustering import DEFAULT_NEIGHBOURS, MIN_EDGE_SIMILARITY

        docs = [item.doc for item in items]
        index = build_index(docs, backend() if backend is not None else None)
        ids, vectors = index.vectors()
        row_of = {doc_id: row for row, doc_id in enumerate(ids)}
        in_order = as_hybrid(vectors).take([row_of[d.id] for d in docs])
        edges = neighbour_graph(in_order, DEFAULT_NEIGHBOURS, MIN_EDGE_SIMILARITY)
        position = {d.id: p for p, d in enumerate(docs)}
        neighbours = {
            p: [position[i] for i, score in index.nearest_to(d.id, 5) if score >= min_score]
            for p, d in enumerate(docs)
        }
        return cls(items, edges, neighbours)

    def partition(self, threshold: float) -> list[list[int]]:
        return average_linkage(len(self.items), self.edges, threshold)

    def pair_counts(
        self, threshold: float, focus: Collection[int] | None = None, within: bool = False
    ) -> PairCounts:
        """Pairs predicted, expected and both: all of them, those touching ``focus``, or
        (``within``) those with both items in ``focus``."""
        return PairCounts.of(
            self.partition(threshold), [i.label for i in self.items], focus, within
        )

    def hits(self, queries: Iterable[int]) -> list[bool]:
        labels = [item.label for item in self.items]
        out: list[bool] = []
        for q in queries:
            if not any(labels[j] == labels[q] for j in range(len(labels)) if j != q):
                continue
            out.append(any(labels[j] == labels[q] for j in self.neighbours[q]))
        return out

    def report(self, threshold: float) -> Report:
        labels = {p: item.label for p, item in enumerate(self.items)}
        expected = groups_from_labels(labels)
        return Report(
            threshold,
            pairwise_scores(self.partition(threshold), expected),
            recall_at_k(self.neighbours, labels, 5),
            hit_rate_at_k(self.neighbours, labels, 5),
        )

    def best_threshold(self, grid: Sequence[float], train: Collection[int] | None = None) -> float:
        """The threshold of ``grid`` with the best F1 on the pairs inside ``train`` (all pairs
        by default; the lowest threshold on ties)."""
        return max(sorted(grid), key=lambda t: (self.pair_counts(t, train, within=True).f1, -t))


@dataclass(frozen=True)
class PairCounts:
    true_positives: int
    predicted: int
    expected: int

    @classmethod
    def of(
        cls,
        groups: Iterable[Iterable[int]],
        labels: Sequence[Hashable],
        focus: Collection[int] | None = None,
        within: bool = False,
    ) -> PairCounts:
        keep = set(focus) if focus is not None else None

        def kept(pair: frozenset[int]) -> bool:
            if keep is None:
                return True
            return pair <= keep if within else not keep.isdisjoint(pair)

        got = {p for p in same_cluster_pairs(groups) if kept(p)}
        want = {
            p for p in same_cluster_pairs(groups_from_labels(dict(enumerate(labels)))) if kept(p)
        }
        return cls(len(got & want), len(got), len(want))

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(
            self.true_positives + other.true_positives,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate_thresholds(
    items: Sequence[LabelledDoc],
    thresholds: Sequence[float],
    backend: BackendFactory | None = None,
) -> list[Report]:
    """Index ``items`` once, then cluster at each threshold and measure (recall@5 is shared)."""
    scored = Scored.of(items, backend)
    return [scored.report(t) for t in thresholds]


def evaluate(
    items: Sequence[LabelledDoc], threshold: float, backend: BackendFactory | None = None
) -> Report:
    """Cluster ``items`` at ``threshold`` and measure pairwise scores and recall@5."""
    return evaluate_thresholds(items, [threshold], backend)[0]


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


def leave_theme_out_folds(items: Sequence[LabelledDoc]) -> list[list[int]]:
    """One fold per theme: the positions of the items of that theme."""
    themes = sorted({item.theme for item in items})
    return [[p for p, item in enumerate(items) if item.theme == theme] for theme in themes]


def leave_cluster_out_folds(
    items: Sequence[LabelledDoc], k: int = 5, seed: int = 0
) -> list[list[int]]:
    """``k`` folds of whole clusters (seeded shuffle): the positions of each fold's items."""
    labels = sorted({item.label for item in items})
    random.Random(seed).shuffle(labels)  # noqa: S311 - a reproducible split, not a secret
    fold_of = {label: n % k for n, label in enumerate(labels)}
    return [[p for p, item in enumerate(items) if fold_of[item.label] == f] for f in range(k)]


@dataclass(frozen=True)
class CrossValidation:
    """Pooled held-out scores: the threshold tuned on the other folds' pairs, then every pair
    touching the held-out fold counted (pairs with the training items included, so a false
    merge across folds counts against precision)."""

    pairs: PairCounts
    hit_at_5: float
    thresholds: tuple[float, ...]


def cross_validate(
    scored: Scored, folds: Sequence[Sequence[int]], grid: Sequence[float]
) -> CrossValidation:
    """Tune the threshold without each fold, score that fold, pool the counts."""
    total = PairCounts(0, 0, 0)
    hits: list[bool] = []
    chosen: list[float] = []
    everyone = range(len(scored.items))
    for fold in folds:
        held = set(fold)
        train = [p for p in everyone if p not in held]
        threshold = scored.best_threshold(grid, train)
        chosen.append(threshold)
        total = total + scored.pair_counts(threshold, fold)
        hits.extend(scored.hits(fold))
    return CrossValidation(total, sum(hits) / len(hits) if hits else 1.0, tuple(chosen))
