"""Majority judgment result benchmark: 1,000 items, 1,000,000 ballot lines, next to bare SQL.

Run with `uv run python bench/majority_judgment.py` (see bench/README.md).
"""

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import (
    bench_database_url,
    ensure_database,
    percentile,
    setup_django,
    voting_round,
)

BENCH_DATABASE = "npt_vbench_mj"
ITEMS_GRADED_PER_VOTER = 500  # each voter grades half the items: the rest count as À rejeter
BARE = (
    "SELECT item_id, value, count(*) FROM votes_ballotline WHERE vote_id = %s "
    "GROUP BY item_id, value"
)


def load(url: str, *, vote_id: int, consultation_id: int, items: list[int], lines: int) -> None:
    """`lines` ballot lines by COPY, voters being participant cards (COPY as well, no users).

    Each card grades ITEMS_GRADED_PER_VOTER random items; each item has its own skewed grade
    distribution (a quality drawn once), so the ranking is not a tie.
    """
    per_voter = min(ITEMS_GRADED_PER_VOTER, len(items))
    voters = -(-lines // per_voter)
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        (present,) = cursor.execute(
            "SELECT count(*) FROM votes_ballotline WHERE vote_id = %s", [vote_id]
        ).fetchone() or (0,)
        if present == lines:
            print(f"reusing {lines:,} ballot lines of vote {vote_id}")
            return
        started = time.perf_counter()
        cursor.execute("DELETE FROM votes_ballotline WHERE vote_id = %s", [vote_id])
        cursor.execute(
            "DELETE FROM proposals_participantcard WHERE consultation_id = %s", [consultation_id]
        )
        with cursor.copy(
            "COPY proposals_participantcard (consultation_id, label, age_bracket, consent_given, "
            "consent_note, created_at) FROM STDIN"
        ) as copy:
            for n in range(voters):
                copy.write_row((consultation_id, f"Carte {n}", "", True, "oral", "now"))
        cards = [
            card
            for (card,) in cursor.execute(
                "SELECT id FROM proposals_participantcard WHERE consultation_id = %s ORDER BY id",
                [consultation_id],
            ).fetchall()
        ]
        rng = random.Random(20260601)
        # Cumulative weights per item: a bell around the item's quality, skewed to good grades.
        cumulative = []
        for _item in items:
            centre = rng.triangular(0.5, 6.0, 2.0)
            weights = [1.0 / (1.0 + (grade - centre) ** 2) for grade in range(7)]
            total = 0.0
            running = []
            for weight in weights:
                total += weight
                running.append(total)
            cumulative.append(running)
        written = 0
        with cursor.copy(
            "COPY votes_ballotline (vote_id, item_id, voter_card_id, value, origin, "
            "paper_reference, captured_at, cast_at, updated_at) FROM STDIN"
        ) as copy:
            indexes = list(range(len(items)))
            for card in cards:
                for index in rng.sample(indexes, per_voter):
                    if written == lines:
                        break
                    grade = rng.choices(range(7), cum_weights=cumulative[index])[0]
                    copy.write_row(
                        (vote_id, items[index], card, grade, "paper", "", "now", "now", "now")
                    )
                    written += 1
        elapsed = time.perf_counter() - started
        print(f"loaded {voters:,} cards and {written:,} lines in {elapsed:.1f} s")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE votes_ballotline")
        connection.execute("VACUUM ANALYZE proposals_participantcard")


def domain_result(vote_id: int, items: list[int]) -> Any:
    """One GROUP BY item, value and the voter count, then merit_profile + rank_profiles."""
    from django.db import connection

    from backend.votes.domain import merit_profile, rank_profiles

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT (voter_user_id, voter_card_id)) FROM votes_ballotline "
            "WHERE vote_id = %s AND item_id = ANY(%s::bigint[])",
            [vote_id, items],
        )
        (voter_count,) = cursor.fetchone() or (0,)
        cursor.execute(
            "SELECT item_id, value, count(*) FROM votes_ballotline "
            "WHERE vote_id = %s AND item_id = ANY(%s::bigint[]) GROUP BY item_id, value",
            [vote_id, items],
        )
        counts: dict[int, dict[int, int]] = {item: {} for item in items}
        for item, value, count in cursor.fetchall():
            if 0 <= value < 7:
                counts[item][value] = count
    return rank_profiles(
        profiles={
            item: merit_profile(counts=counts[item], voter_count=voter_count) for item in items
        }
    )


