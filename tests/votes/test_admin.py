"""The votes admin reads in French and lists ballot lines without changing them."""

from collections.abc import Callable

from django.test import Client

from backend.accounts.models import User
from backend.votes.models import Vote
from backend.votes.services import ballot_cast
from tests.fixtures.personas import Personas


def test_changelists_in_french(
    vote: Vote, people: Personas, items: list[int], make_user: Callable[..., User], in_vote: None
) -> None:
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1})
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(admin)
    votes = client.get("/admin/votes/vote/")
    assert votes.status_code == 200
    assert "Quelles priorités ?" in votes.content.decode()
    lines = client.get("/admin/votes/ballotline/")
    assert lines.status_code == 200
    assert "lignes de bulletin" in lines.content.decode()
