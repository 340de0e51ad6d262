"""Lexical-semantic similarity of contributions: stems, concepts, character n-grams, TF-IDF."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, TypeAlias

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from backend.synthesis.domain.text import content_words, normalize, stem
from backend.synthesis.domain.thesaurus import Thesaurus, default_thesaurus

# scipy ships no type information: sparse matrices (CSR, rows L2-normalized) are typed Any.
Matrix: TypeAlias = Any


@dataclass(frozen=True)
class Doc:
    """A contribution as the engine sees it; ``embedding``: its stored sentence embedding, if
    any (see ``hybrid.HybridBackend``)."""

    id: int
    title: str
    body: str
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Weights:
    """Relative weight of each view in the combined vector (cosine of the weighted blocks).

    ``title`` multiplies the term frequency of title words: a title names the action.
    """

    words: float = 1.0
    concepts: float = 1.5
    chars: float = 0.6
    title: float = 1.5


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Analyzed:
    """A document reduced to the features of each view (title terms already weighted)."""

    words: dict[str, float]
    concepts: dict[str, float]
    chars: dict[str, float]


# Bounded: each entry holds about fifteen short strings; typos make the word list long-tailed.
@lru_cache(maxsize=20_000)
def _word_ngrams(word: str, lo: int = 3, hi: int = 5) -> tuple[str, ...]:
    padded = f" {word} "
    size = len(padded)
    return tuple(padded[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1))


def _char_ngrams(words: Sequence[str]) -> Counter[str]:
    """Character 3- to 5-grams of each word padded with spaces (words repeat: cached)."""
    grams: Counter[str] = Counter()
    for word in words:
        grams.update(_word_ngrams(word))
    return grams


def analyze(
    title: str,
    body: str,
    thesaurus: Thesaurus,
    title_weight: float,
    needed: tuple[bool, bool, bool] = (True, True, True),
) -> Analyzed:
    """Features of one document: stems, concept labels and character n-grams (each view only
    if ``needed``: a view weighted 0 costs nothing)."""
    views: list[tuple[Counter[str], Counter[str], Counter[str]]] = []
    for part in (title, body):
        words = content_words(normalize(part))
        stem_seq = [stem(w) for w in words]
        views.append(
            (
                Counter(stem_seq) if needed[0] else Counter(),
                Counter(thesaurus.concepts(stem_seq)) if needed[1] else Counter(),
                _char_ngrams(words) if needed[2] else Counter(),
            )
        )
    merged: list[dict[str, float]] = []
    for title_bag, body_bag in zip(views[0], views[1], strict=True):
        acc: dict[str, float] = dict(body_bag)  # the body is long, the title short
        for term, count in title_bag.items():
            acc[term] = acc.get(term, 0.0) + title_weight * count
        merged.append(acc)
    return Analyzed(merged[0], merged[1], merged[2])


@dataclass
class _View:
    """Vocabulary and IDF of one view, frozen at fit time."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def fit_raw(self, raw: Matrix, provisional: dict[str, int], min_df: int) -> Matrix:
        """Learn vocabulary and IDF from raw term counts (columns numbered by ``provisional``)
        and return the weighted rows of those same documents."""
        n = raw.shape[0]
        df = np.bincount(raw.indices, minlength=raw.shape[1])
        terms = sorted(t for t, c in provisional.items() if df[c] >= min_df)
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        old = np.asarray([provisional[t] for t in terms], dtype=np.int64)
        self.idf = (np.log((1 + n) / (1 + df[old].astype(np.float64))) + 1.0).astype(np.float32)
        remap = np.full(raw.shape[1], -1, dtype=np.int32)
        remap[old] = np.arange(len(terms), dtype=np.int32)
        cols = remap[raw.indices]
        data, indptr = raw.data, raw.indptr
        if len(terms) < raw.shape[1]:  # some terms fell under min_df: drop their entries
            keep = cols >= 0
            kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
            cols, data, indptr = cols[keep], data[keep], kept_before[indptr]
        counts = sp.csr_matrix((data, cols, indptr), shape=(n, len(terms)), dtype=np.float32)
        return self._weigh(counts)

    def transform(self, bags: Sequence[dict[str, float]]) -> Matrix:
        """Sublinear TF times IDF, rows L2-normalized (empty rows stay zero)."""
        indptr = [0]
        indices: list[int] = []
        counts: list[float] = []
        vocab = self.vocabulary
        for bag in bags:
            for term, tf in bag.items():
                col = vocab.get(term)
                if col is not None:
                    indices.append(col)
                    counts.append(tf)
            indptr.append(len(indices))
        raw = sp.csr_matrix(
            (
                np.asarray(counts, dtype=np.float32),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(bags), len(vocab)),
            dtype=np.float32,
        )
        return self._weigh(raw)

    def _weigh(self, counts: Matrix) -> Matrix:
        tf = counts.data.astype(np.float32)
        values = np.where(tf >= 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf)
        if counts.shape[1]:
            values = values * self.idf[counts.indices]
        weighted = sp.csr_matrix(
            (values.astype(np.float32), counts.indices, counts.indptr), shape=counts.shape
        )
        return _normalize_rows(weighted)


