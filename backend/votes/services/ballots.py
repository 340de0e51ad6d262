"""Casting, replacing and withdrawing one voter's ballot."""

from collections.abc import Mapping
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.core.sql import server_bound_cursor
from backend.core.validation import FieldErrors, field_error
from backend.proposals.models import ParticipantCard
from backend.structures.models import Membership, Structure
from backend.votes.domain.live import ballot_deltas
from backend.votes.models import (
    LIVE_COUNT_SHARDS,
    PAPER_REFERENCE_MAX_LENGTH,
    BallotLine,
    BallotOrigin,
    LiveCount,
    LiveVoterCount,
    Vote,
)
from backend.votes.policies import is_self_origin
from backend.votes.services.common import (
    RETURNED_FIELDS,
    LineRows,
    ballot_problems,
    ensure_vote_open,
    hold_vote_open,
    item_ids,
    lock_voter,
    raise_problems,
    upsert_lines_params,
    upsert_lines_sql,
    voter_lock_key,
)
from backend.votes.services.counts import live_counts_apply


def _with_consultation(vote: Vote) -> Vote:
    """The vote with its consultation loaded (kept when the caller's vote has it already:
    only `closed_at` changes after creation, and it is re-read under the vote's lock)."""
    if Vote.consultation.is_cached(vote):
        return vote
    return Vote.objects.select_related("consultation").get(pk=vote.pk)


