"""Near-duplicate clustering: sparse top-k neighbour graph, then average linkage on it."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backend.synthesis.domain.hybrid import HybridBackend, HybridMatrix, as_hybrid
from backend.synthesis.domain.similarity import Doc, SimilarityBackend

ProgressCallback = Callable[[int, int], None]

# Beyond this many rows, a row's neighbours are sought among its semantically closest rows only
# (the lexical view is then computed for those pairs, not for every pair sharing a word).
SEMANTIC_CANDIDATES = 256
# Rows per block of the neighbour search: a block of 512 rows against 10,000 documents is a
# 20 MB float32 dense array per view, whatever the corpus size.
BLOCK_ROWS = 512


@dataclass(frozen=True)
class Cluster:
    """A group of near-duplicate documents.

    ``ids`` are sorted; ``cohesion`` is the mean pairwise cosine of the members (1.0 for a
    singleton); ``representative_id`` is the member closest on average to the others.
    """

    ids: tuple[int, ...]
    cohesion: float
    representative_id: int

    @property
    def size(self) -> int:
        return len(self.ids)


def neighbour_graph(
    vectors: Any,
    k: int,
    min_similarity: float,
    on_progress: ProgressCallback | None = None,
) -> dict[tuple[int, int], float]:
    """Symmetric sparse graph of the ``k`` nearest neighbours of each row.

    Keys are row pairs ``(i, j)`` with ``i < j``; an edge exists when either row is among
    the other's ``k`` nearest with a score of at least ``min_similarity``. ``vectors`` is a
    ``HybridMatrix`` or a sparse matrix of L2-normalized rows. Each block of rows is scored
    against every row, so memory stays at a few blocks whatever the corpus size: exactly up to
    ``SEMANTIC_CANDIDATES`` + 1 rows, beyond among the ``SEMANTIC_CANDIDATES`` semantically
    closest rows of each (see ``HybridMatrix.block_candidates``; the scores stay exact).
    """
    matrix = as_hybrid(vectors)
    n = matrix.rows
    edges: dict[tuple[int, int], float] = {}
    if n < 2:
        if on_progress is not None:
            on_progress(n, n)
        return edges
    k = min(k, n - 1)
    staged = matrix.dense.shape[1] > 0 and n - 1 > SEMANTIC_CANDIDATES
    for start in range(0, n, BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, n)
        if staged:
            chosen, block = matrix.block_candidates(start, stop, SEMANTIC_CANDIDATES)
        else:
            block = matrix.block(start, stop)
            rows = np.arange(stop - start)
            block[rows, rows + start] = -np.inf
            chosen = None
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        scores = np.take_along_axis(block, top, axis=1)
        columns = np.take_along_axis(chosen, top, axis=1) if chosen is not None else top
        keep_r, keep_c = np.nonzero(scores >= min_similarity)
        for r, c in zip(keep_r.tolist(), keep_c.tolist(), strict=True):
            i = start + r
            j = int(columns[r, c])
            if j != i:
                edges[(i, j) if i < j else (j, i)] = float(scores[r, c])
        if on_progress is not None:
            on_progress(stop, n)
    return edges


def average_linkage(
    n: int,
    edges: dict[tuple[int, int], float],
    threshold: float,
    cannot_link: Iterable[tuple[int, int]] = (),
) -> list[list[int]]:
    """Average-linkage (UPGMA) agglomeration of ``n`` rows, absent edges counting as 0.

    Repeatedly merges the two clusters with the highest mean pairwise similarity, while that
    mean is at least ``threshold``. The merge order does not depend on the threshold, so a
    higher threshold yields a refinement of the partition of a lower one. Ties are broken by
    the smallest row numbers, which makes the result deterministic. Two clusters holding a
    ``cannot_link`` pair of rows are never merged. Returns groups of rows, each sorted.
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), s in edges.items():
        links[i][j] = s
        links[j][i] = s
    forbidden: dict[int, set[int]] = {}
    for a, b in cannot_link:
        if a != b:
            forbidden.setdefault(a, set()).add(b)
            forbidden.setdefault(b, set()).add(a)

    heap: list[tuple[float, int, int]] = []
    for (i, j), s in edges.items():
        if s >= threshold:
            heap.append((-s, i, j))
    heapq.heapify(heap)
    next_id = n
    while heap:
        neg, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        size_ab = len(members[a]) * len(members[b])
        current = links[a].get(b, 0.0) / size_ab
        if abs(current + neg) > 1e-9:
            continue  # stale entry
        if forbidden and _forbidden(members[a], members[b], forbidden):
            continue
        c = next_id
        next_id += 1
        members[c] = members.pop(a) + members.pop(b)
        la, lb = links.pop(a), links.pop(b)
        merged: dict[int, float] = {}
        for other, s in la.items():
            if other != b:
                merged[other] = merged.get(other, 0.0) + s
        for other, s in lb.items():
            if other != a:
                merged[other] = merged.get(other, 0.0) + s
        links[c] = merged
        size_c = len(members[c])
        for other, s in merged.items():
            neighbour = links[other]
            neighbour.pop(a, None)
            neighbour.pop(b, None)
            neighbour[c] = s
            mean = s / (size_c * len(members[other]))
            if mean >= threshold:
                x, y = (other, c) if other < c else (c, other)
                heapq.heappush(heap, (-mean, x, y))
    return sorted((sorted(m) for m in members.values()), key=lambda g: g[0])


