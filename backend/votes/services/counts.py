"""Writes of the running totals (live counts) that live results read."""

from django.db import connection

from backend.votes.domain.live import CountDeltas
from backend.votes.models import LIVE_COUNT_SHARDS, BallotLine, LiveCount, LiveVoterCount, Vote


def live_counts_apply(*, vote_id: int, voter_id: int, deltas: CountDeltas, voters: int) -> None:
    """Add a ballot change's deltas to the running totals, in the caller's transaction.

    The shard is the voter id modulo the shards; rows are upserted in (item, value) order so
    concurrent transactions lock them in the same order and cannot deadlock.
    """
    shard = voter_id % LIVE_COUNT_SHARDS
    keys = sorted(deltas)
    with connection.cursor() as cursor:
        if keys:
            cursor.execute(
                f"INSERT INTO {LiveCount._meta.db_table} (vote_id, item_id, value, shard, count) "  # noqa: S608 (constant identifiers)
                "SELECT %s, t.item, t.value, %s, t.delta "
                "FROM unnest(%s::bigint[], %s::smallint[], %s::int[]) "
                "WITH ORDINALITY AS t(item, value, delta, position) ORDER BY t.position "
                "ON CONFLICT (vote_id, item_id, value, shard) "
                f"DO UPDATE SET count = {LiveCount._meta.db_table}.count + EXCLUDED.count",
                [
                    vote_id,
                    shard,
                    [item for item, _value in keys],
                    [value for _item, value in keys],
                    [deltas[key] for key in keys],
                ],
            )
        if voters:
            cursor.execute(
                f"INSERT INTO {LiveVoterCount._meta.db_table} (vote_id, shard, count) "  # noqa: S608 (constant identifiers)
                "VALUES (%s, %s, %s) ON CONFLICT (vote_id, shard) "
                f"DO UPDATE SET count = {LiveVoterCount._meta.db_table}.count + EXCLUDED.count",
                [vote_id, shard, voters],
            )


def live_counts_rebuild(*, vote_id: int) -> None:
    """Recount a vote's running totals from its lines (after a bulk load that bypassed the
    services, or to repair them); takes the vote row FOR UPDATE so no ballot lands meanwhile."""
    counts, voters = LiveCount._meta.db_table, LiveVoterCount._meta.db_table
    lines = BallotLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Vote._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608 (constant identifiers)
            [vote_id],
        )
        cursor.execute(f"DELETE FROM {counts} WHERE vote_id = %s", [vote_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {voters} WHERE vote_id = %s", [vote_id])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {counts} (vote_id, item_id, value, shard, count) "  # noqa: S608 (constant identifiers)
            f"SELECT vote_id, item_id, value, 0, count(*) FROM {lines} WHERE vote_id = %s "
            "GROUP BY vote_id, item_id, value",
            [vote_id],
        )
        cursor.execute(
            f"INSERT INTO {voters} (vote_id, shard, count) "  # noqa: S608 (constant identifiers)
            "SELECT %s, 0, count(*) FROM (SELECT DISTINCT voter_user_id, voter_card_id "
            f"FROM {lines} WHERE vote_id = %s) AS voters",
            [vote_id, vote_id],
        )
