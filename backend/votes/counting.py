"""Where the counting used to live: the reads are in `selectors.counting`, the running totals'
writes in `services.counts`; these names stay importable from here."""

from backend.votes.selectors.counting import (
    NO_GROUP,
    NO_STRUCTURE,
    ONLINE,
    OUTSIDE_TERRITORY,
    UNKNOWN_TERRITORY,
    UNVERIFIED_STRUCTURE,
    Grouping,
    live_result,
    tally_groups,
)
from backend.votes.services.counts import live_counts_apply, live_counts_rebuild

__all__ = [
    "NO_GROUP",
    "NO_STRUCTURE",
    "ONLINE",
    "OUTSIDE_TERRITORY",
    "UNKNOWN_TERRITORY",
    "UNVERIFIED_STRUCTURE",
    "Grouping",
    "live_counts_apply",
    "live_counts_rebuild",
    "live_result",
    "tally_groups",
]
