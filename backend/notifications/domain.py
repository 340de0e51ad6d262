"""Pure rules of the loop back to contributors: deduplication keys and when a digest is due."""

from datetime import datetime, timedelta

# A digest run by cron at a fixed hour must not skip a day because the previous run finished
# a few minutes later than this one starts: a period is considered over this much early.
DIGEST_SLACK = timedelta(hours=1)
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def notification_key(*, kind: str, action: str, action_id: int, state: str = "") -> str:
    """One notification per person per event and action: `kind`, the action (`candidate` or
    `regional` and its id) and, for events that can happen again (a new decision, a new
    status), the state reached and when (`state`)."""
    key = f"{kind}:{action}:{action_id}"
    return f"{key}:{state}" if state else key


def is_digest_due(*, frequency: str, last_sent_at: datetime | None, now: datetime) -> bool:
    """Whether a person with this frequency should receive a digest now."""
    period = DIGEST_PERIODS.get(frequency)
    if period is None:
        return False
    if last_sent_at is None:
        return True
    return now - last_sent_at >= period - DIGEST_SLACK


# Comments on actions, role x phase: any signed-in person may comment on a candidate action
# while the round is in synthesis or restitution (the actions exist and are being decided or
# published), and on a regional action while the programme consolidates or follows up.
CANDIDATE_ACTION_COMMENT_PHASES = frozenset({"synthesis", "restitution"})
REGIONAL_ACTION_COMMENT_STAGES = frozenset({"consolidation", "adopted"})


def action_comment_refusal(
    *, is_signed_in: bool, is_open: bool, moment: str | None, allowed: frozenset[str]
) -> str | None:
    """Why a person may not comment on an action now (None: they may). `is_open`: the
    consultation or programme is published; `moment`: its open phase kind or its stage."""
    if not is_signed_in:
        return "not_authenticated"
    if not is_open:
        return "not_open"
    if moment not in allowed:
        return "closed"
    return None
