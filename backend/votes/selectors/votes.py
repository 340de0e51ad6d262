"""Reads on votes: a consultation's votes, one vote, a voter's ballot, results, ballot file."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model, Prefetch, QuerySet
from django.utils.translation import gettext as _

from backend.consultations.models import Consultation, ConsultationRole, Phase
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


PHASE_FIELDS = ("id", "kind", "title", "description", "position", "starts_at", "ends_at")


def _prefetched(instance: Any, name: str, objects: Iterable[Model]) -> None:
    """Fill `instance.<name>.all()` as prefetch_related would, from rows already read."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None:
        cache = instance._prefetched_objects_cache = {}
    cache[name] = queryset


@cache
def _ballot_vote_sql() -> str:
    """The vote (`BALLOT_VOTE_FIELDS`), its consultation's status, item ids, phases (JSON
    rows) and the caller's roles (none for user id 0), in one statement."""
    vote, items = Vote._meta.db_table, Vote.items.through._meta.db_table
    consultations, phases = Consultation._meta.db_table, Phase._meta.db_table
    roles = ConsultationRole._meta.db_table
    columns = ", ".join(f"v.{name}" for name in BALLOT_VOTE_FIELDS)
    phase_row = ", ".join(f"'{name}', p.{name}" for name in PHASE_FIELDS)
    return (
        f"SELECT {columns}, c.status AS consultation_status, "  # noqa: S608 (constant identifiers)
        f"ARRAY(SELECT i.contribution_id FROM {items} i WHERE i.vote_id = v.id "
        "ORDER BY i.contribution_id) AS item_ids, "
        f"ARRAY(SELECT json_build_object({phase_row}) FROM {phases} p "
        "WHERE p.consultation_id = v.consultation_id ORDER BY p.position) AS phase_rows, "
        f"ARRAY(SELECT r.role FROM {roles} r WHERE r.consultation_id = v.consultation_id "
        "AND r.user_id = %(user)s ORDER BY r.role) AS my_roles "
        f"FROM {vote} v JOIN {consultations} c ON c.id = v.consultation_id WHERE v.id = %(vote)s"
    )


BALLOT_VOTE_FIELDS = (
    "id",
    "consultation_id",
    "title",
    "method",
    "options",
    "one_structure_one_voice",
    "closed_at",
)
_OPTIONS_FIELD: Any = Vote._meta.get_field("options")
_OPTIONS_AT = BALLOT_VOTE_FIELDS.index("options")


def vote_get_for_ballot(*, vote_id: int, user: AnyUser) -> Vote:
    """`vote_get` for casting a ballot, in one precomposed query (the hot path of a vote):
    the vote with its consultation (status only; other fields load on access), item ids,
    phases and the caller's roles (`consultation.my_roles`), which is all that
    `ballot_cast`'s checks read. NotFound as `vote_get`."""
    user_id = user.pk if is_signed_in(user) else 0
    with connection.cursor() as cursor:
        cursor.execute(_ballot_vote_sql(), {"vote": vote_id, "user": user_id})
        row = cursor.fetchone()
    if row is None:
        raise errors.NotFound()
    # Read into the model as a raw queryset would (its one converted field: the options),
    # without composing a RawQuerySet on every ballot.
    values = list(row[: len(BALLOT_VOTE_FIELDS)])
    values[_OPTIONS_AT] = _OPTIONS_FIELD.from_db_value(values[_OPTIONS_AT], None, connection)
    vote: Any = Vote.from_db(connection.alias, list(BALLOT_VOTE_FIELDS), values)
    status, item_ids, phase_rows, my_roles = row[len(BALLOT_VOTE_FIELDS) :]
    consultation: Any = Consultation.from_db(
        connection.alias, ["id", "status"], [vote.consultation_id, status]
    )
    consultation.my_roles = my_roles
    if not can_view_consultation(user=user, obj=consultation):
        raise errors.NotFound()
    vote.consultation = consultation
    # Read by `services.common.item_ids` instead of `vote.items` (no model instances).
    vote.known_item_ids = frozenset(item_ids)
    _prefetched(
        consultation,
        "phases",
        (
            Phase(
                consultation_id=consultation.pk,
                **{
                    **row,
                    "starts_at": datetime.fromisoformat(row["starts_at"]),
                    "ends_at": datetime.fromisoformat(row["ends_at"]),
                },
            )
            for row in phase_rows
        ),
    )
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
