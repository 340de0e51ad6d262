"""Where the open-data archive used to live: it is a selector now
(`backend.plans.selectors.opendata`); these names stay importable from here."""

from backend.plans.selectors.opendata import (
    ACTIONS_COLUMNS,
    COMMENTS_COLUMNS,
    CONTRIBUTIONS_COLUMNS,
    LINKS_COLUMNS,
    VOTES_COLUMNS,
    open_data_archive,
)

__all__ = [
    "ACTIONS_COLUMNS",
    "COMMENTS_COLUMNS",
    "CONTRIBUTIONS_COLUMNS",
    "LINKS_COLUMNS",
    "VOTES_COLUMNS",
    "open_data_archive",
]
