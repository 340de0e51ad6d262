"""Ballot intake benchmark: PUT my-ballot through a real uvicorn server, next to bare SQL.

Run with `uv run python bench/ballot_intake.py` (see bench/README.md).
"""

import argparse
import itertools
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import (
    BENCH_SECRET_KEY,
    ROOT,
    Round,
    bench_database_url,
    ensure_database,
    percentile,
    setup_django,
    voting_round,
)

BENCH_DATABASE = "npt_vbench_intake"
VOTER_DOMAIN = "@voters.bench.example"
SUPPORTS_PER_BALLOT = 5
WARMUP_SECONDS = 3.0

COLUMNS = (
    "vote_id, item_id, voter_user_id, voter_card_id, structure_id, value, origin, "
    "paper_reference, captured_at, entered_by_id, cast_at, updated_at"
)
UPDATES = (
    "value = EXCLUDED.value, structure_id = EXCLUDED.structure_id, origin = EXCLUDED.origin, "
    "paper_reference = EXCLUDED.paper_reference, captured_at = EXCLUDED.captured_at, "
    "entered_by_id = EXCLUDED.entered_by_id, updated_at = EXCLUDED.updated_at"
)
CONFLICT = "ON CONFLICT (vote_id, item_id, voter_user_id) WHERE voter_user_id IS NOT NULL"
# One line, as ballot_cast writes each of them.
SINGLE_ROW = (
    f"INSERT INTO votes_ballotline ({COLUMNS}) "
    "VALUES (%s, %s, %s, NULL, NULL, %s, 'web', '', now(), %s, now(), now()) "
    f"{CONFLICT} DO UPDATE SET {UPDATES}"
)
# A whole ballot, the statements of ballot_cast in one transaction (no Django, no checks).
BALLOT_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
BALLOT_UPSERT = (
    f"INSERT INTO votes_ballotline ({COLUMNS}) "
    "SELECT %s, t.item, %s, NULL, NULL, t.value, 'web', '', now(), %s, now(), now() "
    "FROM unnest(%s::bigint[], %s::smallint[]) AS t(item, value) "
    f"{CONFLICT} DO UPDATE SET {UPDATES}"
)
BALLOT_DELETE = (
    "DELETE FROM votes_ballotline WHERE vote_id = %s AND voter_user_id = %s "
    "AND NOT (item_id = ANY(%s::bigint[]))"
)


def voters_with_tokens(count: int) -> list[tuple[int, str]]:
    """`count` voter accounts (bulk-created once) and a fresh bearer token for each (the raw
    tokens are not stored, so every run replaces them in bulk)."""
    from django.contrib.auth.hashers import make_password

    from backend.accounts.models import AccessToken, User
    from backend.accounts.tokens import token_generate

    existing = User.objects.filter(email__endswith=VOTER_DOMAIN).count()
    if existing < count:
        unusable = make_password(None)
        User.objects.bulk_create(
            (
                User(
                    email=f"votant{n}{VOTER_DOMAIN}",
                    display_name=f"Votant {n}",
                    password=unusable,
                )
                for n in range(existing, count)
            ),
            batch_size=2000,
        )
    users = list(
        User.objects.filter(email__endswith=VOTER_DOMAIN)
        .order_by("pk")[:count]
        .values_list("pk", flat=True)
    )
    AccessToken.objects.filter(user_id__in=users).delete()
    tokens = [token_generate() for _ in users]
    AccessToken.objects.bulk_create(
        (
            AccessToken(user_id=user, name="bench", prefix=token.prefix, digest=token.digest)
            for user, token in zip(users, tokens, strict=True)
        ),
        batch_size=2000,
    )
    return [(user, token.raw) for user, token in zip(users, tokens, strict=True)]


def ballot_for(voter_index: int, *, method: str, items: list[int]) -> dict[int, int]:
    rng = random.Random(voter_index)
    if method == "majority_judgment":
        return {item: rng.choices(range(7), weights=(2, 4, 6, 6, 4, 2, 1))[0] for item in items}
    return dict.fromkeys(rng.sample(items, min(SUPPORTS_PER_BALLOT, len(items))), 1)


