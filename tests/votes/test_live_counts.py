"""Running totals: live results read them, and they always equal a recount of the lines."""

import contextlib
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.core.errors import ValidationFailed
from backend.proposals.models import ParticipantCard
from backend.proposals.services import participant_card_create
from backend.votes.counting import NO_GROUP, live_counts_rebuild, live_result, tally_groups
from backend.votes.models import LiveCount, Vote
from backend.votes.selectors import vote_get, vote_results
from backend.votes.services import ballot_cast, ballot_withdraw, paper_ballots_import
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

METHODS = {
    "majority_judgment": {},
    "support": {"max_supports": 2},
    "approval": {},
    "agree": {},
    "dots": {"dot_budget": 5, "dot_max_per_item": 3},
}


def random_ballot(method: str, items: list[int], rng: random.Random) -> dict[int, int]:
    chosen = rng.sample(items, rng.randint(0, len(items)))
    if method == "majority_judgment":
        return {item: rng.randint(0, 6) for item in chosen}
    if method == "support":
        return dict.fromkeys(chosen[:2], 1)
    if method == "approval":
        return dict.fromkeys(chosen, 1)
    if method == "agree":
        return {item: rng.choice([-1, 0, 1]) for item in chosen}
    return dict.fromkeys(chosen[:5], 1)  # dots: at most 5 points, 1 per item here


def recount(vote: Vote, items: list[int]) -> dict[str, Any]:
    return tally_groups(vote=vote, items=sorted(items), by_structure=False)[NO_GROUP]


def make_cards(consultation: Consultation, people: Personas, count: int) -> list[ParticipantCard]:
    with in_phase(PhaseKind.DIAGNOSTIC):
        return [
            participant_card_create(
                by=people.facilitator,
                consultation=consultation,
                label=f"Fiche {n}",
                consent_given=True,
                consent_note="oral",
            )
            for n in range(count)
        ]


@pytest.mark.django_db
@pytest.mark.parametrize("method", sorted(METHODS))
def test_live_result_equals_a_recount_after_casts_changes_withdrawals_and_paper(
    method: str,
    make_vote: Callable[..., Vote],
    make_user: Callable[..., User],
    consultation: Consultation,
    people: Personas,
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote(method, options=METHODS[method])
    voters = [make_user() for _ in range(6)]
    cards = make_cards(consultation, people, 3)
    rng = random.Random(method)
    for step in range(40):
        voter = rng.choice(voters)
        if step % 7 == 6:
            ballot_withdraw(by=voter, vote=vote)
        elif step % 5 == 4:
            lines = [
                {"card": card.pk, "item": item, "value": value}
                for card in cards
                for item, value in random_ballot(method, items, rng).items()
            ]
            # Over a card's earlier lines a sheet may break the rules: refused, nothing moves.
            with contextlib.suppress(ValidationFailed):
                paper_ballots_import(by=people.facilitator, vote=vote, lines=lines)
        else:
            ballot_cast(by=voter, vote=vote, choices=random_ballot(method, items, rng))
        assert live_result(vote=vote, items=sorted(items)) == recount(vote, items), step
    assert recount(vote, items)["voter_count"] > 0


@pytest.mark.django_db
def test_live_results_read_two_small_queries_whatever_the_number_of_ballots(
    make_vote: Callable[..., Vote],
    make_user: Callable[..., User],
    people: Personas,
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote("majority_judgment")
    for n in range(12):
        ballot_cast(by=make_user(), vote=vote, choices=dict.fromkeys(items, n % 7))
    vote = vote_get(vote_id=vote.pk, user=people.participant)
    with CaptureQueriesContext(connection) as queries:
        result = vote_results(vote=vote)
    assert len(queries) == 2
    assert all("votes_ballotline" not in query["sql"] for query in queries.captured_queries)
    assert result["voter_count"] == 12
    assert result == {**result, **recount(vote, items)}


@pytest.mark.django_db(transaction=True)
def test_concurrent_voters_keep_the_running_totals_exact(
    make_vote: Callable[..., Vote],
    make_user: Callable[..., User],
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote("majority_judgment")
    voters = [make_user() for _ in range(8)]
    barrier = threading.Barrier(len(voters))
    failures: list[BaseException] = []

    def vote_many_times(index: int) -> None:
        rng = random.Random(index)
        try:
            barrier.wait(timeout=10)
            for step in range(15):
                # Two voters share each thread's second half: same rows, same voter locks.
                voter = voters[index] if step % 2 else voters[(index + 1) % len(voters)]
                if step % 6 == 5:
                    ballot_withdraw(by=voter, vote=vote)
                else:
                    choices = random_ballot("majority_judgment", items, rng)
                    ballot_cast(by=voter, vote=vote, choices=choices)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote_many_times, args=(n,)) for n in range(len(voters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert live_result(vote=vote, items=sorted(items)) == recount(vote, items)
    assert LiveCount.objects.filter(vote=vote).values("shard").distinct().count() > 1


@pytest.mark.django_db
def test_rebuild_recounts_lines_written_past_the_services(
    make_vote: Callable[..., Vote],
    make_user: Callable[..., User],
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote("majority_judgment")
    for n in range(5):
        ballot_cast(by=make_user(), vote=vote, choices=dict.fromkeys(items[: n % 3 + 1], n))
    LiveCount.objects.filter(vote=vote).update(count=0)  # drift, as after a bulk COPY
    assert live_result(vote=vote, items=sorted(items)) != recount(vote, items)
    live_counts_rebuild(vote_id=vote.pk)
    assert live_result(vote=vote, items=sorted(items)) == recount(vote, items)
