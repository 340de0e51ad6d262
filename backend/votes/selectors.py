"""Reads on votes: a consultation's votes, one vote, a voter's ballot."""

from django.db.models import Prefetch, QuerySet

from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, can_view_consultation, is_signed_in
from backend.core import errors
from backend.proposals.models import Contribution
from backend.votes.models import BallotLine, Vote


def _votes() -> QuerySet[Vote]:
    items = Contribution.objects.only("id", "title").order_by("id")
    return Vote.objects.select_related("consultation").prefetch_related(
        Prefetch("items", queryset=items)
    )


def vote_list(*, consultation: Consultation) -> QuerySet[Vote]:
    """The consultation's votes, oldest first, items prefetched (two queries a page)."""
    return _votes().filter(consultation=consultation).order_by("created_at", "id")


def vote_get(*, vote_id: int, user: AnyUser) -> Vote:
    """One vote, if the caller may see its consultation; NotFound otherwise."""
    vote = _votes().filter(pk=vote_id).first()
    if vote is None or not can_view_consultation(user=user, obj=vote.consultation):
        raise errors.NotFound()
    return vote


def ballot_get(*, vote: Vote, user: AnyUser) -> list[BallotLine]:
    """The caller's own ballot lines on the vote, by item (empty when none)."""
    if not is_signed_in(user):
        return []
    return list(BallotLine.objects.filter(vote=vote, voter_user=user).order_by("item_id"))
