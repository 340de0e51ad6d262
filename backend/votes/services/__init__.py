"""Writes on votes, by concern: votes (set up, close), ballots (cast, withdraw), paper
ballots, running totals; `common` holds the limits, checks, locks and the one line upsert."""

from backend.votes.services.ballots import ballot_cast, ballot_withdraw
from backend.votes.services.common import (
    MAX_ITEMS,
    MAX_PAPER_LINES,
    SMALLINT_MAX,
    BallotProblem,
    ballot_problems,
)
from backend.votes.services.counts import live_counts_apply, live_counts_rebuild
from backend.votes.services.paper import PAPER_LINE_FIELDS, PaperImportResult, paper_ballots_import
from backend.votes.services.votes import vote_close, vote_create

__all__ = [
    "MAX_ITEMS",
    "MAX_PAPER_LINES",
    "PAPER_LINE_FIELDS",
    "SMALLINT_MAX",
    "BallotProblem",
    "PaperImportResult",
    "ballot_cast",
    "ballot_problems",
    "ballot_withdraw",
    "live_counts_apply",
    "live_counts_rebuild",
    "paper_ballots_import",
    "vote_close",
    "vote_create",
]
