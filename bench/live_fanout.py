"""Live workshop fan-out: 1,000 phones in one room, a burst of ballots, how fast does the tally
reach every screen? The real server (uvicorn + the project's ASGI app) next to a bare
`websockets` broadcast server on the same machine, in the same run.

Run with `uv run python bench/live_fanout.py` (see bench/README.md).
"""

import argparse
import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _voting import (
    BENCH_SECRET_KEY,
    ROOT,
    bench_database_url,
    ensure_database,
    percentile,
    setup_django,
    voting_round,
)

BENCH_DATABASE = "npt_bench_live"
ITEMS = 10
SUPPORTS_PER_BALLOT = 3
JOIN_ATTEMPTS = 5
ORIGIN = "http://127.0.0.1"


def raise_open_files_limit() -> int:
    """Sockets are files: lift the soft limit to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else 65536
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def load_average() -> str:
    """The machine's load (1, 5, 15 min): figures of a shared machine are read with it."""
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ------------------------------------------------------------------------------------------
# The room: a consultation, an open workshop, a running support vote with visible results.


@dataclass(frozen=True)
class Room:
    workshop_id: int
    activity_id: int
    items: list[int]
    token: str  # a facilitator's access token (the presence check)


def make_room() -> Room:
    """A fresh workshop at every run (its 1,000 participant cards are created by the joins)."""
    from backend.accounts.models import User
    from backend.accounts.services import access_token_create
    from backend.consultations.models import Consultation
    from backend.workshops import services

    round_ = voting_round(label="live fanout", items=ITEMS, method="support")
    organizer = User.objects.get(pk=round_.organizer_id)
    consultation = Consultation.objects.get(pk=round_.consultation_id)
    workshop = services.workshop_create(
        by=organizer,
        consultation=consultation,
        title="[bench] Atelier 1 000 téléphones",
        participation="open",  # the phones keep no device cookie
    )
    workshop = services.workshop_open(by=organizer, workshop=workshop)
    activity = services.activity_create(
        by=organizer,
        workshop=workshop,
        kind="vote",
        title="Quelles propositions soutenez-vous ?",
        vote={"method": "support", "items": round_.items},
    )
    activity = services.activity_start(by=organizer, activity=activity)
    services.activity_results_show(by=organizer, activity=activity, visible=True)
    token = access_token_create(user=organizer, name="banc live_fanout")[1]
    return Room(workshop.pk, activity.pk, round_.items, token)


