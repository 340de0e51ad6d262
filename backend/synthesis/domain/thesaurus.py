"""Domain thesaurus: maps phrases of a text to concept labels (data in ``thesaurus_fr.tsv``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from backend.synthesis.domain.text import stems

DEFAULT_THESAURUS_PATH = Path(__file__).with_name("thesaurus_fr.tsv")


@dataclass(frozen=True)
class Thesaurus:
    """Concept groups keyed by stem sequences; longest match first, several concepts per match.

    ``entries`` maps a stem sequence to the concepts it denotes (a phrase such as "portable"
    may belong to two groups).
    """

    entries: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    max_len: int = 1
    # First stem -> lengths of the entries starting with it, longest first.
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def from_lines(cls, lines: Sequence[str]) -> Thesaurus:
        """Parse ``concept<TAB>variant | variant`` lines; ``#`` starts a comment line."""
        entries: dict[tuple[str, ...], list[str]] = {}
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            concept, _, variants = line.partition("\t")
            concept = concept.strip()
            if not concept or not variants.strip():
                raise ValueError(f"Malformed thesaurus line: {raw!r}")
            for variant in variants.split("|"):
                key = tuple(stems(variant))
                if not key:
                    continue
                bucket = entries.setdefault(key, [])
                if concept not in bucket:
                    bucket.append(concept)
        max_len = max((len(k) for k in entries), default=1)
        starts: dict[str, set[int]] = {}
        for key in entries:
            starts.setdefault(key[0], set()).add(len(key))
        return cls(
            {k: tuple(v) for k, v in entries.items()},
            max_len,
            {first: tuple(sorted(lengths, reverse=True)) for first, lengths in starts.items()},
        )

    @classmethod
    def from_path(cls, path: Path) -> Thesaurus:
        return cls.from_lines(path.read_text(encoding="utf-8").splitlines())

    def concepts(self, stem_seq: Sequence[str]) -> list[str]:
        """Concept labels found in a stem sequence, in order; matched words are consumed."""
        found: list[str] = []
        i = 0
        n = len(stem_seq)
        while i < n:
            step = 1
            for length in self.starts.get(stem_seq[i], ()):
                if length > n - i:
                    continue
                hit = self.entries.get(tuple(stem_seq[i : i + length]))
                if hit is not None:
                    found.extend(hit)
                    step = length
                    break
            i += step
        return found


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The packaged French digital-inclusion thesaurus."""
    return Thesaurus.from_path(DEFAULT_THESAURUS_PATH)
