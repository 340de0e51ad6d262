"""Ordering of sequenced workshop events, the replay decision, rate limits (no database)."""

from hypothesis import given
from hypothesis import strategies as st

from backend.workshops.domain import Replay, Step, StepKind, TokenBucket, next_step, replay_plan


def test_steps() -> None:
    assert next_step(last_seq=4, seq=4) == Step(StepKind.DROP)
    assert next_step(last_seq=4, seq=2) == Step(StepKind.DROP)
    assert next_step(last_seq=4, seq=5) == Step(StepKind.SEND)
    assert next_step(last_seq=4, seq=8) == Step(StepKind.FILL, fill_after=4, fill_until=7)


def deliver(start: int, arrivals: list[int]) -> list[int]:
    """A receiver that follows next_step, filling gaps from the log (every seq up to the
    one that arrived is in it)."""
    last = start
    out: list[int] = []
    for seq in arrivals:
        step = next_step(last_seq=last, seq=seq)
        if step.kind == StepKind.DROP:
            continue
        if step.kind == StepKind.FILL:
            out.extend(range(step.fill_after + 1, step.fill_until + 1))
        out.append(seq)
        last = seq
    return out


@given(
    start=st.integers(min_value=0, max_value=50),
    arrivals=st.lists(st.integers(min_value=1, max_value=80), max_size=60),
)
def test_any_arrival_order_is_delivered_once_in_order_without_gaps(
    start: int, arrivals: list[int]
) -> None:
    out = deliver(start, arrivals)
    newest = max([start, *arrivals])
    assert out == list(range(start + 1, newest + 1))


@given(
    current=st.integers(min_value=0, max_value=1000),
    behind=st.integers(min_value=0, max_value=1000),
    window=st.integers(min_value=0, max_value=500),
)
def test_replay_is_bounded_by_the_window(current: int, behind: int, window: int) -> None:
    behind = min(behind, current)  # last_seq >= 0 (the join schema says so)
    plan = replay_plan(last_seq=current - behind, current=current, window=window)
    if behind == 0:
        assert plan == Replay.NONE
    elif behind <= window:
        assert plan == Replay.EVENTS
    else:
        assert plan == Replay.SNAPSHOT


def test_first_join_and_future_seq_get_a_snapshot() -> None:
    assert replay_plan(last_seq=None, current=0, window=10) == Replay.SNAPSHOT
    assert replay_plan(last_seq=12, current=10, window=10) == Replay.SNAPSHOT
    assert replay_plan(last_seq=0, current=11, window=10) == Replay.SNAPSHOT
    assert replay_plan(last_seq=1, current=11, window=10) == Replay.EVENTS


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(burst=3, rate=2)
    assert [bucket.take(now=10.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after() == 0.5
    assert not bucket.take(now=10.4)
    assert bucket.take(now=10.5)
    # Idle time refills up to the burst, never beyond.
    assert [bucket.take(now=100.0) for _ in range(4)] == [True, True, True, False]


@given(st.lists(st.floats(min_value=0, max_value=5), max_size=200))
def test_token_bucket_never_lets_more_than_burst_plus_rate_times_time(gaps: list[float]) -> None:
    bucket = TokenBucket(burst=5, rate=2)
    now, allowed = 0.0, 0
    for gap in gaps:
        now += gap
        allowed += bucket.take(now=now)
    assert allowed <= 5 + 2 * now + 1e-9
