"""Incremental similarity index: add, remove and query contributions without refitting per query.

Refit policy: the vocabulary and IDF are learned by :meth:`SimilarityIndex.fit`. Documents added
later are vectorized with that frozen vocabulary at once (words unseen at fit time are ignored,
their character n-grams and thesaurus concepts still count). When the documents added or
removed since the last fit exceed ``refit_growth`` (25 % by default) of the documents present at
that fit, the index is marked stale and refits at the next query (one full vectorization: about
the cost of :func:`build_index`). A background job may call :meth:`SimilarityIndex.refit` ahead
of time to keep queries fast. Scores between two refits are therefore comparable, not identical,
to scores after a refit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from backend.synthesis.domain.similarity import Doc, Matrix, SimilarityBackend, TfidfBackend

DEFAULT_REFIT_GROWTH = 0.25
# Up to this many fitted rows, a query is scored exactly against every row.
EXACT_ROWS = 2_000
# Beyond, rows rescored exactly after the light views (stems, concepts) picked them.
QUERY_CANDIDATES = 256


class SimilarityIndex:
    """Documents by id, with their L2-normalized vectors in one sparse matrix (picklable)."""

    def __init__(
        self,
        backend: SimilarityBackend | None = None,
        refit_growth: float = DEFAULT_REFIT_GROWTH,
    ) -> None:
        if refit_growth <= 0:
            raise ValueError("refit_growth must be positive")
        self.backend: SimilarityBackend = backend if backend is not None else TfidfBackend()
        self.refit_growth = refit_growth
        self._docs: dict[int, Doc] = {}
        self._row_ids: list[int] = []  # row -> doc id, -1 for a removed row
        self._row_of: dict[int, int] = {}
        self._matrix: Matrix = sp.csr_matrix((0, 0), dtype=np.float32)
        # Transpose of ``_matrix`` (one row per feature: an inverted index), built on demand.
        self._postings: Matrix | None = None
        self._pending: list[Matrix] = []  # rows added since the last fit, one matrix each
        self._pending_matrix: Matrix | None = None
        self._row_id_array: np.ndarray | None = None
        self._fitted_size = 0
        self._changes_since_fit = 0
        self._fitted = False

    # --- corpus -------------------------------------------------------------------------------

    def fit(self, docs: Iterable[Doc]) -> SimilarityIndex:
        """Replace the contents with ``docs`` and learn vocabulary and IDF from them."""
        self._docs = {}
        for doc in docs:
            self._docs[doc.id] = doc
        self.refit()
        return self

    def refit(self) -> None:
        """Learn vocabulary and IDF from the current documents and re-vectorize them all."""
        docs = [self._docs[i] for i in sorted(self._docs)]
        self._matrix = self.backend.fit_vectors(docs) if docs else sp.csr_matrix((0, 0))
        if not docs:
            self.backend.fit(docs)
        self._postings = None
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
            self._pending.append(self.backend.vectors([doc]))
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

    # --- vectors and queries ------------------------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        state["_postings"] = None  # rebuilt on the first query: halves the pickle
        return state

    def _fresh(self) -> None:
        if self.is_stale:
            self.refit()

    def _fresh_matrix(self) -> Matrix:
        """All rows (fitted, then pending), removed rows included (see ``_row_ids``)."""
        self._fresh()
        pending = self._pending_rows()
        if pending is None:
            return self._matrix
        if not self._matrix.shape[0]:
            return pending
        return sp.vstack([self._matrix, pending], format="csr")

    def _pending_rows(self) -> Matrix | None:
        if not self._pending:
            return None
        if self._pending_matrix is None:
            self._pending_matrix = sp.vstack(self._pending, format="csr")
        return self._pending_matrix

    def _row_id_values(self) -> np.ndarray:
        if self._row_id_array is None:
            self._row_id_array = np.asarray(self._row_ids, dtype=np.int64)
        return self._row_id_array

    def vectors(self) -> tuple[list[int], Matrix]:
        """Ids ascending and their vectors (one L2-normalized row each)."""
        matrix = self._fresh_matrix()
        pairs = sorted((doc_id, row) for row, doc_id in enumerate(self._row_ids) if doc_id >= 0)
        rows = [row for _, row in pairs]
        return [doc_id for doc_id, _ in pairs], sp.csr_matrix(matrix[rows])

    def vector(self, title: str, body: str) -> Matrix:
        """Vector of a text (a draft) in the space of the index."""
        self._fresh()
        return self.backend.vectors([Doc(-1, title, body)])

    def nearest(
        self,
        title: str,
        body: str = "",
        k: int = 5,
        exclude_ids: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """The ``k`` most similar documents to a text, as ``(id, cosine)``, best first.

        Ties are broken by ascending id. Scores come from the posting lists of the query's
        features (an inverted index over the fitted rows) plus one small product with the rows
        added since the last fit.
        """
        return self._rank(self.vector(title, body), k, exclude_ids)

    def nearest_to(self, doc_id: int, k: int = 5) -> list[tuple[int, float]]:
        """The ``k`` documents most similar to an indexed document, itself excluded."""
        doc = self._docs[doc_id]
        return self.nearest(doc.title, doc.body, k, exclude_ids=(doc_id,))

    def similarity(self, first_id: int, second_id: int) -> float:
        """Cosine similarity of two indexed documents."""
        matrix = self._fresh_matrix()
        a = matrix[self._row_of[first_id]]
        b = matrix[self._row_of[second_id]]
        return float(a.multiply(b).sum())

    def _scores(self, query: Matrix) -> np.ndarray:
        """Cosine of the query with every row (fitted rows, then pending rows).

        Small indexes get one exact sparse product. Beyond ``EXACT_ROWS`` fitted rows and with a
        backend exposing ``candidate_columns``, the light views score every row through their
        posting lists, the best ``QUERY_CANDIDATES`` rows get their exact cosine, the others
        keep the light-view score (a lower bound, below the exact scores that matter).
        """
        cols = query.indices
        vals = query.data.astype(np.float32)
        dense = np.zeros(query.shape[1], dtype=np.float32)
        dense[cols] = vals
        parts: list[np.ndarray] = []
        main = self._matrix
        n_main = main.shape[0]
        if n_main:
            light = getattr(self.backend, "candidate_columns", None)
            if light is None or n_main <= EXACT_ROWS:
                parts.append(np.asarray(main @ dense, dtype=np.float32).ravel())
            else:
                if self._postings is None:
                    self._postings = sp.csr_matrix(main[:, :light].T)
                keep = cols < light
                scores = np.asarray(
                    self._postings[cols[keep]].T @ vals[keep], dtype=np.float32
                ).ravel()
                take = min(QUERY_CANDIDATES, n_main)
                best = np.argpartition(-scores, take - 1)[:take]
                scores[best] = np.asarray(main[best] @ dense, dtype=np.float32).ravel()
                parts.append(scores)
        pending = self._pending_rows()
        if pending is not None:
            parts.append(np.asarray(pending @ dense, dtype=np.float32).ravel())
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def _rank(self, query: Matrix, k: int, exclude_ids: Collection[int]) -> list[tuple[int, float]]:
        self._fresh()
        if k <= 0 or not self._row_ids or query.nnz == 0:
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
        return [(doc_id, round(score, 6)) for doc_id, score in ranked[:take]]


def build_index(
    docs: Iterable[Doc],
    backend: SimilarityBackend | None = None,
    refit_growth: float = DEFAULT_REFIT_GROWTH,
) -> SimilarityIndex:
    """An index fitted on ``docs``."""
    return SimilarityIndex(backend, refit_growth).fit(docs)
