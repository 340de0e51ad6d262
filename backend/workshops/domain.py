"""Pure rules of live workshops: event ordering, the replay decision at join, rate limits."""

from dataclasses import dataclass
from enum import StrEnum


class StepKind(StrEnum):
    DROP = "drop"  # already delivered (a duplicate, or covered by a replay)
    SEND = "send"  # the next one
    FILL = "fill"  # later than the next: send the missed ones from the log first


@dataclass(frozen=True)
class Step:
    kind: StepKind
    fill_after: int = 0
    fill_until: int = 0


def next_step(*, last_seq: int, seq: int) -> Step:
    """What a receiver that has delivered everything up to `last_seq` does with `seq`.

    Sequence numbers are given under the workshop row's lock and committed in that order, so
    when `seq` arrives every smaller one is in the log: a gap is filled from it, never waited
    for.
    """
    if seq <= last_seq:
        return Step(StepKind.DROP)
    if seq == last_seq + 1:
        return Step(StepKind.SEND)
    return Step(StepKind.FILL, fill_after=last_seq, fill_until=seq - 1)


class Replay(StrEnum):
    NONE = "none"
    EVENTS = "events"
    SNAPSHOT = "snapshot"


def replay_plan(*, last_seq: int | None, current: int, window: int) -> Replay:
    """What a joining client gets: nothing (up to date), the missed events (at most `window`),
    or a snapshot (first join, too far behind, or a `last_seq` from the future)."""
    if last_seq is None or last_seq > current:
        return Replay.SNAPSHOT
    if last_seq == current:
        return Replay.NONE
    if current - last_seq <= window:
        return Replay.EVENTS
    return Replay.SNAPSHOT


@dataclass
class TokenBucket:
    """A rate limit: `burst` tokens, refilled at `rate` per second; one per message.

    `now` is a monotonic clock reading (seconds), given by the caller so tests need no clock.
    """

    burst: float
    rate: float
    tokens: float = -1.0
    updated_at: float = 0.0

    def take(self, *, now: float, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough (True), else spend nothing (False)."""
        if self.tokens < 0:
            self.tokens, self.updated_at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated_at) * self.rate)
        self.updated_at = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def retry_after(self, *, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are available again."""
        return max(0.0, (cost - self.tokens) / self.rate) if self.rate > 0 else float("inf")
