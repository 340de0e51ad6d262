"""The database itself keeps one ballot line per voter and item, and exactly one voter."""

import pytest
from django.db import IntegrityError, transaction

from backend.proposals.models import ParticipantCard
from backend.votes.models import BallotLine, Vote
from tests.fixtures.personas import Personas


def test_duplicate_line_for_a_user_is_refused(
    vote: Vote, people: Personas, items: list[int]
) -> None:
    BallotLine.objects.create(vote=vote, item_id=items[0], voter_user=people.participant, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(
            vote=vote, item_id=items[0], voter_user=people.participant, value=1
        )


def test_duplicate_line_for_a_card_is_refused(
    vote: Vote, card: ParticipantCard, items: list[int]
) -> None:
    BallotLine.objects.create(vote=vote, item_id=items[0], voter_card=card, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(vote=vote, item_id=items[0], voter_card=card, value=1)


def test_other_items_and_voters_are_fine(
    vote: Vote, people: Personas, card: ParticipantCard, items: list[int]
) -> None:
    BallotLine.objects.create(vote=vote, item_id=items[0], voter_user=people.participant, value=1)
    BallotLine.objects.create(vote=vote, item_id=items[1], voter_user=people.participant, value=1)
    BallotLine.objects.create(vote=vote, item_id=items[0], voter_user=people.outsider, value=1)
    BallotLine.objects.create(vote=vote, item_id=items[0], voter_card=card, value=1)
    assert BallotLine.objects.filter(vote=vote).count() == 4


@pytest.mark.parametrize("both", [True, False])
def test_exactly_one_voter(
    vote: Vote, people: Personas, card: ParticipantCard, items: list[int], both: bool
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotLine.objects.create(
            vote=vote,
            item_id=items[0],
            voter_user=people.participant if both else None,
            voter_card=card if both else None,
            value=1,
        )