def start_app_server(
    url: str, port: int, conn_max_age: int, redis_url: str | None = None
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # one worker: the in-memory channel layer
    if redis_url:
        env["REDIS_URL"] = redis_url  # several workers: the Redis channel layer
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=BENCH_SECRET_KEY,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        DATABASE_CONN_MAX_AGE=str(conn_max_age),
        # Every phone of the bench joins from 127.0.0.1: lift the per-address join limit.
        WORKSHOP_JOIN_BURST="100000",
        WORKSHOP_JOIN_RATE="100000",
    )
    command = [sys.executable, "-m", "uvicorn", "backend.asgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (fixed argv)


def warm_up(url: str) -> None:
    """One client joins and leaves: the server has loaded everything a connection needs."""

    async def once() -> None:
        from websockets.asyncio.client import connect

        async with connect(url, origin=ORIGIN) as websocket:  # type: ignore[arg-type]
            await websocket.send(json.dumps({"type": "join", "display_name": "Échauffement"}))
            while json.loads(await websocket.recv())["type"] != "welcome":
                pass

    asyncio.run(once())
    time.sleep(0.5)


def wait_http(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("uvicorn did not answer within 30 s")


# ------------------------------------------------------------------------------------------
# The bare baseline: join -> welcome, ballot -> ack then one broadcast of a same-size JSON.


def bare_server_main(port: int, template: dict[str, Any], ready: EventType) -> None:
    raise_open_files_limit()
    asyncio.run(_bare_server(port, template, ready))


async def _bare_server(port: int, template: dict[str, Any], ready: EventType) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    clients: set[ServerConnection] = set()
    ballots = 0

    async def handler(websocket: ServerConnection) -> None:
        nonlocal ballots
        clients.add(websocket)
        try:
            async for raw in websocket:
                message = json.loads(raw)
                if message["type"] == "join":
                    await websocket.send(json.dumps({"type": "welcome"}))
                elif message["type"] == "ballot.submit":
                    ballots += 1
                    await websocket.send(
                        json.dumps(
                            {"type": "ack", "ref": message.get("ref"), "command": "ballot.submit"}
                        )
                    )
                    broadcast(clients, json.dumps({**template, "answered": ballots}))
        finally:
            clients.discard(websocket)

    # No keepalive pings: under 1,000 x 200 sends the clients answer late and would be dropped
    # (the measure is the broadcast, not the keepalive).
    async with serve(handler, "127.0.0.1", port, max_size=2**20, ping_interval=None):
        ready.set()
        await asyncio.Future()


# ------------------------------------------------------------------------------------------
# Client processes: many websockets each, one event loop per process.


@dataclass
class WorkerResult:
    connect_seconds: float
    acks: list[float] = field(default_factory=list)  # monotonic times of the ballot acks
    errors: list[str] = field(default_factory=list)
    receipts: list[list[tuple[float, int]]] = field(default_factory=list)  # per client
    sample: dict[str, Any] | None = None  # one results message (the baseline's template)
    closed_codes: dict[str, int] = field(default_factory=dict)  # readers ended by a close
    refused: dict[str, int] = field(default_factory=dict)  # joins closed, by close code
    finals: list[tuple[str, int]] = field(default_factory=list)  # per client: last results


def client_worker(
    url: list[str],
    clients: int,
    voters: int,
    expected: int,
    room: dict[str, Any],
    burst: float,
    settle: float,
    seed: int,
    go: EventType,
    queue: "multiprocessing.Queue[Any]",
) -> None:
    raise_open_files_limit()
    try:
        result = asyncio.run(
            _clients(url, clients, voters, expected, room, burst, settle, seed, go, queue)
        )
    except Exception as error:
        queue.put(("failed", repr(error)))
        raise
    queue.put(("done", result))


async def _clients(
    url: list[str],
    clients: int,
    voters: int,
    expected: int,
    room: dict[str, Any],
    burst: float,
    settle: float,
    seed: int,
    go: EventType,
    queue: "multiprocessing.Queue[Any]",
) -> WorkerResult:
    from websockets.asyncio.client import connect

    rng = random.Random(seed)
    result = WorkerResult(connect_seconds=0.0)
    gate = asyncio.Semaphore(room["gate"])
    everyone_done = asyncio.Event()
    finished = 0

    class Client:
        def __init__(self, index: int) -> None:
            self.index = index
            self.receipts: list[tuple[float, int]] = []
            self.final: tuple[str, int] = ("", 0)  # digest of the last results, its answered
            self.acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
            self.websocket: Any = None
            self.done = False

        async def open(self) -> None:
            """Connect and join; a join refused (closed) is tried again, and counted."""
            from websockets.exceptions import ConnectionClosed

            async with gate:
                for attempt in range(JOIN_ATTEMPTS):
                    self.websocket = await connect(
                        url[self.index % len(url)],  # the workers in turn
                        origin=ORIGIN,  # type: ignore[arg-type]
                        open_timeout=60,
                        ping_interval=None,  # the servers ping; the app's pings are answered
                        compression="deflate" if room["deflate"] else None,
                    )
                    name = f"Banc {seed}-{self.index}"
                    await self.websocket.send(json.dumps({"type": "join", "display_name": name}))
                    try:
                        while json.loads(await self.websocket.recv())["type"] != "welcome":
                            pass
                        # Read (and answer pings) from now on: joining everyone takes minutes.
                        readers.append(asyncio.create_task(self.read()))
                        return
                    except ConnectionClosed as closed:
                        code = closed.rcvd.code if closed.rcvd else None
                        result.refused[str(code)] = result.refused.get(str(code), 0) + 1
                        if attempt == JOIN_ATTEMPTS - 1:
                            raise

        async def read(self) -> None:
            nonlocal finished
            try:
                async for raw in self.websocket:
                    now = time.monotonic()
                    message = json.loads(raw)
                    kind = message["type"]
                    if kind == "results":
                        self.receipts.append((now, int(message["answered"])))
                        # The tally itself: each worker stamps its own computed_at.
                        tally = {k: v for k, v in message.items() if k != "computed_at"}
                        digest = hashlib.sha256(
                            json.dumps(tally, sort_keys=True).encode()
                        ).hexdigest()
                        self.final = (digest, int(message["answered"]))
                        if result.sample is None:
                            result.sample = message
                        if message["answered"] >= expected and not self.done:
                            self.done = True
                            finished += 1
                            if finished == clients:
                                everyone_done.set()
                    elif kind in ("ack", "error"):
                        future = self.acks.pop(str(message.get("ref")), None)
                        if future is not None and not future.done():
                            future.set_result(message)
                    elif kind == "ping":
                        await self.websocket.send(
                            json.dumps({"type": "pong", "nonce": message.get("nonce", "")})
                        )
            except Exception:  # noqa: S110 (a closed socket ends the reader; counted below)
                pass
            code = str(self.websocket.close_code)
            result.closed_codes[code] = result.closed_codes.get(code, 0) + 1

        async def vote(self, delay: float) -> None:
            await asyncio.sleep(delay)
            ref = f"b{seed}-{self.index}"
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self.acks[ref] = future
            chosen = rng.sample(room["items"], SUPPORTS_PER_BALLOT)
            await self.websocket.send(
                json.dumps(
                    {
                        "type": "ballot.submit",
                        "ref": ref,
                        "activity": room["activity"],
                        "choices": {str(item): 1 for item in chosen},
                    }
                )
            )
            answer = await asyncio.wait_for(future, timeout=settle)
            if answer["type"] == "ack":
                result.acks.append(time.monotonic())
            else:
                result.errors.append(f"{answer.get('code')}: {answer.get('message')}")

    readers: list[asyncio.Task[None]] = []
    population = [Client(index) for index in range(clients)]
    started = time.monotonic()
    await asyncio.gather(*(client.open() for client in population))
    result.connect_seconds = time.monotonic() - started
    queue.put(("ready", clients))
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    votes = [client.vote(rng.uniform(0, burst)) for client in population[:voters]]
    outcomes = await asyncio.gather(*votes, return_exceptions=True)
    result.errors += [repr(outcome) for outcome in outcomes if isinstance(outcome, BaseException)]
    if expected:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone_done.wait(), timeout=settle)
    result.receipts = [client.receipts for client in population]
    result.finals = [client.final for client in population]
    for task in readers:
        task.cancel()
    await asyncio.gather(
        *(asyncio.wait_for(client.websocket.close(), 10) for client in population),
        return_exceptions=True,
    )
    return result


# ------------------------------------------------------------------------------------------
# One measure: N client processes against one server; latencies from the receipts.


@dataclass
class Measure:
    name: str
    clients: int
    ballots: int
    connect_seconds: float
    all_clients: list[float]  # per ballot: until the last client had it (ms; inf: never)
    deliveries: list[float]  # per ballot and client (ms)
    missing: int
    messages_per_client: float
    errors: list[str]
    sample: dict[str, Any] | None
    refused: dict[str, int]
    closed: dict[str, int]  # connections closed before the end of the measure, by code
    memory_per_client_kb: float | None = None  # server RSS growth per joined client
    cpu_per_join_ms: float | None = None  # server CPU time per join (all its threads)
    cpu_burst_seconds: float | None = None  # server CPU time from the burst to the end
    final_tallies: int = 0  # distinct last results seen by the clients (1: all agree)
    last_answered: list[int] = field(default_factory=list)  # per client, its last `answered`


def rss_kb(pid: int | None) -> int | None:
    """Resident memory of a process (Linux), in KiB."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process and its threads so far (Linux), in seconds: on a
    shared machine, what the server spent, whatever the load."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _total(read: Callable[[int], float | None], pids: list[int]) -> float | None:
    """The sum of a per-process figure over the server's processes (None if one is missing)."""
    values = [read(pid) for pid in pids]
    return None if any(value is None for value in values) else sum(v for v in values if v)


def check_presence(url: str, token: str, expected: int, window: float) -> tuple[int, float]:
    """A facilitator joins on `url` and reads `presence` until it counts `expected`
    participants or `window` seconds pass: the last count seen, and how long it took."""

    async def watch() -> tuple[int, float]:
        from websockets.asyncio.client import connect

        started = time.monotonic()
        seen = -1
        async with connect(url, origin=ORIGIN) as websocket:  # type: ignore[arg-type]
            await websocket.send(json.dumps({"type": "join", "token": token}))
            with contextlib.suppress(TimeoutError):
                while True:
                    left = window - (time.monotonic() - started)
                    message = json.loads(await asyncio.wait_for(websocket.recv(), max(left, 0)))
                    if message["type"] == "presence":
                        seen = int(message["participants"])
                        if seen == expected:
                            break
        return seen, time.monotonic() - started

    return asyncio.run(watch())


def run_clients(
    name: str,
    url: list[str],
    *,
    server_pids: list[int],
    clients: int,
    voters: int,
    processes: int,
    room: dict[str, Any],
    burst: float,
    settle: float,
    presence: Callable[[], None] | None = None,
) -> Measure:
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    queue: multiprocessing.Queue[Any] = context.Queue()
    shares = [
        clients // processes + (1 if n < clients % processes else 0) for n in range(processes)
    ]
    voter_shares = [
        voters // processes + (1 if n < voters % processes else 0) for n in range(processes)
    ]
    workers = [
        context.Process(
            target=client_worker,
            daemon=True,
            args=(url, share, vshare, voters, room, burst, settle, 1000 * (n + 1), go, queue),
        )
        for n, (share, vshare) in enumerate(zip(shares, voter_shares, strict=True))
    ]
    idle_rss = _total(rss_kb, server_pids)
    cpu_start = _total(cpu_seconds, server_pids)
    for worker in workers:
        worker.start()
    ready = 0
    results: list[WorkerResult] = []
    while ready < clients:
        kind, payload = queue.get(timeout=600)
        if kind == "failed":
            raise SystemExit(f"{name}: a client process failed: {payload}")
        if kind == "ready":
            ready += payload
        else:
            results.append(payload)
            if len(results) == processes:
                raise SystemExit(f"{name}: clients gave up before the burst")
    cpu_joined = _total(cpu_seconds, server_pids)
    time.sleep(1.0)  # the server settles after the joins
    joined_rss = _total(rss_kb, server_pids)
    cpu_burst = _total(cpu_seconds, server_pids)
    if presence is not None:
        presence()
    go.set()
    while len(results) < processes:
        kind, payload = queue.get(timeout=600)
        if kind == "failed":
            raise SystemExit(f"{name}: a client process failed: {payload}")
        if kind == "done":
            results.append(payload)
    cpu_end = _total(cpu_seconds, server_pids)
    for worker in workers:
        worker.join(timeout=30)
    measure = summarize(name, clients, results)
    if cpu_start is not None and cpu_joined is not None:
        measure.cpu_per_join_ms = (cpu_joined - cpu_start) * 1000 / clients
    if cpu_burst is not None and cpu_end is not None:
        measure.cpu_burst_seconds = cpu_end - cpu_burst
    if idle_rss is not None and joined_rss is not None:
        measure.memory_per_client_kb = (joined_rss - idle_rss) / clients
    describe(measure)
    return measure


def summarize(name: str, clients: int, results: list[WorkerResult]) -> Measure:
    # The k-th acknowledged ballot is taken as the k-th counted one: a results message with
    # answered >= k includes it (one worker commits and acknowledges ballots in order).
    acks = sorted(t for result in results for t in result.acks)
    ballots = len(acks)
    latest = [float("-inf")] * ballots
    deliveries: list[float] = []
    missing = 0
    messages = 0
    for result in results:
        for receipts in result.receipts:
            messages += len(receipts)
            first: list[float | None] = [None] * ballots
            seen = 0
            for received_at, answered in receipts:
                for k in range(seen, min(answered, ballots)):
                    first[k] = received_at
                seen = max(seen, min(answered, ballots))
            for k, arrival in enumerate(first):
                if arrival is None:
                    missing += 1
                    latest[k] = float("inf")
                    continue
                delay = (arrival - acks[k]) * 1000
                deliveries.append(delay)
                latest[k] = max(latest[k], delay)
    all_clients = latest  # inf: some client never had it within --settle
    finals = [final for result in results for final in result.finals]
    return Measure(
        final_tallies=len({digest for digest, _answered in finals}),
        last_answered=[answered for _digest, answered in finals],
        name=name,
        clients=clients,
        ballots=ballots,
        connect_seconds=max(result.connect_seconds for result in results),
        all_clients=all_clients,
        deliveries=deliveries,
        missing=missing,
        messages_per_client=messages / clients,
        errors=[error for result in results for error in result.errors],
        sample=next((result.sample for result in results if result.sample), None),
        closed={
            code: sum(result.closed_codes.get(code, 0) for result in results)
            for code in sorted({code for result in results for code in result.closed_codes})
        },
        refused={
            code: sum(result.refused.get(code, 0) for result in results)
            for code in sorted({code for result in results for code in result.refused})
        },
    )


def describe(measure: Measure) -> None:
    """What one measure saw, printed as soon as it ends."""
    connected = (
        f"{measure.clients} clients joined in {measure.connect_seconds:.1f} s "
        f"({measure.clients / measure.connect_seconds:.0f} joins/s)"
    )
    print(
        f"{measure.name}: {connected}, {measure.ballots} ballots acknowledged, "
        f"{measure.messages_per_client:.1f} results messages per client, "
        f"{measure.missing} (ballot, client) pairs never delivered, "
        f"connections closed early by code: {measure.closed or 'none'}"
    )
    if measure.memory_per_client_kb is not None:
        print(f"  server memory per joined client: {measure.memory_per_client_kb:.1f} KiB (RSS)")
    if measure.cpu_per_join_ms is not None and measure.cpu_burst_seconds is not None:
        print(
            f"  server CPU: {measure.cpu_per_join_ms:.2f} ms per join, "
            f"{measure.cpu_burst_seconds:.2f} s from the burst to the end"
        )
    print(
        f"  final tally: {measure.final_tallies} distinct last results message(s) among the "
        f"clients, last `answered` from {min(measure.last_answered, default=0)} to "
        f"{max(measure.last_answered, default=0)}"
    )
    if measure.refused:
        print(f"  joins closed by the server and tried again, by close code: {measure.refused}")
    if measure.errors:
        print(f"  {len(measure.errors)} ballot errors, first: {measure.errors[0]}")


def _percentiles(values: list[float], fractions: tuple[float, ...]) -> list[float]:
    return [percentile(values, f) if values else float("nan") for f in fractions]


def _ms(value: float) -> str:
    return "never" if value == float("inf") else f"{value:.1f}"


def report(measures: list[Measure]) -> None:
    base = measures[-1]
    header = (
        f"{'server':<38} {'clients':>7} {'ballots':>7} {'msgs/cl':>7} {'all p50':>8} "
        f"{'p95':>7} {'p99':>7} {'one p50':>8} {'p99':>7} {'miss':>5}"
    )
    print()
    print(
        "ballot ack -> tally including it, ms ('all': reached every client; 'one': each delivery)"
    )
    print(header)
    print("-" * len(header))
    for measure in measures:
        row = _percentiles(measure.all_clients, (0.5, 0.95, 0.99))
        one = _percentiles(measure.deliveries, (0.5, 0.99))
        print(
            f"{measure.name:<38} {measure.clients:>7} {measure.ballots:>7} "
            f"{measure.messages_per_client:>7.1f} {_ms(row[0]):>8} {_ms(row[1]):>7} "
            f"{_ms(row[2]):>7} {_ms(one[0]):>8} {_ms(one[1]):>7} {measure.missing:>5}"
        )
    app = measures[0]
    print(
        "joins per second: "
        + ", ".join(f"{m.name.split(' ')[0]} {m.clients / m.connect_seconds:.0f}" for m in measures)
        + "; server CPU per join: "
        + ", ".join(
            f"{m.name.split(' ')[0]} {m.cpu_per_join_ms:.2f} ms"
            for m in measures
            if m.cpu_per_join_ms is not None
        )
    )
    if app.memory_per_client_kb is not None and base.memory_per_client_kb is not None:
        print(
            f"memory per idle connection: app {app.memory_per_client_kb:.1f} KiB, bare "
            f"{base.memory_per_client_kb:.1f} KiB, beyond bare "
            f"{app.memory_per_client_kb - base.memory_per_client_kb:.1f} KiB"
        )
    # A bare figure at or below 1 ms means the clients, not the server, set the pace (their
    # processes read the tally before the voter's own ack): no meaningful ratio then.
    # Likewise an app figure at or below 1 ms (its clients read the tally before the ack).
    ratios = [
        f"{a / b:.1f}x" if b > 1.0 and a > 1.0 else "n/a (app or bare <= 1 ms)"
        for a, b in zip(
            _percentiles(app.all_clients, (0.5, 0.95, 0.99)),
            _percentiles(base.all_clients, (0.5, 0.95, 0.99)),
            strict=True,
        )
    ]
    print(
        "ratio app / bare broadcast (every client): "
        + ", ".join(
            f"{name} {ratio}" for name, ratio in zip(("p50", "p95", "p99"), ratios, strict=True)
        )
        + " ('never' counts as infinitely late)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--ballots", type=int, default=200, help="voters among the clients")
    parser.add_argument("--burst", type=float, default=1.0, help="seconds the ballots spread over")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="uvicorn server processes (over 1: the Redis channel layer of REDIS_URL); the "
        "clients join them in turn",
    )
    parser.add_argument("--processes", type=int, default=max(2, min(8, os.cpu_count() or 2)))
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait for the tally")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        help="DATABASE_CONN_MAX_AGE of the server (default: the settings' default, 0)",
    )
    parser.add_argument(
        "--connect-concurrency",
        type=int,
        default=16,
        help="joins in flight at once, all client processes together",
    )
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="clients offer permessage-deflate (as browsers do); default: no compression",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record the app server with py-spy (collapsed stacks) into FILE",
    )
    parser.add_argument("--quick", action="store_true", help="200 clients, 50 ballots")
    options = parser.parse_args()
    if options.quick:
        options.clients, options.ballots = min(options.clients, 200), min(options.ballots, 50)
    options.ballots = min(options.ballots, options.clients)
    limit = raise_open_files_limit()
    if limit < options.clients + 100:
        raise SystemExit(f"open files limit {limit} is too low for {options.clients} sockets")

    url = bench_database_url(BENCH_DATABASE)
    ensure_database(url)
    setup_django(url)
    from django.conf import settings

    room = make_room()
    print(f"load average at the start (1 / 5 / 15 min): {load_average()}")
    print(
        f"{options.clients} clients in {options.processes} processes, {options.ballots} ballots "
        f"spread over {options.burst:.1f} s; results coalesced every "
        f"{settings.WORKSHOP_RESULTS_INTERVAL_MS} ms; {options.connect_concurrency} joins in "
        f"flight; compression {'deflate' if options.deflate else 'none'}; {os.cpu_count()} CPUs; "
        f"server DATABASE_CONN_MAX_AGE={options.conn_max_age}"
    )
    shared = {
        "clients": options.clients,
        "voters": options.ballots,
        "processes": options.processes,
        "room": {
            "activity": room.activity_id,
            "items": room.items,
            "gate": max(1, options.connect_concurrency // options.processes),
            "deflate": options.deflate,
        },
        "burst": options.burst,
        "settle": options.settle,
    }

    redis_url = os.environ.get("REDIS_URL") if options.workers > 1 else None
    if options.workers > 1 and not redis_url:
        raise SystemExit("--workers > 1 needs REDIS_URL (the channel layer between workers)")
    ports = [free_port() for _worker in range(options.workers)]
    servers = [
        start_app_server(url, port, options.conn_max_age, redis_url=redis_url) for port in ports
    ]
    urls = [f"ws://127.0.0.1:{port}/ws/v1/workshops/{room.workshop_id}/" for port in ports]
    presence: dict[str, Any] = {}

    def presence_check() -> None:
        # Every worker's hub reports its counts (debounced 0.25 s, then every heartbeat):
        # a facilitator on the first worker must see every phone within one heartbeat.
        presence["seen"], presence["seconds"] = check_presence(
            urls[0], room.token, options.clients, float(settings.WORKSHOP_HEARTBEAT_SECONDS)
        )

    profiler: subprocess.Popen[bytes] | None = None
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_http(f"http://127.0.0.1:{port}/api/v1/health/", server)
        if options.profile:
            # py-spy (not a project dependency: `pip install py-spy` anywhere on PATH).
            command = ["py-spy", "record", "--pid", str(servers[0].pid), "--rate", "100"]
            command += ["--format", "raw", "--output", options.profile, "--nonblocking"]
            profiler = subprocess.Popen(command)  # noqa: S603 (fixed argv, tool on PATH)
        # One websocket first, so that the idle memory includes the Channels stack.
        for worker_url in urls:
            warm_up(worker_url)
        layer = f"{options.workers} workers, Redis layer" if redis_url else "1 worker, in-memory"
        app = run_clients(
            f"app (uvicorn, {layer})",
            urls,
            server_pids=[server.pid for server in servers],
            presence=presence_check,
            **shared,
        )
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=30)
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if presence:
        print(
            f"presence seen by a facilitator on worker 1: {presence['seen']} participants of "
            f"{options.clients} ({'exact' if presence['seen'] == options.clients else 'WRONG'}), "
            f"after {presence['seconds']:.2f} s (window: one heartbeat, "
            f"{settings.WORKSHOP_HEARTBEAT_SECONDS} s)"
        )

    template = app.sample or {"type": "results", "results": {}}
    print(f"results message: {len(json.dumps(template))} bytes")
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    port = free_port()
    bare = context.Process(target=bare_server_main, args=(port, template, ready), daemon=True)
    bare.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the bare server did not start")
        baseline = run_clients(
            "bare websockets broadcast (1 process)",
            [f"ws://127.0.0.1:{port}/"],
            server_pids=[bare.pid] if bare.pid is not None else [],
            **shared,
        )
    finally:
        bare.terminate()
        bare.join(timeout=10)
    report([app, baseline])
    print(f"load average at the end (1 / 5 / 15 min): {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
