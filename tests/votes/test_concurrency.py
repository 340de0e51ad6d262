"""Concurrent submissions of one person's ballot, on real connections: one set of lines."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from backend.votes.models import BallotLine, Vote
from backend.votes.services import ballot_cast
from tests.fixtures.personas import Personas

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_ballots_leave_exactly_one_set_of_lines(
    make_vote: Callable[..., Vote], people: Personas, items: list[int], in_vote: None
) -> None:
    vote = make_vote("majority_judgment")
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    # Each thread sends a different ballot: the items graded and their grades vary.
    ballots = [
        {item: (index + position) % 7 for position, item in enumerate(items[: 1 + index % 3])}
        for index in range(THREADS)
    ]

    def submit(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            ballot_cast(by=people.participant, vote=vote, choices=ballots[index])
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    lines = dict(
        BallotLine.objects.filter(vote=vote, voter_user=people.participant).values_list(
            "item_id", "value"
        )
    )
    # One line per item, and the lines are exactly one of the submitted ballots.
    assert BallotLine.objects.filter(vote=vote).count() == len(lines)
    assert lines in ballots
