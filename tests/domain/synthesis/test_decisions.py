"""Learning from organizer decisions: overrides and a bounded threshold shift."""

from collections.abc import Callable

import pytest

from backend.synthesis.domain import Decision, calibrate


def table(scores: dict[tuple[int, int], float]) -> Callable[[int, int], float]:
    return lambda a, b: scores[(min(a, b), max(a, b))]


def test_every_decision_becomes_an_override_the_latest_winning() -> None:
    decisions = [Decision(2, 1, True), Decision(3, 4, False), Decision(1, 2, False)]
    result = calibrate(decisions, table({(1, 2): 0.5, (3, 4): 0.5}))
    assert result.must_link == ()
    assert result.cannot_link == ((1, 2), (3, 4))


def test_too_few_decisions_keep_the_default_threshold() -> None:
    decisions = [Decision(1, 2, False), Decision(3, 4, True)]
    result = calibrate(decisions, table({(1, 2): 0.9, (3, 4): 0.1}), 0.3)
    assert result.threshold == 0.3
    assert result.contradictions_at_default == 2


def test_threshold_moves_to_separate_accepted_from_rejected() -> None:
    # Accepted pairs sit at 0.34 and above, rejected ones at 0.33 and below: the default 0.30
    # contradicts three rejections, a threshold between 0.33 and 0.34 contradicts none.
    scores = {}
    decisions = []
    for k, s in enumerate([0.34, 0.36, 0.4, 0.5, 0.6, 0.7]):
        scores[(k, 100 + k)] = s
        decisions.append(Decision(k, 100 + k, True))
    for k, s in enumerate([0.31, 0.32, 0.33, 0.1, 0.2]):
        scores[(50 + k, 200 + k)] = s
        decisions.append(Decision(50 + k, 200 + k, False))
    result = calibrate(decisions, table(scores), 0.3, min_decisions=10)
    assert result.threshold == pytest.approx(0.335)
    assert result.contradictions_at_default == 3
    assert result.contradictions_at_threshold == 0


def test_shift_is_bounded() -> None:
    # The best separation (0.475) lies beyond default + max_shift: the threshold stops at 0.4,
    # which still removes the three contradictions at 0.35.
    scores = {(k, 100 + k): 0.5 + k / 100 for k in range(5)}
    scores.update({(50 + k, 200 + k): 0.35 if k < 3 else 0.45 for k in range(6)})
    decisions = [Decision(a, b, a < 50) for a, b in scores]
    result = calibrate(decisions, table(scores), 0.3, max_shift=0.1)
    assert result.threshold == pytest.approx(0.4)
    assert (result.contradictions_at_default, result.contradictions_at_threshold) == (6, 3)


def test_self_pairs_are_ignored() -> None:
    assert calibrate([Decision(1, 1, True)], table({})).must_link == ()
