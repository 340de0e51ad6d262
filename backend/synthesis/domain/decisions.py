"""Learning from organizer decisions: per-pair overrides and a recalibrated merge threshold.

Rules, deliberately simple:

* Every decided pair becomes an override: an accepted merge is a ``must_link``, a rejected one
  a ``cannot_link`` (the latest decision on a pair wins). :func:`suggest_clusters` honours them.
* The threshold moves only with enough evidence (``min_decisions`` decided pairs, both kinds
  present). It is the value that minimizes the number of decisions the threshold alone would
  contradict (an accepted pair below it, a rejected pair at or above it), searched among the
  midpoints between observed similarities, kept within ``max_shift`` of the default; among
  equally good values the one closest to the default wins. The shift is bounded because
  organizers only judge pairs the engine suggested, a biased sample of all pairs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from backend.synthesis.domain.clustering import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Decision:
    """An organizer's verdict on merging two contributions."""

    first_id: int
    second_id: int
    accepted: bool


@dataclass(frozen=True)
class Calibration:
    """Threshold and overrides to pass to ``suggest_clusters``."""

    threshold: float
    must_link: tuple[tuple[int, int], ...]
    cannot_link: tuple[tuple[int, int], ...]
    contradictions_at_default: int
    contradictions_at_threshold: int


def _contradictions(scored: list[tuple[float, bool]], threshold: float) -> int:
    return sum(1 for s, accepted in scored if (s >= threshold) != accepted)


def calibrate(
    decisions: Iterable[Decision],
    similarity: Callable[[int, int], float],
    default_threshold: float = DEFAULT_THRESHOLD,
    *,
    min_decisions: int = 10,
    max_shift: float = 0.1,
) -> Calibration:
    """Overrides and threshold learned from ``decisions`` (``similarity(a, b)`` is a cosine)."""
    latest: dict[tuple[int, int], bool] = {}
    for d in decisions:
        if d.first_id == d.second_id:
            continue
        key = (min(d.first_id, d.second_id), max(d.first_id, d.second_id))
        latest.pop(key, None)
        latest[key] = d.accepted
    must = tuple(sorted(k for k, v in latest.items() if v))
    cannot = tuple(sorted(k for k, v in latest.items() if not v))
    scored = [(similarity(a, b), accepted) for (a, b), accepted in sorted(latest.items())]
    at_default = _contradictions(scored, default_threshold)
    threshold = default_threshold
    if len(scored) >= min_decisions and must and cannot:
        values = sorted({s for s, _ in scored})
        candidates = {default_threshold}
        candidates.update((x + y) / 2 for x, y in itertools.pairwise(values))
        lo, hi = default_threshold - max_shift, default_threshold + max_shift
        candidates = {min(max(c, lo), hi) for c in candidates}
        threshold = min(
            sorted(candidates),
            key=lambda t: (_contradictions(scored, t), abs(t - default_threshold)),
        )
    return Calibration(
        threshold=round(threshold, 6),
        must_link=must,
        cannot_link=cannot,
        contradictions_at_default=at_default,
        contradictions_at_threshold=_contradictions(scored, threshold),
    )
