"""Who may set up votes, cast ballots and enter paper ballots (on top of the phase gate)."""

from backend.consultations.domain import Verb
from backend.consultations.policies import AnyUser, can_view_consultation, consultation_gate
from backend.votes.models import BallotOrigin, Vote

# Origins a person may claim for their own ballot; workshop and paper are a facilitator's.
SELF_ORIGINS = frozenset({BallotOrigin.WEB, BallotOrigin.MOBILE})


def is_self_origin(origin: str) -> bool:
    return origin in SELF_ORIGINS


def can_view_vote(*, user: AnyUser, obj: Vote) -> bool:
    """A vote is as public as its consultation."""
    return can_view_consultation(user=user, obj=obj.consultation)


def can_cast_ballot(*, user: AnyUser, obj: Vote) -> bool:
    """Any signed-in person while the vote phase is open and the vote is not closed."""
    if obj.closed_at is not None:
        return False
    return consultation_gate(user=user, consultation=obj.consultation, verb=Verb.VOTE).allowed


def can_enter_paper_ballots(*, user: AnyUser, obj: Vote) -> bool:
    """The consultation's facilitators, while the vote phase is open."""
    return (
        can_cast_ballot(user=user, obj=obj)
        and (
            consultation_gate(user=user, consultation=obj.consultation, verb=Verb.ENTER_ON_BEHALF)
        ).allowed
    )