def _forbidden(left: Sequence[int], right: Sequence[int], forbidden: dict[int, set[int]]) -> bool:
    right_set = set(right)
    return any(not forbidden.get(x, set()).isdisjoint(right_set) for x in left)


def describe(group: Sequence[int], ids: Sequence[int], vectors: Any) -> Cluster:
    """Cluster record of a group of rows: sorted ids, cohesion and representative."""
    if len(group) == 1:
        return Cluster((ids[group[0]],), 1.0, ids[group[0]])
    sims = np.asarray(as_hybrid(vectors).take(list(group)).gram(), dtype=np.float64)
    m = len(group)
    np.fill_diagonal(sims, 0.0)
    per_member = sims.sum(axis=1) / (m - 1)
    cohesion = float(per_member.mean())
    best = max(range(m), key=lambda r: (round(float(per_member[r]), 9), -ids[group[r]]))
    return Cluster(tuple(sorted(ids[r] for r in group)), round(cohesion, 6), ids[group[best]])


# Chosen by cross-validation on the development file with the hybrid backend's defaults (every
# leave-theme-out and leave-cluster-out fold picked 0.1375 or 0.15; bench/similarity.py), never
# on the second labelled set. The score is a mean of cosines whose semantic half is centered, so
# unrelated contributions score around 0.
DEFAULT_THRESHOLD = 0.14
DEFAULT_NEIGHBOURS = 20
# Similarities below this are left out of the graph: they count as 0 in the linkage means.
MIN_EDGE_SIMILARITY = 0.01


def suggest_clusters(
    docs: Iterable[Doc],
    threshold: float = DEFAULT_THRESHOLD,
    on_progress: ProgressCallback | None = None,
    *,
    backend: SimilarityBackend | None = None,
    neighbours: int = DEFAULT_NEIGHBOURS,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    include_singletons: bool = False,
) -> list[Cluster]:
    """Groups of near-duplicate documents, largest first (then by smallest id).

    Fits ``backend`` (the default TF-IDF one) on ``docs``, links each document to its
    ``neighbours`` nearest, then runs average linkage (see :func:`average_linkage`) with
    ``threshold`` on the cosine similarity. ``must_link`` pairs of ids count as identical,
    ``cannot_link`` pairs never end in the same cluster. ``on_progress(done, total)`` is called
    after each block of work (vectorization, neighbour search, linkage). The result does not
    depend on the order of ``docs``.
    """
    items = sorted({d.id: d for d in docs}.values(), key=lambda d: d.id)
    n = len(items)
    total = 2 * n + 1

    def report(done: int) -> None:
        if on_progress is not None:
            on_progress(done, total)

    engine: SimilarityBackend = backend if backend is not None else HybridBackend()
    vectors = engine.fit_vectors(items) if items else HybridMatrix.empty()
    report(n)
    return clusters_from_vectors(
        [d.id for d in items],
        vectors,
        threshold,
        on_progress=(lambda done, _: report(n + done)) if on_progress is not None else None,
        neighbours=neighbours,
        must_link=must_link,
        cannot_link=cannot_link,
        include_singletons=include_singletons,
    )


def clusters_from_vectors(
    ids: Sequence[int],
    vectors: Any,
    threshold: float = DEFAULT_THRESHOLD,
    on_progress: ProgressCallback | None = None,
    *,
    neighbours: int = DEFAULT_NEIGHBOURS,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    include_singletons: bool = False,
) -> list[Cluster]:
    """:func:`suggest_clusters` on vectors already computed (e.g. ``SimilarityIndex.vectors()``)."""
    n = len(ids)
    row_of = {doc_id: row for row, doc_id in enumerate(ids)}
    edges = neighbour_graph(vectors, neighbours, MIN_EDGE_SIMILARITY, on_progress)
    for a, b in must_link:
        if a in row_of and b in row_of and a != b:
            i, j = sorted((row_of[a], row_of[b]))
            edges[(i, j)] = 1.0
    forbidden = [(row_of[a], row_of[b]) for a, b in cannot_link if a in row_of and b in row_of]
    groups = average_linkage(n, edges, threshold, forbidden)
    clusters = [describe(g, ids, vectors) for g in groups if include_singletons or len(g) > 1]
    if on_progress is not None:
        on_progress(n + 1, n + 1)
    clusters.sort(key=lambda c: (-c.size, c.ids[0]))
    return clusters