def _hold_vote_and_lock_voter(*, vote: Vote, key: str) -> None:
    """`hold_vote_open` and `lock_voter` in one round trip: the vote row share-locked until
    commit (still open?), then the voter's advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.closed_at, pg_advisory_xact_lock(hashtextextended(%s, 0)) "  # noqa: S608 (constant identifiers)
            f"FROM {Vote._meta.db_table} v WHERE v.id = %s FOR SHARE",
            [voter_lock_key(vote_id=vote.pk, key=key), vote.pk],
        )
        row = cursor.fetchone()
    if row is not None and row[0] is not None:
        vote.closed_at = row[0]
        ensure_vote_open(by=None, vote=vote)


def _write_ballot_sql(column: str) -> str:
    """One statement replacing a voter's whole ballot and moving the running totals: the
    lines before (read after the voter's lock, so current), the upsert, the removal of the
    items left out, the (item, value) deltas upserted in (item, value) order (so concurrent
    ballots lock the count rows in one order) and the voter count. Returns the lines."""
    lines, counts, voters = (
        BallotLine._meta.db_table,
        LiveCount._meta.db_table,
        LiveVoterCount._meta.db_table,
    )
    return (
        f"WITH old AS (SELECT item_id, value FROM {lines} "  # noqa: S608 (constant identifiers)
        f"WHERE vote_id = %(vote)s AND {column} = %(voter)s), "
        f"upserted AS ({upsert_lines_sql(column=column, returning=True)}), "
        f"dropped AS (DELETE FROM {lines} WHERE vote_id = %(vote)s AND {column} = %(voter)s "
        "AND NOT (item_id = ANY(%(items)s::bigint[]))), "
        "deltas AS (SELECT d.item, d.value, sum(d.delta)::int AS delta FROM ("
        "SELECT item_id AS item, value, -1 AS delta FROM old UNION ALL "
        "SELECT t.item, t.value, 1 FROM unnest(%(items)s::bigint[], %(values)s::smallint[]) "
        "AS t(item, value)) AS d GROUP BY d.item, d.value HAVING sum(d.delta) <> 0), "
        f"counted AS (INSERT INTO {counts} (vote_id, item_id, value, shard, count) "
        "SELECT %(vote)s, item, value, %(shard)s, delta FROM deltas ORDER BY item, value "
        "ON CONFLICT (vote_id, item_id, value, shard) "
        f"DO UPDATE SET count = {counts}.count + EXCLUDED.count), "
        f"voted AS (INSERT INTO {voters} (vote_id, shard, count) "
        "SELECT %(vote)s, %(shard)s, c.change FROM (SELECT "
        "(cardinality(%(items)s::bigint[]) > 0)::int - (EXISTS (SELECT 1 FROM old))::int "
        "AS change) AS c WHERE c.change <> 0 ON CONFLICT (vote_id, shard) "
        f"DO UPDATE SET count = {voters}.count + EXCLUDED.count) "
        f"SELECT {', '.join(RETURNED_FIELDS)} FROM upserted ORDER BY item_id"
    )


_WRITE_BALLOT = {column: _write_ballot_sql(column) for column in ("voter_user_id", "voter_card_id")}


@transaction.atomic
def ballot_cast(
    *,
    by: User,
    vote: Vote,
    choices: Mapping[int, int],
    on_behalf_of_card: ParticipantCard | None = None,
    structure: Structure | None = None,
    origin: str = BallotOrigin.WEB,
    paper_reference: str = "",
    captured_at: datetime | None = None,
    checked_by_workshop: bool = False,
) -> list[BallotLine]:
    """Cast or replace a voter's whole ballot: `choices` maps item ids to values; items left
    out lose their line. The voter is `by`, or a participant card a facilitator speaks for.

    Gates: VOTE (phase_closed outside the vote phase or once the vote is closed); a card or
    the origins workshop and paper also need ENTER_ON_BEHALF. Locks: the vote row FOR SHARE
    and a transaction-scoped advisory lock per (vote, voter), in one round trip; the partial
    unique indexes keep one line per item. Writes in one statement: INSERT ... ON CONFLICT DO
    UPDATE, DELETE of the dropped items and the running totals (`_write_ballot_sql`).
    Emits `ballot.cast` (vote id only) after commit.

    `checked_by_workshop`: a live workshop's open vote activity, whose service has checked
    that the activity is open and the caller may answer (or speak for the card): the phase
    gates are skipped, a closed vote is still refused.
    """
    vote = _with_consultation(vote)
    if origin not in BallotOrigin.values:
        raise errors.ValidationFailed(
            fields={"origin": [{"code": "invalid_choice", "message": _("Unknown origin.")}]}
        )
    ensure_vote_open(by=None if checked_by_workshop else by, vote=vote)
    if not checked_by_workshop and (on_behalf_of_card is not None or not is_self_origin(origin)):
        ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.ENTER_ON_BEHALF)
    fields: FieldErrors = {}
    if on_behalf_of_card is not None and is_self_origin(origin):
        field_error(
            fields,
            "origin",
            "card_needs_facilitator_origin",
            _("An entry for a participant card comes from a workshop, paper or the phone."),
        )
    if on_behalf_of_card is not None:
        if on_behalf_of_card.consultation_id != vote.consultation_id:
            field_error(
                fields,
                "on_behalf_of_card",
                "wrong_consultation",
                _("This card belongs to another consultation."),
            )
        if structure is not None:
            field_error(
                fields,
                "structure",
                "not_a_member",
                _("A participant card cannot speak for a structure."),
            )
    elif (
        structure is not None
        and not Membership.objects.filter(structure=structure, user=by).exists()
    ):
        field_error(
            fields, "structure", "not_a_member", _("You must be a member of this structure.")
        )
    if len(paper_reference) > PAPER_REFERENCE_MAX_LENGTH:
        field_error(
            fields,
            "paper_reference",
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.")
            % {"limit": PAPER_REFERENCE_MAX_LENGTH},
        )
    if fields:
        raise errors.ValidationFailed(fields=fields)
    raise_problems(
        ballot_problems(
            method=vote.method, options=vote.options, items=item_ids(vote), choices=choices
        ),
        prefix="choices",
    )

    if on_behalf_of_card is not None:
        voter_user_id, voter_card_id = None, on_behalf_of_card.pk
        key, column = f"card:{on_behalf_of_card.pk}", "voter_card_id"
    else:
        voter_user_id, voter_card_id = by.pk, None
        key, column = f"user:{by.pk}", "voter_user_id"
    voter_id = voter_user_id or voter_card_id
    assert voter_id is not None
    _hold_vote_and_lock_voter(vote=vote, key=key)
    now = timezone.now()
    items = sorted(choices)
    params = upsert_lines_params(
        vote_id=vote.pk,
        structure_id=structure.pk if structure is not None else None,
        origin=origin,
        entered_by_id=by.pk,
        now=now,
        rows=LineRows(
            items=items,
            values=[choices[item] for item in items],
            voter_users=[voter_user_id] * len(items),
            voter_cards=[voter_card_id] * len(items),
            references=[paper_reference] * len(items),
            captured_at=[captured_at or now] * len(items),
        ),
    )
    params.update(voter=voter_id, shard=voter_id % LIVE_COUNT_SHARDS)
    with server_bound_cursor() as cursor:
        cursor.execute(_WRITE_BALLOT[column], params)
        lines = [BallotLine.from_db(connection.alias, RETURNED_FIELDS, row) for row in cursor]
    emit_after_commit(
        group=consultation_group(vote.consultation_id),
        event="ballot.cast",
        data={"vote": vote.pk, "consultation": vote.consultation_id},
        wait=False,
    )
    return lines


def _ballot_of(*, vote: Vote, column: str, voter_id: int) -> dict[int, int]:
    """A voter's current lines on the vote, item -> value (read under the voter's lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, value FROM {BallotLine._meta.db_table} "  # noqa: S608 (constant identifiers)
            f"WHERE vote_id = %s AND {column} = %s",
            [vote.pk, voter_id],
        )
        return dict(cursor.fetchall())


@transaction.atomic
def ballot_withdraw(*, by: User, vote: Vote) -> int:
    """Remove the caller's own ballot while the vote is open; returns the lines removed.

    Gate: VOTE. Lock: the voter's advisory lock. Emits `ballot.cast` after commit.
    """
    vote = Vote.objects.select_related("consultation").get(pk=vote.pk)
    ensure_vote_open(by=by, vote=vote)
    hold_vote_open(vote=vote)
    lock_voter(vote=vote, key=f"user:{by.pk}")
    before = _ballot_of(vote=vote, column="voter_user_id", voter_id=by.pk)
    removed, _detail = BallotLine.objects.filter(vote=vote, voter_user=by).delete()
    if removed:
        deltas, voters = ballot_deltas(before, {})
        live_counts_apply(vote_id=vote.pk, voter_id=by.pk, deltas=deltas, voters=voters)
        emit_after_commit(
            group=consultation_group(vote.consultation_id),
            event="ballot.cast",
            data={"vote": vote.pk, "consultation": vote.consultation_id},
        )
    return removed