def _timed(action: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="100 items, 50,000 lines")
    options = parser.parse_args()
    if options.quick:
        options.items, options.lines = 100, 50_000
    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    round_ = voting_round(
        label=f"mj {options.items}", items=options.items, method="majority_judgment"
    )
    load(
        url,
        vote_id=round_.vote_id,
        consultation_id=round_.consultation_id,
        items=round_.items,
        lines=options.lines,
    )
    from django.db import transaction

    from backend.votes.models import Vote
    from backend.votes.services.counts import live_counts_rebuild

    # The lines came by COPY, past the services: count them once into the running totals.
    started = time.perf_counter()
    with transaction.atomic():
        live_counts_rebuild(vote_id=round_.vote_id)
    print(f"running totals rebuilt from the lines in {time.perf_counter() - started:.1f} s")
    measures: list[tuple[str, list[float]]] = []
    try:
        from backend.votes.selectors import vote_get, vote_results

        def app() -> None:
            vote = vote_get(vote_id=round_.vote_id, user=None)  # type: ignore[arg-type]
            vote_results(vote=vote)

        app()
        measures.append(("app: vote_get + vote_results (live)", _timed(app, options.runs, 0)))
    except (ImportError, Exception) as exc:
        print(f"vote_results not measured: {type(exc).__name__}: {exc}")

    def domain() -> None:
        Vote.objects.get(pk=round_.vote_id)
        domain_result(round_.vote_id, round_.items)

    measures.append(
        ("domain: GROUP BY + merit_profile + rank", _timed(domain, options.runs, options.warmup))
    )
    from backend.votes.domain import merit_profile, rank_profiles

    profiles_input: dict[int, tuple[int, ...]] = {}
    with psycopg.connect(url, autocommit=True) as raw:
        rows = raw.execute(BARE, [round_.vote_id]).fetchall()
        voter_count = raw.execute(
            "SELECT count(DISTINCT voter_card_id) FROM votes_ballotline WHERE vote_id = %s",
            [round_.vote_id],
        ).fetchone()[0]  # type: ignore[index]
        counts: dict[int, dict[int, int]] = {item: {} for item in round_.items}
        for item, value, count in rows:
            counts[item][value] = count
        profiles_input = {
            item: merit_profile(counts=counts[item], voter_count=voter_count)
            for item in round_.items
        }
        measures.append(
            (
                "pure python: rank_profiles only",
                _timed(lambda: rank_profiles(profiles=profiles_input), options.runs, 1),
            )
        )
        measures.append(
            (
                "bare SQL: SELECT ... GROUP BY item, value",
                _timed(lambda: raw.execute(BARE, [round_.vote_id]).fetchall(), options.runs, 1),
            )
        )
    result = domain_result(round_.vote_id, round_.items)
    best = result.entries[0]
    print(
        f"\n{len(round_.items):,} items, {options.lines:,} lines, {voter_count:,} voters; "
        f"{options.runs} runs; winner item {best.item} (majority grade {best.majority_grade})"
    )
    bare = percentile(measures[-1][1], 0.5)
    header = f"{'measure':<42} {'p50 s':>8} {'max s':>8} {'ratio p50':>9}"
    print(header)
    print("-" * len(header))
    for name, timings in measures:
        p50 = percentile(timings, 0.5)
        print(f"{name:<42} {p50:>8.3f} {max(timings):>8.3f} {p50 / bare:>8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