@dataclass
class Run:
    name: str
    unit: str
    seconds: float = 0.0
    operations: int = 0
    rows: int = 0
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0
    # CPU seconds during the timed part: the server's processes, this (client) process, and
    # the share of the machine's CPUs that were busy (every process, PostgreSQL included).
    server_cpu: float | None = None
    client_cpu: float | None = None
    machine_busy: float | None = None

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    @property
    def row_rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _concurrently(
    run: Run, *, clients: int, duration: float, worker: Callable[[Callable[[], bool]], None]
) -> Run:
    """Start `clients` threads running `worker(keep_going)` until `duration` has passed."""
    deadline = 0.0

    def keep_going() -> bool:
        return time.perf_counter() < deadline

    client_before, machine_before = time.process_time(), _machine_ticks()
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(keep_going,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - client_before
    machine_after = _machine_ticks()
    if machine_after[1] > machine_before[1]:
        run.machine_busy = (machine_after[0] - machine_before[0]) / (
            machine_after[1] - machine_before[1]
        )
    return run


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its live descendants
    (uvicorn's worker processes), from /proc; 0.0 where /proc is missing."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, total = {pid}, 0.0
    for child in sorted(parents):  # children have higher pids than their parent here
        if parents[child] in tree:
            tree.add(child)
    for member in tree:
        total += used.get(member, 0.0)
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def _clear(url: str, vote_id: int) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DELETE FROM votes_ballotline WHERE vote_id = %s", [vote_id])
        connection.execute("VACUUM ANALYZE votes_ballotline")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    url: str, *, port: int, conn_max_age: int, workers: int = 1
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        DATABASE_CONN_MAX_AGE=str(conn_max_age),
    )
    command = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (fixed argv)


def wait_ready(base: str, vote_id: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/votes/{vote_id}/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("uvicorn did not answer within 20 s")


def measure_http(
    base: str,
    round_: Round,
    voters: list[tuple[int, str]],
    *,
    method: str,
    clients: int,
    duration: float,
    workers: int = 1,
    server_pid: int | None = None,
) -> Run:
    run = Run(f"HTTP PUT my-ballot (uvicorn, {workers} worker{'s' * (workers > 1)})", "ballots")
    counter = itertools.count()
    lock = threading.Lock()
    path = f"/api/v1/votes/{round_.vote_id}/my-ballot/"
    bodies = [
        {
            "choices": {
                str(item): value
                for item, value in ballot_for(n, method=method, items=round_.items).items()
            }
        }
        for n in range(len(voters))
    ]

    def worker(keep_going: Callable[[], bool]) -> None:
        latencies: list[float] = []
        operations = rows = errors = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            while keep_going():
                index = next(counter) % len(voters)
                _user, token = voters[index]
                started = time.perf_counter()
                response = client.put(
                    path, json=bodies[index], headers={"Authorization": f"Bearer {token}"}
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code == 200:
                    operations += 1
                    rows += len(bodies[index]["choices"])
                else:
                    errors += 1
                    if errors == 1:
                        print(f"HTTP {response.status_code}: {response.text[:300]}")
        with lock:
            run.latencies += latencies
            run.operations += operations
            run.rows += rows
            run.errors += errors

    def warm(keep_going: Callable[[], bool]) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while keep_going():
                index = next(counter) % len(voters)
                client.put(
                    path,
                    json=bodies[index],
                    headers={"Authorization": f"Bearer {voters[index][1]}"},
                )

    # Every worker process and thread warms up (imports, pools, first connections) untimed.
    _concurrently(Run("warm-up", "ballots"), clients=clients, duration=WARMUP_SECONDS, worker=warm)
    server_before = _tree_cpu(server_pid) if server_pid is not None else 0.0
    _concurrently(run, clients=clients, duration=duration, worker=worker)
    if server_pid is not None:
        run.server_cpu = _tree_cpu(server_pid) - server_before
    return run


def measure_lightest_request(
    base: str, *, clients: int, duration: float, server_pid: int, **_unused: object
) -> Run:
    """The same clients on the same server asking for the lightest API request (`GET
    /api/v1/health/`: a DRF view, every middleware, one `SELECT 1`): the server CPU a request
    costs before the ballot's own work."""
    run = Run("HTTP GET health (same server)", "requests")
    lock = threading.Lock()

    def worker(keep_going: Callable[[], bool]) -> None:
        latencies: list[float] = []
        operations = errors = 0
        with httpx.Client(base_url=base, timeout=30) as client:
            while keep_going():
                started = time.perf_counter()
                response = client.get("/api/v1/health/")
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code == 200:
                    operations += 1
                else:
                    errors += 1
        with lock:
            run.latencies += latencies
            run.operations += operations
            run.errors += errors

    server_before = _tree_cpu(server_pid)
    _concurrently(run, clients=clients, duration=duration, worker=worker)
    run.server_cpu = _tree_cpu(server_pid) - server_before
    return run


def measure_sql_ballots(
    url: str,
    round_: Round,
    voters: list[tuple[int, str]],
    *,
    method: str,
    clients: int,
    duration: float,
) -> Run:
    run = Run("SQL ballot (lock + unnest upsert + delete)", "ballots")
    counter = itertools.count()
    lock = threading.Lock()
    ballots = [ballot_for(n, method=method, items=round_.items) for n in range(len(voters))]

    def worker(keep_going: Callable[[], bool]) -> None:
        latencies: list[float] = []
        operations = rows = 0
        with psycopg.connect(url) as connection:
            while keep_going():
                index = next(counter) % len(voters)
                user, _token = voters[index]
                ballot = ballots[index]
                items, values = list(ballot), list(ballot.values())
                started = time.perf_counter()
                with connection.transaction():
                    connection.execute(BALLOT_LOCK, [f"ballot:{round_.vote_id}:user:{user}"])
                    connection.execute(BALLOT_UPSERT, [round_.vote_id, user, user, items, values])
                    connection.execute(BALLOT_DELETE, [round_.vote_id, user, items])
                latencies.append((time.perf_counter() - started) * 1000)
                operations += 1
                rows += len(items)
        with lock:
            run.latencies += latencies
            run.operations += operations
            run.rows += rows

    return _concurrently(run, clients=clients, duration=duration, worker=worker)


def measure_sql_rows(
    url: str,
    round_: Round,
    voters: list[tuple[int, str]],
    *,
    method: str,
    clients: int,
    duration: float,
) -> Run:
    run = Run("SQL single-row upsert (autocommit)", "rows")
    counter = itertools.count()
    lock = threading.Lock()
    per_voter = len(round_.items)

    def worker(keep_going: Callable[[], bool]) -> None:
        latencies: list[float] = []
        operations = 0
        with psycopg.connect(url, autocommit=True) as connection:
            while keep_going():
                n = next(counter)
                user = voters[(n // per_voter) % len(voters)][0]
                item = round_.items[n % per_voter]
                value = 1 if method != "majority_judgment" else n % 7
                started = time.perf_counter()
                connection.execute(SINGLE_ROW, [round_.vote_id, item, user, value, user])
                latencies.append((time.perf_counter() - started) * 1000)
                operations += 1
        with lock:
            run.latencies += latencies
            run.operations += operations
            run.rows += operations

    return _concurrently(run, clients=clients, duration=duration, worker=worker)


def measure_pgbench(
    url: str, round_: Round, voters: list[tuple[int, str]], *, clients: int, duration: float
) -> Run | None:
    """The same single-row upsert driven by pgbench (random voter and item), if installed and
    if voter and item ids are contiguous ranges (they are when bulk-created in one go)."""
    pgbench = shutil.which("pgbench")
    users = [user for user, _token in voters]
    items = round_.items
    if pgbench is None:
        return None
    if max(users) - min(users) + 1 != len(users) or max(items) - min(items) + 1 != len(items):
        print("pgbench skipped: voter or item ids are not contiguous")
        return None
    script = (
        f"\\set voter random({min(users)}, {max(users)})\n"
        f"\\set item random({min(items)}, {max(items)})\n"
        "\\set value random(0, 6)\n"
        f"INSERT INTO votes_ballotline ({COLUMNS}) VALUES ({round_.vote_id}, :item, :voter, "
        "NULL, NULL, :value, 'web', '', now(), :voter, now(), now()) "
        f"{CONFLICT} DO UPDATE SET {UPDATES};\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    try:
        command = [pgbench, "-n", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1))]
        command += ["-T", str(max(1, round(duration))), "-f", handle.name, url]
        output = subprocess.run(  # noqa: S603 (fixed argv)
            command, capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(handle.name)
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", output.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", output.stdout)
    if output.returncode != 0 or tps is None:
        print(f"pgbench failed: {output.stderr.strip()[:300]}")
        return None
    run = Run("pgbench single-row upsert (avg latency)", "rows", seconds=duration)
    run.operations = run.rows = round(float(tps.group(1)) * duration)
    run.latencies = [float(latency.group(1))] if latency else []
    return run


def report(runs: list[Run], *, method: str, items: int, voters: int, clients: int) -> None:
    http = runs[0]
    print(
        f"\n{method}, {items} items, {voters} voters, {clients} concurrent clients; "
        "ratio = rate of the row / HTTP rate (same unit: ballots, or lines for rows)"
    )
    header = (
        f"{'measure':<42} {'ops/s':>9} {'lines/s':>9} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'ops':>8} {'err':>4} {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        ratio = run.rate / http.rate if run.unit == "ballots" else run.row_rate / http.row_rate
        p50 = percentile(run.latencies, 0.5) if run.latencies else float("nan")
        p95 = percentile(run.latencies, 0.95) if len(run.latencies) > 1 else float("nan")
        print(
            f"{run.name[:42]:<42} {run.rate:>9.1f} {run.row_rate:>9.1f} {p50:>8.1f} "
            f"{p95:>8.1f} {run.operations:>8} {run.errors:>4} {ratio:>6.1f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument(
        "--method", choices=["support", "majority_judgment"], default="majority_judgment"
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measure")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        help="DATABASE_CONN_MAX_AGE of the server (default: the settings' default, 0)",
    )
    parser.add_argument("--quick", action="store_true", help="500 voters, 5 s per measure")
    parser.add_argument(
        "--workers",
        default="1",
        help="uvicorn worker counts to measure, comma-separated (1,2: one server, then two)",
    )
    options = parser.parse_args()
    if options.quick:
        options.voters, options.duration = min(options.voters, 500), 5.0
    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    round_ = voting_round(
        label=f"intake {options.method} {options.items}",
        items=options.items,
        method=options.method,
    )
    started = time.perf_counter()
    voters = voters_with_tokens(options.voters)
    print(f"{len(voters)} voters with fresh tokens in {time.perf_counter() - started:.1f} s")
    measures = {"method": options.method, "clients": options.clients, "duration": options.duration}
    https: list[Run] = []
    lightest: Run | None = None
    for workers in [int(count) for count in options.workers.split(",")]:
        _clear(url, round_.vote_id)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port=port, conn_max_age=options.conn_max_age, workers=workers)
        try:
            wait_ready(base, round_.vote_id, server)
            https.append(
                measure_http(  # type: ignore[misc]
                    base, round_, voters, workers=workers, server_pid=server.pid, **measures
                )
            )
            if workers == 1:
                lightest = measure_lightest_request(base, server_pid=server.pid, **measures)  # type: ignore[arg-type]
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    _clear(url, round_.vote_id)
    ballots = measure_sql_ballots(url, round_, voters, **measures)  # type: ignore[arg-type]
    _clear(url, round_.vote_id)
    rows = measure_sql_rows(url, round_, voters, **measures)  # type: ignore[arg-type]
    runs = [*https, ballots, rows]
    bench = measure_pgbench(url, round_, voters, clients=options.clients, duration=options.duration)
    if bench is not None:
        runs.append(bench)
    report(
        runs,
        method=options.method,
        items=options.items,
        voters=len(voters),
        clients=options.clients,
    )
    print(f"server DATABASE_CONN_MAX_AGE={options.conn_max_age}")
    for http in https:
        print(f"{http.name}: {http.rate / ballots.rate:.1%} of the bare SQL ballot rate")
        if http.operations and http.server_cpu is not None and http.client_cpu is not None:
            print(
                f"  CPU per ballot: server {http.server_cpu / http.operations * 1000:.2f} ms, "
                f"benchmark clients {http.client_cpu / http.operations * 1000:.2f} ms; "
                f"server processes {http.server_cpu / http.seconds:.2f} CPUs, clients "
                f"{http.client_cpu / http.seconds:.2f} CPUs, machine busy "
                f"{(http.machine_busy or 0.0):.0%} of {os.cpu_count()} CPUs"
            )
    if lightest is not None and lightest.operations and lightest.server_cpu is not None:
        floor = lightest.server_cpu / lightest.operations * 1000
        print(
            f"{lightest.name}: {lightest.rate:.1f} requests/s, server {floor:.2f} ms CPU per "
            f"request ({lightest.errors} errors); at that cost alone one worker tops out at "
            f"{1000 / floor:.0f} requests/s = {1000 / floor / ballots.rate:.1%} of the bare SQL "
            "ballot rate"
        )
        http = https[0]
        if http.operations and http.server_cpu is not None:
            per_ballot = http.server_cpu / http.operations * 1000
            print(f"  a ballot costs the server {per_ballot / floor:.1f}x the lightest request")
    for run in (ballots, rows):
        if run.client_cpu is not None and run.operations:
            print(
                f"{run.name}: benchmark clients {run.client_cpu / run.seconds:.2f} CPUs, "
                f"machine busy {(run.machine_busy or 0.0):.0%}"
            )
    load = os.getloadavg()
    print(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"({os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
