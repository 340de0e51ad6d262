"""Reads that count a vote's ballot lines: one GROUP BY item, value (optionally per group).

Used by the result selectors (live counts) and by vote_close (frozen result); the running
totals they read are written by `backend.votes.services.counts`. Ranking needs
whole ballots, so for it the (deduplicated) lines themselves are read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connection

from backend.accounts.models import User
from backend.proposals.models import ParticipantCard
from backend.structures.models import Structure
from backend.territories.models import Territory
from backend.votes.domain.recount import (
    Result,
    counts_suffice,
    result_from_ballots,
    result_from_counts,
)
from backend.votes.models import (
    BallotLine,
    BallotOrigin,
    LiveCount,
    LiveVoterCount,
    Vote,
)

NO_GROUP = ""


class Grouping(StrEnum):
    ORIGIN = "origin"
    STRUCTURE_TYPE = "structure_type"
    TERRITORY = "territory"


# Group keys outside the real values.
ONLINE = "online"
NO_STRUCTURE = "none"
# Lines cast for a structure that staff have not verified: its type is only its members' word.
UNVERIFIED_STRUCTURE = "unverified"
UNKNOWN_TERRITORY = "unknown"
OUTSIDE_TERRITORY = "outside"


@dataclass(frozen=True)
class _Sql:
    text: str
    params: list[Any]


def _group_sql(grouping: Grouping | None, territory: Territory) -> _Sql:
    if grouping is None:
        return _Sql("%s", [NO_GROUP])
    if grouping == Grouping.ORIGIN:
        return _Sql(
            "CASE WHEN l.origin IN (%s, %s) THEN %s ELSE l.origin END",
            [BallotOrigin.WEB.value, BallotOrigin.MOBILE.value, ONLINE],
        )
    if grouping == Grouping.STRUCTURE_TYPE:
        return _Sql(
            "CASE WHEN s.id IS NULL THEN %s WHEN s.verified_at IS NULL THEN %s ELSE s.type END",
            [NO_STRUCTURE, UNVERIFIED_STRUCTURE],
        )
    # The voter's territory (account or participant card) rolled up to the child of the
    # consultation's territory it lies under; paths are "000001/000007/" (root first).
    return _Sql(
        "CASE WHEN t.id IS NULL THEN %s "
        "WHEN t.path = %s THEN %s "
        "WHEN t.path LIKE %s THEN split_part(t.path, '/', %s)::bigint::text "
        "ELSE %s END",
        [
            UNKNOWN_TERRITORY,
            territory.path,
            str(territory.pk),
            territory.path + "%",
            territory.depth + 2,
            OUTSIDE_TERRITORY,
        ],
    )


def _lines_cte(
    *, vote: Vote, items: Sequence[int], by_structure: bool, grouping: Grouping | None
) -> _Sql:
    """`lines(grp, voter, item_id, value)`: the lines that count, one per (voter, item).

    By structure, a line cast for a *verified* structure has the structure as its voter and
    only the latest such line per (structure, item) is kept; a line cast for an unverified
    structure counts as its person's.
    """
    group = _group_sql(grouping, vote.consultation.territory)
    voter = (
        "CASE WHEN %s AND s.verified_at IS NOT NULL THEN 's' || l.structure_id "
        "WHEN l.voter_user_id IS NOT NULL THEN 'u' || l.voter_user_id "
        "ELSE 'c' || l.voter_card_id END"
    )
    distinct = "DISTINCT ON (voter, l.item_id) " if by_structure else ""
    order = " ORDER BY voter, l.item_id, l.updated_at DESC, l.id DESC" if by_structure else ""
    text = (
        f"lines AS (SELECT {distinct}{group.text} AS grp, {voter} AS voter, "  # noqa: S608 (constant identifiers)
        "l.item_id, l.value "
        f"FROM {BallotLine._meta.db_table} l "
        f"LEFT JOIN {Structure._meta.db_table} s ON s.id = l.structure_id "
        f"LEFT JOIN {User._meta.db_table} u ON u.id = l.voter_user_id "
        f"LEFT JOIN {ParticipantCard._meta.db_table} c ON c.id = l.voter_card_id "
        f"LEFT JOIN {Territory._meta.db_table} t "
        "ON t.id = COALESCE(u.territory_id, c.territory_id) "
        f"WHERE l.vote_id = %s AND l.item_id = ANY(%s::bigint[]){order})"
    )
    return _Sql(text, [*group.params, by_structure, vote.pk, list(items)])


def tally_groups(
    *,
    vote: Vote,
    items: Sequence[int],
    by_structure: bool,
    grouping: Grouping | None = None,
) -> dict[str, Result]:
    """The vote's result per group (a single "" group without `grouping`), in one query."""
    lines = _lines_cte(vote=vote, items=items, by_structure=by_structure, grouping=grouping)
    options: Mapping[str, Any] = vote.options
    with connection.cursor() as cursor:
        if counts_suffice(vote.method):
            cursor.execute(
                f"WITH {lines.text}, "  # noqa: S608 (constant identifiers)
                "voters AS (SELECT grp, count(DISTINCT voter) AS n FROM lines GROUP BY grp) "
                "SELECT lines.grp, lines.item_id, lines.value, count(*), voters.n "
                "FROM lines JOIN voters ON voters.grp = lines.grp "
                "GROUP BY lines.grp, lines.item_id, lines.value, voters.n",
                lines.params,
            )
            counts: dict[str, dict[tuple[int, int], int]] = {}
            voters: dict[str, int] = {}
            for grp, item, value, count, voter_count in cursor.fetchall():
                counts.setdefault(grp, {})[(item, value)] = count
                voters[grp] = voter_count
            groups = sorted(voters) if grouping is not None else [NO_GROUP]
            return {
                grp: result_from_counts(
                    method=vote.method,
                    items=items,
                    counts=counts.get(grp, {}),
                    voter_count=voters.get(grp, 0),
                    options=options,
                )
                for grp in groups
            }
        cursor.execute(
            f"WITH {lines.text} SELECT grp, voter, item_id, value FROM lines",  # noqa: S608
            lines.params,
        )
        ballots: dict[str, dict[str, dict[int, int]]] = {}
        for grp, voter, item, value in cursor.fetchall():
            ballots.setdefault(grp, {}).setdefault(voter, {})[item] = value
    groups = sorted(ballots) if grouping is not None else [NO_GROUP]
    return {
        grp: result_from_ballots(
            method=vote.method, items=items, ballots=ballots.get(grp, {}), options=options
        )
        for grp in groups
    }


def live_result(*, vote: Vote, items: Sequence[int]) -> Result:
    """The live result by person from the running totals (two small reads, whatever the
    number of ballots); for every method but ranking, which needs whole ballots."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, value, sum(count) FROM {LiveCount._meta.db_table} "  # noqa: S608 (constant identifiers)
            "WHERE vote_id = %s GROUP BY item_id, value HAVING sum(count) <> 0",
            [vote.pk],
        )
        counts = {(item, value): int(total) for item, value, total in cursor.fetchall()}
        cursor.execute(
            f"SELECT COALESCE(sum(count), 0) FROM {LiveVoterCount._meta.db_table} "  # noqa: S608 (constant identifiers)
            "WHERE vote_id = %s",
            [vote.pk],
        )
        row = cursor.fetchone()
    wanted = set(items)
    return result_from_counts(
        method=vote.method,
        items=items,
        counts={key: count for key, count in counts.items() if key[0] in wanted},
        voter_count=int(row[0]) if row else 0,
        options=vote.options,
    )
