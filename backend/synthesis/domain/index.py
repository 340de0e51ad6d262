"""Incremental similarity index: add, remove and query contributions without refitting per query.

Refit policy: the vocabulary, IDF and mean embedding are learned by :meth:`SimilarityIndex.fit`.
Documents added later are vectorized with them at once (words unseen at fit time are ignored,
their embedding still counts). When the documents added or removed since the last fit exceed
``refit_growth`` (25 % by default) of the documents present at that fit, the index is marked
stale and refits at the next query (one full vectorization: about the cost of
:func:`build_index`, without encoding again the documents that carry their embedding). Scores
between two refits are therefore comparable, not identical, to scores after a refit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from backend.synthesis.domain.hybrid import HybridBackend, HybridMatrix, as_hybrid
from backend.synthesis.domain.similarity import Doc, SimilarityBackend

DEFAULT_REFIT_GROWTH = 0.25


class SimilarityIndex:
    """Documents by id, with their rows in one ``HybridMatrix`` (picklable)."""

    def __init__(
        self,
        backend: SimilarityBackend | None = None,
        refit_growth: float = DEFAULT_REFIT_GROWTH,
    ) -> None:
        if refit_growth <= 0:
            raise ValueError("refit_growth must be positive")
        self.backend: SimilarityBackend = backend if backend is not None else HybridBackend()
        self.refit_growth = refit_growth
        self._docs: dict[int, Doc] = {}
        self._row_ids: list[int] = []  # row -> doc id, -1 for a removed row
        self._row_of: dict[int, int] = {}
        self._matrix: HybridMatrix = HybridMatrix.empty()
        self._pending: list[HybridMatrix] = []  # rows added since the last fit, one each
        self._pending_matrix: HybridMatrix | None = None
        self._row_id_array: np.ndarray | None = None
        self._fitted_size = 0
        self._changes_since_fit = 0
        self._fitted = False

    # --- corpus -------------------------------------------------------------------------------

    def fit(self, docs: Iterable[Doc]) -> SimilarityIndex:
        """Replace the contents with ``docs`` and learn vocabulary, IDF, mean embedding."""
        self._docs = {}
        for doc in docs:
            self._docs[doc.id] = doc
        self.refit()
        return self

    def refit(self) -> None:
        """Learn from the current documents and re-vectorize them all."""
        docs = [self._docs[i] for i in sorted(self._docs)]
        if docs:
            self._matrix = as_hybrid(self.backend.fit_vectors(docs))
        else:
            self.backend.fit(docs)
            self._matrix = HybridMatrix.empty()
        self._row_ids = [d.id for d in docs]
        self._row_of = {doc_id: row for row, doc_id in enumerate(self._row_ids)}
        self._row_id_array = None
        self._pending = []
        self._pending_matrix = None
        self._fitted_size = len(docs)
        self._changes_since_fit = 0
        self._fitted = True

    def add(self, doc: Doc) -> None:
        """Add a document, or replace the document with the same id."""
        if doc.id in self._docs:
            self.remove(doc.id)
        self._docs[doc.id] = doc
        self._changes_since_fit += 1
        if self._fitted and not self.is_stale:
            self._pending.append(as_hybrid(self.backend.vectors([doc])))
            self._pending_matrix = None
            self._row_of[doc.id] = len(self._row_ids)
            self._row_ids.append(doc.id)
            self._row_id_array = None

    def remove(self, doc_id: int) -> None:
        """Forget a document; unknown ids are ignored."""
        if self._docs.pop(doc_id, None) is None:
            return
        row = self._row_of.pop(doc_id, None)
        if row is not None:
            self._row_ids[row] = -1
            self._row_id_array = None
        self._changes_since_fit += 1

    @property
    def is_stale(self) -> bool:
        """True when the next query will refit (see the module docstring)."""
        if not self._fitted:
            return True
        return self._changes_since_fit > self.refit_growth * max(self._fitted_size, 1)

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    @property
    def ids(self) -> list[int]:
        """Ids of the documents, ascending."""
        return sorted(self._docs)

    def doc(self, doc_id: int) -> Doc:
        return self._docs[doc_id]

    # --- vectors and queries ------------------------------------------------------------------

    def _fresh(self) -> None:
        if self.is_stale:
            self.refit()

    def _fresh_matrix(self) -> HybridMatrix:
        """All rows (fitted, then pending), removed rows included (see ``_row_ids``)."""
        self._fresh()
        pending = self._pending_rows()
        if pending is None:
            return self._matrix
        if not self._matrix.rows:
            return pending
        return HybridMatrix.stack([self._matrix, pending])

    def _pending_rows(self) -> HybridMatrix | None:
        if not self._pending:
            return None
        if self._pending_matrix is None:
            self._pending_matrix = HybridMatrix.stack(self._pending)
        return self._pending_matrix

    def _row_id_values(self) -> np.ndarray:
        if self._row_id_array is None:
            self._row_id_array = np.asarray(self._row_ids, dtype=np.int64)
        return self._row_id_array

    def vectors(self) -> tuple[list[int], HybridMatrix]:
        """Ids ascending and their rows."""
        matrix = self._fresh_matrix()
        pairs = sorted((doc_id, row) for row, doc_id in enumerate(self._row_ids) if doc_id >= 0)
        return [doc_id for doc_id, _ in pairs], matrix.take([row for _, row in pairs])

    def vector(self, title: str, body: str) -> HybridMatrix:
        """Row of a text (a draft) in the space of the index: the draft is encoded once."""
        self._fresh()
        return as_hybrid(self.backend.vectors([Doc(-1, title, body)]))

    def nearest(
        self,
        title: str,
        body: str = "",
        k: int = 5,
        exclude_ids: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """The ``k`` most similar documents to a text, as ``(id, score)``, best first.

        Ties are broken by ascending id. The score is exact against every row: a sparse
        product for the lexical view and a dense one for the semantic view.
        """
        return self.nearest_to_vector(self.vector(title, body), k, exclude_ids)

    def nearest_to_vector(
        self, query: HybridMatrix, k: int = 5, exclude_ids: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """:meth:`nearest` for a row already computed by :meth:`vector`."""
        return self._rank(query, k, exclude_ids)

    def _row(self, doc_id: int) -> HybridMatrix:
        """The row of an indexed document (without stacking fitted and pending rows)."""
        self._fresh()
        row = self._row_of[doc_id]
        fitted = self._matrix.rows
        if row < fitted:
            return self._matrix.take([row])
        pending = self._pending_rows()
        assert pending is not None
        return pending.take([row - fitted])

    def nearest_to(self, doc_id: int, k: int = 5) -> list[tuple[int, float]]:
        """The ``k`` documents most similar to an indexed document, itself excluded."""
        return self._rank(self._row(doc_id), k, (doc_id,))

    def similarity(self, first_id: int, second_id: int) -> float:
        """Score of two indexed documents (symmetric)."""
        return float(self._row(second_id).scores(self._row(first_id))[0])

    def parts(self, query: HybridMatrix, doc_id: int) -> tuple[float, float]:
        """Lexical and semantic cosines of a query row with an indexed document."""
        lexical, semantic = self._row(doc_id).parts_against(query)
        return float(lexical[0]), float(semantic[0])

    def is_native(self, doc_id: int) -> bool:
        """Whether an indexed document is written in French (the lexical view applies)."""
        return bool(self._row(doc_id).native[0])

    def _scores(self, query: HybridMatrix) -> np.ndarray:
        """Score of the query with every row (fitted rows, then pending rows)."""
        parts: list[np.ndarray] = []
        if self._matrix.rows:
            parts.append(self._matrix.scores(query))
        pending = self._pending_rows()
        if pending is not None:
            parts.append(pending.scores(query))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def _rank(
        self, query: HybridMatrix, k: int, exclude_ids: Collection[int]
    ) -> list[tuple[int, float]]:
        self._fresh()
        if k <= 0 or not self._row_ids or query.is_blank():
            return []
        scores = self._scores(query)
        row_ids = self._row_id_values()
        scores[row_ids < 0] = -np.inf
        for doc_id in exclude_ids:
            row = self._row_of.get(doc_id)
            if row is not None:
                scores[row] = -np.inf
        candidates = int(np.count_nonzero(np.isfinite(scores)))
        if candidates == 0:
            return []
        take = min(k, candidates)
        top = (
            np.argpartition(-scores, take - 1)[:take]
            if take < len(scores)
            else np.arange(len(scores))
        )
        ranked = sorted(
            ((int(row_ids[r]), float(scores[r])) for r in top if np.isfinite(scores[r])),
            key=lambda pair: (-round(pair[1], 6), pair[0]),
        )
        # Centered embeddings make unrelated texts score slightly below 0: shown as 0.
        return [(doc_id, round(min(max(score, 0.0), 1.0), 6)) for doc_id, score in ranked[:take]]


def build_index(
    docs: Iterable[Doc],
    backend: SimilarityBackend | None = None,
    refit_growth: float = DEFAULT_REFIT_GROWTH,
) -> SimilarityIndex:
    """An index fitted on ``docs`` (the hybrid backend by default)."""
    return SimilarityIndex(backend, refit_growth).fit(docs)
