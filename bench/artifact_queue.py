"""The background queue draining with one job worker, then two: published-file builds.

Run with `uv run python bench/artifact_queue.py [--builds 8 --items 3000]` (see
bench/README.md).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import (
    BENCH_SECRET_KEY,
    ROOT,
    bench_database_url,
    ensure_database,
    setup_django,
    voting_round,
)

BENCH_DATABASE = "npt_bench_queue"


def _rounds(count: int, items: int) -> list[int]:
    """`count` published consultations of `items` proposals each (reused between runs)."""
    return [
        voting_round(label=f"queue {n}", items=items, method="support").consultation_id
        for n in range(count)
    ]


def _reset(consultation_ids: list[int]) -> None:
    from django_tasks_db.models import DBTaskResult

    from backend.plans.models import ArtifactBuild, PublicationArtifact

    PublicationArtifact.objects.filter(consultation_id__in=consultation_ids).delete()
    ArtifactBuild.objects.filter(consultation_id__in=consultation_ids).delete()
    DBTaskResult.objects.all().delete()


def _enqueue(consultation_ids: list[int]) -> list[int]:
    from django.db import transaction

    from backend.consultations.models import Consultation
    from backend.plans.selectors.artifacts import open_data_state
    from backend.plans.services.artifacts import artifact_build_request

    builds = []
    for consultation in Consultation.objects.filter(pk__in=consultation_ids):
        with transaction.atomic():
            state = open_data_state(consultation=consultation)
            builds.append(artifact_build_request(consultation=consultation, state=state).pk)
    return builds


def _backends() -> int:
    """Connections to this database other than this process's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _drain(url: str, consultation_ids: list[int], workers: int) -> tuple[float, float, int]:
    """Start `workers` db_worker processes, wait until each has connected (its start-up:
    interpreter, Django, the periodic-jobs check), then queue the builds and time until
    every one is done. (start-up seconds, drain seconds, builds)."""
    from backend.plans.models import ArtifactBuild

    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=BENCH_SECRET_KEY, LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None)  # progress over REST only: no channel layer needed here
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1"]
    others = _backends()
    started = time.perf_counter()
    processes = [
        subprocess.Popen([*command, "--no-startup-delay"], cwd=ROOT, env=env)  # noqa: S603
        for _ in range(workers)
    ]
    try:
        while _backends() < others + workers:
            time.sleep(0.05)
        time.sleep(0.3)  # the first poll
        start_up = time.perf_counter() - started
        started = time.perf_counter()
        builds = _enqueue(consultation_ids)
        while True:
            left = ArtifactBuild.objects.filter(pk__in=builds, status__in=["queued", "running"])
            if not left.exists():
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    failed = ArtifactBuild.objects.filter(pk__in=builds, status="failed").count()
    if failed:
        print(f"  {failed} builds failed")
    return start_up, elapsed, len(builds)


def _inline(consultation_ids: list[int]) -> float:
    """The bare floor: the same builds, one after the other, in this process."""
    from backend.consultations.models import Consultation
    from backend.plans.selectors.artifacts import open_data_state
    from backend.plans.services.artifacts import open_data_artifact_build

    started = time.perf_counter()
    for consultation in Consultation.objects.filter(pk__in=consultation_ids).select_related(
        "territory"
    ):
        open_data_artifact_build(
            consultation=consultation, state=open_data_state(consultation=consultation)
        )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--builds", type=int, default=8)
    parser.add_argument("--items", type=int, default=3000, help="proposals per consultation")
    options = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    ids = _rounds(options.builds, options.items)
    _reset(ids)
    inline = _inline(ids)
    print(f"{options.builds} open-data builds in this process, one after the other: {inline:.1f} s")
    results = {}
    for workers in (1, 2):
        _reset(ids)
        start_up, results[workers], count = _drain(url, ids, workers)
        print(
            f"queue of {count} builds drained by {workers} db_worker(s): "
            f"{results[workers]:.1f} s ({results[workers] / inline:.2f}x the in-process floor; "
            f"worker start-up, not counted: {start_up:.1f} s)"
        )
    print(f"speed-up with 2 workers: {results[1] / results[2]:.2f}x")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