def _normalize_rows(m: Matrix) -> Matrix:
    m = sp.csr_matrix(m, dtype=np.float32)
    row_of_entry = np.repeat(np.arange(m.shape[0], dtype=np.int32), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(row_of_entry, weights=m.data * m.data, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    scale = (1.0 / norms).astype(np.float32)
    return sp.csr_matrix((m.data * scale[row_of_entry], m.indices, m.indptr), shape=m.shape)


class SimilarityBackend(Protocol):
    """What the index needs from a representation.

    ``fit`` learns what it needs from a corpus (vocabulary, IDF, the mean embedding);
    ``vectors`` maps documents to rows: a sparse matrix of L2-normalized rows, whose dot
    product is a cosine (``TfidfBackend``), or a ``hybrid.HybridMatrix`` that scores pairs
    over several views (``hybrid.HybridBackend``, the default).
    """

    def fit(self, docs: Sequence[Doc]) -> None: ...

    def fit_vectors(self, docs: Sequence[Doc]) -> Matrix:
        """``fit`` then ``vectors`` of the same documents, in one pass where possible."""
        ...

    def vectors(self, docs: Sequence[Doc]) -> Matrix: ...


class TfidfBackend:
    """Weighted concatenation of stem, thesaurus-concept and character n-gram TF-IDF views."""

    def __init__(
        self,
        weights: Weights = DEFAULT_WEIGHTS,
        thesaurus: Thesaurus | None = None,
        min_df: int = 1,
    ) -> None:
        self.weights = weights
        self.thesaurus = thesaurus if thesaurus is not None else default_thesaurus()
        self.min_df = min_df
        self._views = (_View(), _View(), _View())

    def fit(self, docs: Sequence[Doc]) -> None:
        self.fit_vectors(docs)

    def fit_vectors(self, docs: Sequence[Doc]) -> Matrix:
        """Analyze each document once, keeping only compact counts (memory: about 8 bytes per
        feature occurrence, not the Python dictionaries), then learn vocabularies and IDF."""
        provisional: list[dict[str, int]] = [{}, {}, {}]
        columns = [array("i"), array("i"), array("i")]
        counts = [array("f"), array("f"), array("f")]
        indptr: list[list[int]] = [[0], [0], [0]]
        needed = self._needed
        for d in docs:
            analyzed = analyze(d.title, d.body, self.thesaurus, self.weights.title, needed)
            for v, bag in enumerate((analyzed.words, analyzed.concepts, analyzed.chars)):
                known, cols, values = provisional[v], columns[v], counts[v]
                for term, tf in bag.items():
                    col = known.get(term)
                    if col is None:
                        col = known[term] = len(known)
                    cols.append(col)
                    values.append(tf)
                indptr[v].append(len(cols))
        blocks = []
        for v, (view, weight, min_df) in enumerate(
            zip(
                self._views,
                (self.weights.words, self.weights.concepts, self.weights.chars),
                (self.min_df, 1, self.min_df),
                strict=True,
            )
        ):
            if not needed[v]:
                continue
            raw = sp.csr_matrix(
                (
                    np.frombuffer(counts[v], dtype=np.float32),
                    np.frombuffer(columns[v], dtype=np.int32),
                    np.asarray(indptr[v], dtype=np.int64),
                ),
                shape=(len(docs), len(provisional[v])),
            )
            blocks.append(view.fit_raw(raw, provisional[v], min_df) * weight)
        return self._stack(blocks, len(docs))

    @property
    def _needed(self) -> tuple[bool, bool, bool]:
        w = self.weights
        return (w.words > 0, w.concepts > 0, w.chars > 0)

    @staticmethod
    def _stack(blocks: list[Matrix], rows: int) -> Matrix:
        if not blocks:
            return sp.csr_matrix((rows, 0), dtype=np.float32)
        return _normalize_rows(sp.hstack(blocks, format="csr"))

    def vectors(self, docs: Sequence[Doc]) -> Matrix:
        title_weight = self.weights.title
        needed = self._needed
        analyzed = [analyze(d.title, d.body, self.thesaurus, title_weight, needed) for d in docs]
        w = self.weights
        blocks = []
        if needed[0]:
            blocks.append(self._views[0].transform([a.words for a in analyzed]) * w.words)
        if needed[1]:
            blocks.append(self._views[1].transform([a.concepts for a in analyzed]) * w.concepts)
        if needed[2]:
            blocks.append(self._views[2].transform([a.chars for a in analyzed]) * w.chars)
        return self._stack(blocks, len(docs))


def cosine_matrix(vectors: Matrix) -> np.ndarray:
    """Dense pairwise cosine of L2-normalized rows (small corpora and tests only)."""
    return np.asarray((vectors @ vectors.T).toarray(), dtype=np.float32)


def fit_vectors(docs: Iterable[Doc], backend: SimilarityBackend | None = None) -> Matrix:
    """Fit a backend on ``docs`` (the lexical ``TfidfBackend`` by default) and return their
    vectors, in order."""
    items = list(docs)
    engine = backend if backend is not None else TfidfBackend()
    return engine.fit_vectors(items)
