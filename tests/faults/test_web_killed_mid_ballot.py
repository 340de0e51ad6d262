"""The web process killed (SIGKILL) under a storm of ballot `PUT`s: no partial ballot.

A real uvicorn process, voters replacing their whole ballot over and over from threads; the
server is killed while requests are in flight. PostgreSQL rolls back the transactions the dead
process left open; then every ballot in the database is one whole ballot that was sent (all
its lines, never a mix of two), each voter's last acknowledged ballot (or the one in flight
after it) is the one kept, and the running totals equal a recount of the lines.
"""

import signal
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from django.db import connection

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.votes.counting import NO_GROUP, live_result, tally_groups
from backend.votes.models import BallotLine, Vote
from tests.fixtures.live import UvicornProcess, server_environment

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

VOTERS = 24
ITEMS = 6
# Whole ballots a voter alternates between: every line of one ballot has the same grade.
GRADES = (1, 3, 5)
ACKNOWLEDGED_BEFORE_KILL = 40
STORM_TIMEOUT_SECONDS = 120
ROLLBACK_TIMEOUT_SECONDS = 60


@pytest.fixture
def open_vote(make_open_vote: Callable[..., tuple[Vote, list[int]]]) -> tuple[Vote, list[int]]:
    """A majority-judgment vote open now (the server runs on the real clock)."""
    return make_open_vote("majority_judgment", items=ITEMS)


def ballot(items: list[int], grade: int) -> dict[str, object]:
    return {"choices": {str(item): grade for item in items}}


def other_backends() -> set[int]:
    """Sessions on the test database other than this one (pids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return {int(pid) for (pid,) in cursor.fetchall()}


def test_a_web_process_killed_mid_ballot_leaves_whole_ballots_only(
    open_vote: tuple[Vote, list[int]], make_user: Callable[..., User]
) -> None:
    vote, items = open_vote
    tokens = [
        access_token_create(user=make_user(email=f"votant{n}@exemple.fr"), name="test")[1]
        for n in range(VOTERS)
    ]
    url_path = f"/api/v1/votes/{vote.pk}/my-ballot/"
    acknowledged: dict[int, list[int]] = {n: [] for n in range(VOTERS)}
    in_flight: dict[int, int | None] = dict.fromkeys(range(VOTERS))
    unexpected: list[str] = []
    counter = threading.Semaphore(0)
    stop = threading.Event()

    before_server = other_backends()  # e.g. pooled connections of this process
    server = UvicornProcess(server_environment())
    base = server.ready()

    def voter(n: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[n]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            sent = 0
            while not stop.is_set():
                grade = GRADES[sent % len(GRADES)]
                in_flight[n] = grade
                try:
                    response = client.put(url_path, json=ballot(items, grade))
                except httpx.TransportError:
                    return  # the server died: this ballot is in flight forever
                if response.status_code != 200:
                    unexpected.append(f"{response.status_code} {response.text[:200]}")
                    return
                acknowledged[n].append(grade)
                in_flight[n] = None
                counter.release()
                sent += 1

    threads = [threading.Thread(target=voter, args=(n,), daemon=True) for n in range(VOTERS)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + STORM_TIMEOUT_SECONDS
        for _ in range(ACKNOWLEDGED_BEFORE_KILL):
            assert counter.acquire(timeout=max(0.1, deadline - time.monotonic())), unexpected
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=30)
    finally:
        stop.set()
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)
    assert unexpected == []

    # PostgreSQL notices the dead connections and rolls their transactions back.
    deadline = time.monotonic() + ROLLBACK_TIMEOUT_SECONDS
    while other_backends() - before_server and time.monotonic() < deadline:
        time.sleep(0.1)
    assert other_backends() - before_server == set()

    assert sum(len(grades) for grades in acknowledged.values()) >= ACKNOWLEDGED_BEFORE_KILL
    cut_mid_request = [n for n, grade in in_flight.items() if grade is not None]
    assert cut_mid_request  # the kill landed while ballots were being written
    users = {user.email: user.pk for user in User.objects.filter(email__startswith="votant")}
    for n in range(VOTERS):
        lines = dict(
            BallotLine.objects.filter(
                vote=vote, voter_user_id=users[f"votant{n}@exemple.fr"]
            ).values_list("item_id", "value")
        )
        possible = [g for g in (*acknowledged[n][-1:], in_flight[n]) if g is not None]
        if not possible:
            assert lines == {}, n  # nothing acknowledged and nothing in flight
            continue
        # All the lines of one ballot that was sent, or (first ballot cut) none at all.
        assert sorted(lines) in ([], sorted(items)), (n, lines)
        assert len(set(lines.values())) <= 1, (n, lines)
        if acknowledged[n]:
            assert lines, n  # an acknowledged ballot is never lost
            assert next(iter(lines.values())) in possible, (n, lines, possible)
    result = live_result(vote=vote, items=sorted(items))
    assert result == tally_groups(vote=vote, items=sorted(items), by_structure=False)[NO_GROUP]
