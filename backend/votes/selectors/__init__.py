"""Reads on votes: votes, a voter's ballot, results (`votes`), and the counting SQL
(`counting`)."""

from backend.votes.selectors.votes import (
    BallotFile,
    ballot_get,
    vote_ballot_file,
    vote_get,
    vote_get_for_ballot,
    vote_list,
    vote_result_breakdown,
    vote_results,
)

__all__ = [
    "BallotFile",
    "ballot_get",
    "vote_ballot_file",
    "vote_get",
    "vote_get_for_ballot",
    "vote_list",
    "vote_result_breakdown",
    "vote_results",
]
