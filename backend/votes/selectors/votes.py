"""Reads on votes: a consultation's votes, one vote, a voter's ballot, results, ballot file."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, can_view_consultation, is_signed_in
from backend.core import errors
from backend.proposals.models import Contribution
from backend.votes.domain.recount import counts_suffice
from backend.votes.models import BallotLine, Vote
from backend.votes.selectors.counting import NO_GROUP, Grouping, live_result, tally_groups


def _votes() -> QuerySet[Vote]:
    items = Contribution.objects.only("id", "title").order_by("id")
    return (
        Vote.objects.select_related("consultation__territory")
        .defer("ballots_csv")
        .prefetch_related(Prefetch("items", queryset=items))
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


def _items(vote: Vote) -> list[int]:
    """The vote's item ids, ascending (from the prefetch of vote_get when there is one)."""
    return sorted(item.pk for item in vote.items.all())


def _by_structure(vote: Vote, by: str | None) -> bool:
    return vote.one_structure_one_voice if by is None else by == "structure"


def vote_results(*, vote: Vote, by: str | None = None) -> dict[str, Any]:
    """The vote's result: the frozen one once closed, else a live count: from the running
    totals by person (two small reads, however many ballots), by counting the lines for
    "one structure, one voice" and for ranking (which needs whole ballots).

    `by`: "person" (each voter counts) or "structure" (one structure, one voice: the lines
    cast for a structure count once, the latest per item); default: the vote's setting.
    """
    by_structure = _by_structure(vote, by)
    if vote.result is not None and by_structure == vote.one_structure_one_voice:
        result = dict(vote.result)
        computed_at = vote.result_computed_at
    elif not by_structure and counts_suffice(vote.method):
        result = live_result(vote=vote, items=_items(vote))
        computed_at = None
    else:
        result = tally_groups(vote=vote, items=_items(vote), by_structure=by_structure)[NO_GROUP]
        computed_at = None
    return {
        **result,
        "vote": vote.pk,
        "counted_by": "structure" if by_structure else "person",
        "is_final": vote.closed_at is not None,
        "computed_at": computed_at,
        "ballots_digest": vote.ballots_digest or None,
    }


def vote_result_breakdown(*, vote: Vote, grouping: str, by: str | None = None) -> dict[str, Any]:
    """The same count per origin, structure type or voter territory (one query)."""
    by_structure = _by_structure(vote, by)
    groups = tally_groups(
        vote=vote, items=_items(vote), by_structure=by_structure, grouping=Grouping(grouping)
    )
    return {
        "vote": vote.pk,
        "by": grouping,
        "counted_by": "structure" if by_structure else "person",
        "is_final": vote.closed_at is not None,
        "groups": [{"key": key, "result": result} for key, result in groups.items()],
    }


@dataclass(frozen=True)
class BallotFile:
    text: str
    digest: str


def vote_ballot_file(*, vote: Vote) -> BallotFile:
    """The anonymized ballot file, published once the vote is closed (409 vote_not_closed
    before)."""
    if vote.closed_at is None:
        raise errors.VoteNotClosed(_("The ballot file is published when the vote closes."))
    return BallotFile(text=vote.ballots_csv, digest=vote.ballots_digest)
