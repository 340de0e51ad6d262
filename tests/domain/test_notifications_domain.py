"""The pure rules of notifications: deduplication keys, when a digest is due."""

from datetime import UTC, datetime, timedelta

import pytest

from backend.notifications.domain import is_digest_due, notification_key

NOW = datetime(2026, 9, 15, 8, 0, tzinfo=UTC)


def test_one_key_per_event_and_action_and_state() -> None:
    merged = notification_key(kind="contribution_merged", action="candidate", action_id=7)
    assert merged == "contribution_merged:candidate:7"
    first = notification_key(kind="d", action="regional", action_id=7, state="retained@1")
    second = notification_key(kind="d", action="regional", action_id=7, state="retained@2")
    assert first != second
    assert notification_key(kind="d", action="candidate", action_id=7) != notification_key(
        kind="d", action="regional", action_id=7
    )


@pytest.mark.parametrize(
    ("frequency", "since", "due"),
    [
        ("never", None, False),
        ("daily", None, True),
        ("weekly", None, True),
        ("daily", timedelta(hours=23, minutes=5), True),  # cron a few minutes late: still due
        ("daily", timedelta(hours=22), False),
        ("weekly", timedelta(days=6, hours=23, minutes=30), True),
        ("weekly", timedelta(days=6), False),
        ("hourly", None, False),
    ],
)
def test_digest_is_due(frequency: str, since: timedelta | None, due: bool) -> None:
    last = None if since is None else NOW - since
    assert is_digest_due(frequency=frequency, last_sent_at=last, now=NOW) is due
