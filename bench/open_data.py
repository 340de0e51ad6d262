"""Open-data archive and plan snapshot at 100,000 contributions, next to a bare COPY + ZIP.

Run with `uv run python bench/open_data.py` (see bench/README.md).
"""

import argparse
import io
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.contributions_list import (  # noqa: E402 (after the path tweak)
    bench_database_url,
    ensure_database,
    load,
    seed_comments,
    setup_django,
)

CONTRIBUTION_COLUMNS = (
    "id, kind, status, title, body, summary_easy_read, theme, publics, territory_id, origin, "
    "author_id, structure_id, endorsement_count, comment_count, hidden_reason, published_at"
)
COMMENT_COLUMNS = (
    "id, contribution_id, parent_id, depth, stance, status, body, hidden_reason, author_id, "
    "origin, created_at, edited_at"
)


def timed(action: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    values = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        values.append(time.perf_counter() - started)
    return values, result


def bare_copy_zip(url: str, consultation_id: int) -> int:
    """The raw floor: the same rows COPY'd out as CSV by PostgreSQL, deflated into a ZIP."""
    buffer = io.BytesIO()
    with (
        psycopg.connect(url) as connection,
        connection.cursor() as cursor,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for name, query in [
            (
                "contributions.csv",
                f"COPY (SELECT {CONTRIBUTION_COLUMNS} FROM proposals_contribution "
                f"WHERE consultation_id = {int(consultation_id)} AND status <> 'draft' "
                "ORDER BY id) TO STDOUT WITH CSV HEADER",
            ),
            (
                "comments.csv",
                f"COPY (SELECT {COMMENT_COLUMNS} FROM comments_comment "
                f"WHERE consultation_id = {int(consultation_id)} ORDER BY id) "
                "TO STDOUT WITH CSV HEADER",
            ),
        ]:
            data = bytearray()
            with cursor.copy(query) as copy:
                for chunk in copy:
                    data += chunk
            archive.writestr(name, bytes(data), compresslevel=9)
    return len(buffer.getvalue())


def report(label: str, values: list[float], baseline: float | None = None) -> None:
    p50 = statistics.median(values)
    ratio = f"  x{p50 / baseline:.1f} the bare COPY + ZIP" if baseline else ""
    print(f"{label:<48} p50 {p50 * 1000:9.0f} ms  (runs: {len(values)}){ratio}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    url = bench_database_url()
    ensure_database(url)
    setup_django(url)
    consultation_id = load(url)
    seed_comments(url, consultation_id)

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from backend.consultations.models import Consultation
    from backend.plans.selectors.opendata import open_data_archive
    from backend.plans.selectors.snapshot import plan_state

    consultation = Consultation.objects.select_related("territory").get(pk=consultation_id)
    with psycopg.connect(url) as raw:
        contributions, comments = raw.execute(
            "SELECT (SELECT count(*) FROM proposals_contribution WHERE consultation_id = %s "
            "AND status <> 'draft'), (SELECT count(*) FROM comments_comment "
            "WHERE consultation_id = %s)",
            [consultation_id, consultation_id],
        ).fetchone() or (0, 0)
    print(f"consultation {consultation_id}: {contributions} contributions, {comments} comments")

    bare, size = timed(lambda: bare_copy_zip(url, consultation_id), options.runs)
    baseline = statistics.median(bare)
    report("bare COPY of the two tables + ZIP", bare)
    print(f"{'':<48} {size / 1e6:.1f} MB")
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        archive_times, archive = timed(
            lambda: open_data_archive(consultation=consultation), options.runs
        )
    report("open_data_archive (every file, Pol.is)", archive_times, baseline)
    print(
        f"{'':<48} {len(archive.content) / 1e6:.1f} MB, "
        f"{len(queries) // options.runs} queries per archive"
    )
    # The published file: the state of the sources, one build into storage, then serving it.
    from django.test import Client

    from backend.plans.models import PublicationArtifact
    from backend.plans.selectors.artifacts import open_data_state
    from backend.plans.services.artifacts import open_data_artifact_build

    key_times, data_state = timed(lambda: open_data_state(consultation=consultation), options.runs)
    report("open_data_state (the state key, two counter rows)", key_times, baseline)

    def build() -> Any:
        PublicationArtifact.objects.filter(consultation=consultation, kind="open_data").delete()
        return open_data_artifact_build(consultation=consultation, state=data_state)

    build_times, artifact = timed(build, options.runs)
    report("artifact build (archive + storage)", build_times, baseline)
    client = Client()
    path = f"/api/v1/consultations/{consultation_id}/open-data.zip"

    def serve() -> Any:
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) == int(response["Content-Length"]) == artifact.size
        return response

    serve_times, _response = timed(serve, max(options.runs, 10))
    report("GET open-data.zip, stored (state key + file)", serve_times, baseline)
    averages = os.getloadavg()
    print(f"{'':<48} load average {averages[0]:.1f} {averages[1]:.1f} {averages[2]:.1f}")

    from django.utils import timezone

    from backend.plans.domain.snapshot import snapshot_digest
    from backend.plans.selectors.snapshot import plan_snapshot

    def prepare() -> Any:
        prepared = plan_state(consultation=consultation)
        snapshot = plan_snapshot(
            consultation=consultation,
            state=prepared,
            number=1,
            published_at=timezone.now(),
            note="",
        )
        snapshot_digest(snapshot)
        return prepared

    prepare_times, _prepared = timed(prepare, options.runs)
    report("preparing a publication (state + snapshot)", prepare_times, baseline)
    from django.conf import settings

    from backend.plans.selectors.snapshot import plan_blockers, plan_contribution_count

    def request_checks() -> Any:
        # What `plan_publish_start` does in the request before queueing the job.
        return plan_contribution_count(consultation=consultation), plan_blockers(
            consultation=consultation
        )

    check_times, (counted, _blockers) = timed(request_checks, options.runs)
    report("publication request's checks (job path)", check_times, baseline)
    in_request = counted <= settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS
    verdict = "within" if statistics.median(prepare_times) <= 10 else "OVER"
    print(
        f"{'':<48} preparing: {verdict} the 10 s target; {counted} contributions > "
        f"PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS={settings.PLAN_PUBLISH_INLINE_MAX_CONTRIBUTIONS}"
        if not in_request
        else f"{'':<48} preparing: {verdict} the 10 s target; published in the request"
    )
    if not in_request:
        print(
            f"{'':<48} -> published by a BACKGROUND JOB (202 + ArtifactBuild); the request "
            f"itself takes {statistics.median(check_times):.2f} s"
        )
    with CaptureQueriesContext(connection) as queries:
        state_times, state = timed(lambda: plan_state(consultation=consultation), options.runs)
    report("plan_state (the snapshot's reads and checks)", state_times, baseline)
    print(
        f"{'':<48} {len(state.contributions)} contributions, "
        f"{len(state.missing_answers)} without answer, "
        f"{len(queries) // options.runs} queries"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
