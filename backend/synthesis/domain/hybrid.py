"""Hybrid similarity: the lexical TF-IDF view and the semantic (sentence-embedding) view.

The score of two texts is ``(1 - w) * lexical + w * semantic`` (``w`` = ``semantic_weight``)
when both are written in French, the semantic cosine alone otherwise (French stems say nothing
about an English text). Both views are cosines of L2-normalized rows; the semantic rows are
centered on the mean embedding of the fitted corpus first: every contribution of a consultation
speaks of digital inclusion, and the shared direction carries no information about which ones
say the same thing (the dense counterpart of IDF).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from backend.synthesis.domain.semantic import (
    Encoder,
    default_encoder,
    encoder_input,
    normalize_rows,
)
from backend.synthesis.domain.similarity import Doc, Matrix, TfidfBackend, Weights
from backend.synthesis.domain.text import looks_foreign

# Chosen by cross-validation on the development file (leave-theme-out and leave-cluster-out,
# bench/similarity.py): stems and the centered semantic view, half each. Character n-grams and
# thesaurus concepts lowered held-out F1 there (they reward a shared topic, not a shared need).
DEFAULT_SEMANTIC_WEIGHT = 0.5
LEXICAL_WEIGHTS = Weights(words=1.0, concepts=0.0, chars=0.0)
# Below this many fitted documents the corpus mean is a poor estimate of the shared direction:
# it is shrunk towards zero (a corpus of one document keeps its embedding as it is).
FULL_CENTERING_DOCS = 50


@dataclass
class HybridMatrix:
    """Rows of both views: ``lexical`` (CSR, L2-normalized), ``dense`` (centered embeddings,
    L2-normalized), ``native`` (written in French: the lexical view applies)."""

    lexical: Matrix
    dense: np.ndarray
    native: np.ndarray
    lexical_weight: float

    @property
    def rows(self) -> int:
        return int(self.dense.shape[0])

    @classmethod
    def from_lexical(cls, lexical: Matrix) -> HybridMatrix:
        """A lexical-only matrix (``TfidfBackend``): no dense view, every row native."""
        n = lexical.shape[0]
        return cls(
            sp.csr_matrix(lexical, dtype=np.float32),
            np.zeros((n, 0), dtype=np.float32),
            np.ones(n, dtype=bool),
            1.0,
        )

    @classmethod
    def empty(cls) -> HybridMatrix:
        return cls.from_lexical(sp.csr_matrix((0, 0), dtype=np.float32))

    def take(self, rows: Sequence[int] | np.ndarray) -> HybridMatrix:
        index = np.asarray(rows, dtype=np.int64)
        return HybridMatrix(
            sp.csr_matrix(self.lexical[index]),
            self.dense[index],
            self.native[index],
            self.lexical_weight,
        )

    @staticmethod
    def stack(parts: Sequence[HybridMatrix]) -> HybridMatrix:
        parts = [p for p in parts if p.rows] or list(parts[:1])
        width = max(p.lexical.shape[1] for p in parts)
        lexical = sp.vstack(
            [sp.csr_matrix(p.lexical, shape=(p.rows, width)) for p in parts], format="csr"
        )
        return HybridMatrix(
            lexical,
            np.vstack([p.dense for p in parts]),
            np.concatenate([p.native for p in parts]),
            parts[0].lexical_weight,
        )

    def is_blank(self, row: int = 0) -> bool:
        """True when a row has no feature in either view (an empty text)."""
        lexical_nnz = self.lexical.indptr[row + 1] - self.lexical.indptr[row]
        return bool(lexical_nnz == 0 and not np.any(self.dense[row]))

    def _combine(self, lexical: np.ndarray, dense: np.ndarray, both_native: np.ndarray) -> Any:
        if self.dense.shape[1] == 0:
            return lexical
        w = self.lexical_weight
        return np.where(both_native, w * lexical + (1.0 - w) * dense, dense).astype(np.float32)

    def parts_against(self, query: HybridMatrix) -> tuple[np.ndarray, np.ndarray]:
        """Lexical and semantic cosines of every row with the first row of ``query``."""
        lexical = self._lexical_dot(query.lexical[0])
        dense = (
            self.dense @ query.dense[0]
            if self.dense.shape[1]
            else np.zeros(self.rows, dtype=np.float32)
        )
        return lexical, np.asarray(dense, dtype=np.float32)

    def _lexical_dot(self, row: Matrix) -> np.ndarray:
        width = self.lexical.shape[1]
        dense_row = np.zeros(width, dtype=np.float32)
        keep = row.indices < width  # a query may carry columns beyond this matrix's
        dense_row[row.indices[keep]] = row.data[keep]
        return np.asarray(self.lexical @ dense_row, dtype=np.float32).ravel()

    def scores(self, query: HybridMatrix) -> np.ndarray:
        """Score of every row with the first row of ``query``."""
        lexical, dense = self.parts_against(query)
        return np.asarray(self._combine(lexical, dense, self.native & bool(query.native[0])))

    def block(self, start: int, stop: int) -> np.ndarray:
        """Scores of rows ``start:stop`` against every row (dense float32 array).

        One dense product for the semantic view; the lexical view is sparse, so it is added
        at its non-zero entries only (no second dense array for the bulk of the corpus).
        """
        head = self.lexical[start:stop]
        lexical = sp.csr_matrix(head @ self.lexical.T, dtype=np.float32).tocoo()
        if not self.dense.shape[1]:
            return np.asarray(lexical.toarray(), dtype=np.float32)
        w = self.lexical_weight
        out = np.asarray(self.dense[start:stop] @ self.dense.T, dtype=np.float32)
        native = self.native[start:stop]
        foreign_rows = np.flatnonzero(~native)
        foreign_cols = np.flatnonzero(~self.native)
        kept_rows = out[foreign_rows].copy() if len(foreign_rows) else None
        kept_cols = out[:, foreign_cols].copy() if len(foreign_cols) else None
        out *= 1.0 - w
        both = native[lexical.row] & self.native[lexical.col]
        rows, cols = lexical.row[both], lexical.col[both]
        out[rows, cols] += w * lexical.data[both]  # a product's entries are unique
        # A pair with a text in another language keeps its semantic cosine alone.
        if kept_rows is not None:
            out[foreign_rows] = kept_rows
        if kept_cols is not None:
            out[:, foreign_cols] = kept_cols
        return out

    def block_candidates(self, start: int, stop: int, candidates: int) -> tuple[Any, Any]:
        """For rows ``start:stop``: the ``candidates`` semantically closest rows of each (self
        excluded) and their exact scores, as two ``(rows, candidates)`` arrays.

        The semantic view (one dense product) picks the candidates; the lexical view is then
        added for those pairs only, from the sparse rows, so the cost does not grow with how
        many words the whole corpus shares. A neighbour outside a row's ``candidates``
        semantically closest is not seen (its lexical cosine would have to exceed its semantic
        one by far); the scores returned are exact.
        """
        dense = np.asarray(self.dense[start:stop] @ self.dense.T, dtype=np.float32)
        rows = np.arange(stop - start)
        dense[rows, rows + start] = -np.inf
        total = dense.shape[1]
        # The candidates' cut-off value per row (a partition of the values is several times
        # cheaper than an argpartition), then the columns at or above it: exactly
        # ``candidates`` per row unless values tie at the cut, where argpartition decides.
        cut = np.partition(dense, total - candidates, axis=1)[:, total - candidates]
        hit_rows, hit_cols = np.nonzero(dense >= cut[:, None])
        if len(hit_rows) == dense.shape[0] * candidates:
            chosen = hit_cols.reshape(dense.shape[0], candidates)
        else:
            chosen = np.argpartition(dense, total - candidates, axis=1)[:, total - candidates :]
        semantic = np.take_along_axis(dense, chosen, axis=1)
        if not self.lexical.shape[1] or self.lexical_weight == 0:
            return chosen, semantic
        head = np.asarray(self.lexical[start:stop].toarray(), dtype=np.float32)
        width = head.shape[1]
        gathered = self.lexical[chosen.ravel()]
        pair_of_entry = np.repeat(
            np.arange(chosen.size, dtype=np.int64), np.diff(gathered.indptr).astype(np.int64)
        )
        flat = (pair_of_entry // candidates) * width + gathered.indices
        products = gathered.data * head.ravel()[flat]
        lexical = np.bincount(pair_of_entry, weights=products, minlength=chosen.size).reshape(
            chosen.shape
        )
        w = self.lexical_weight
        both = self.native[start:stop, None] & self.native[chosen]
        scores = np.where(both, w * lexical + (1.0 - w) * semantic, semantic)
        return chosen, scores.astype(np.float32)

    def gram(self) -> np.ndarray:
        """Scores of every pair of rows (small matrices: a cluster's members)."""
        return self.block(0, self.rows)

    def pair(self, first: int, second: int) -> float:
        return float(self.take([second]).scores(self.take([first]))[0])


class HybridBackend:
    """Lexical ``TfidfBackend`` plus a sentence encoder (``SimilarityBackend``).

    Documents may carry their embedding (``Doc.embedding``, computed once per contribution
    version and stored); the others are encoded here in one batch. ``vectors`` of a draft
    encodes it once.
    """

    def __init__(
        self,
        lexical: TfidfBackend | None = None,
        encoder: Encoder | None = None,
        semantic_weight: float = DEFAULT_SEMANTIC_WEIGHT,
        center: bool = True,
    ) -> None:
        if not 0.0 <= semantic_weight <= 1.0:
            raise ValueError("semantic_weight must be between 0 and 1")
        self.lexical = lexical if lexical is not None else TfidfBackend(LEXICAL_WEIGHTS)
        self._encoder = encoder
        self.semantic_weight = semantic_weight
        self.center = center
        self.center_vector: np.ndarray | None = None

    @property
    def encoder(self) -> Encoder:
        return self._encoder if self._encoder is not None else default_encoder()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._encoder is default_encoder():
            state["_encoder"] = None  # the process's own encoder is found again after loading
        return state

    def embeddings(self, docs: Sequence[Doc]) -> np.ndarray:
        """Raw (uncentered) embeddings: the stored ones, the missing ones encoded in one batch."""
        encoder = self.encoder
        out = np.zeros((len(docs), encoder.dimensions), dtype=np.float32)
        missing: list[int] = []
        for row, doc in enumerate(docs):
            vector = doc.embedding
            if vector is not None and vector.shape == (encoder.dimensions,):
                out[row] = vector
            else:
                missing.append(row)
        if missing:
            texts = [encoder_input(docs[r].title, docs[r].body) for r in missing]
            out[missing] = encoder.encode(texts)
        return out

    def fit(self, docs: Sequence[Doc]) -> None:
        self.fit_vectors(docs)

    def fit_vectors(self, docs: Sequence[Doc]) -> HybridMatrix:
        lexical = self.lexical.fit_vectors(docs)
        raw = self.embeddings(docs)
        dims = self.encoder.dimensions
        self.center_vector = np.zeros(dims, dtype=np.float32)
        if self.center and len(docs):
            shrink = min(1.0, len(docs) / FULL_CENTERING_DOCS)
            self.center_vector = (raw.mean(axis=0) * shrink).astype(np.float32)
        return self._assemble(lexical, raw, docs)

    def vectors(self, docs: Sequence[Doc]) -> HybridMatrix:
        return self._assemble(self.lexical.vectors(docs), self.embeddings(docs), docs)

    def _assemble(self, lexical: Matrix, raw: np.ndarray, docs: Sequence[Doc]) -> HybridMatrix:
        center = self.center_vector
        dense = normalize_rows(raw - center if center is not None else raw)
        for row, doc in enumerate(docs):
            if not encoder_input(doc.title, doc.body):
                dense[row] = 0.0  # an empty text means nothing in any language
        native = np.asarray([not looks_foreign(f"{d.title} {d.body}") for d in docs], dtype=bool)
        return HybridMatrix(
            sp.csr_matrix(lexical, dtype=np.float32), dense, native, 1.0 - self.semantic_weight
        )


def as_hybrid(matrix: Any) -> HybridMatrix:
    """A backend's vectors as a ``HybridMatrix`` (lexical-only backends are wrapped)."""
    return matrix if isinstance(matrix, HybridMatrix) else HybridMatrix.from_lexical(matrix)
