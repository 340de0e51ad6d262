"""Where a `PUT my-ballot` spends its time: the SQL it sends and a Python profile.

Run with `uv run python bench/ballot_profile.py [--requests 300]` (see bench/README.md).
In-process (Django's test client, no server): prints every query of one request, then the
CPU time per request and the profile of `--requests` requests grouped by stage.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import bench_database_url, ensure_database, setup_django, voting_round
from ballot_intake import BENCH_DATABASE, ballot_for, voters_with_tokens

# Stages by the module of the function (cumulative time of the outermost call counts).
STAGES = {
    "authentication": "backend/accounts/authentication.py",
    "vote_get (selector)": "backend/votes/selectors",
    "input serializer": "backend/votes/api/serializers.py",
    "ballot_cast (service)": "backend/votes/services/ballots.py",
    "policy (phase gate)": "backend/consultations/policies.py",
    "output serializer": "rest_framework/serializers.py",
    "response rendering": "rest_framework/renderers.py",
    "middleware": "django/utils/deprecation.py",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--method", default="majority_judgment")
    options = parser.parse_args()
    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    round_ = voting_round(label=f"intake {options.method} 20", items=20, method=options.method)
    voters = voters_with_tokens(min(options.requests, 2000))
    client = Client()
    path = f"/api/v1/votes/{round_.vote_id}/my-ballot/"

    def put(index: int) -> None:
        _user, token = voters[index % len(voters)]
        body = {
            "choices": {
                str(item): value
                for item, value in ballot_for(
                    index, method=options.method, items=round_.items
                ).items()
            }
        }
        response = client.put(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert response.status_code == 200, response.content[:300]

    for index in range(20):
        put(index)
    with CaptureQueriesContext(connection) as queries:
        put(0)
    print(f"{len(queries)} queries for one PUT:")
    for query in queries.captured_queries:
        print(f"  {query['time']:>6} s  {query['sql'][:150]}")
    started, cpu = time.perf_counter(), time.process_time()
    for index in range(options.requests):
        put(index)
    wall = (time.perf_counter() - started) / options.requests * 1000
    cpu_ms = (time.process_time() - cpu) / options.requests * 1000
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} CPUs)")
    print(
        f"\n{options.requests} PUTs in-process, no profiler: {wall:.2f} ms wall, "
        f"{cpu_ms:.2f} ms CPU each"
    )
    profile = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    for index in range(options.requests):
        put(index)
    profile.disable()
    wall = (time.perf_counter() - started) / options.requests * 1000
    cpu_ms = (time.process_time() - cpu) / options.requests * 1000
    print(f"profiled: {wall:.2f} ms wall, {cpu_ms:.2f} ms CPU each")
    stats = pstats.Stats(profile)
    # Python function calls per request: the same on a quiet or a loaded machine, unlike CPU.
    print(f"{stats.total_calls / options.requests:.0f} Python function calls per request")  # type: ignore[attr-defined]
    per_request: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for stage, marker in STAGES.items():
            if marker in filename and name in {
                "authenticate",
                "vote_get",
                "vote_get_for_ballot",
                "parse_input",
                "run_validation",
                "is_valid",
                "ballot_cast",
                "ensure_allowed",
                "consultation_gate",
                "data",
                "render",
                "__call__",
            }:
                per_request[stage] = max(per_request.get(stage, 0.0), cumulative)
    print("cumulative CPU per request by stage (ms; stages nest):")
    for stage, seconds in sorted(per_request.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<28} {seconds / options.requests * 1000:>7.2f}")
    output = io.StringIO()
    pstats.Stats(profile, stream=output).sort_stats("cumulative").print_stats(70)
    print(output.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
