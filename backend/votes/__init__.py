"""Votes: ballots cast under a consultation's voting method, and their results."""
