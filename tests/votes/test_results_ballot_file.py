"""The anonymized ballot file: published on close with its digest; recounting it gives the
frozen result, for every method."""

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.structures.models import Membership, StructureType
from backend.structures.services import structure_create, structure_verify
from backend.votes.domain.recount import CSV_COLUMNS, recount_from_csv
from backend.votes.models import Vote
from backend.votes.services import ballot_cast, vote_close
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

Client = Callable[[User], APIClient]

# Per method: vote options and one ballot per voter over three items a, b, c.
BALLOTS: dict[str, tuple[dict[str, Any], list[tuple[int | None, ...]]]] = {
    "support": ({"threshold": 2}, [(1, 1, None), (None, 1, None), (1, None, 1), (None, 1, 1)]),
    "approval": ({}, [(1, None, None), (1, 1, 1), (None, 1, None)]),
    "majority_judgment": ({}, [(0, 3, None), (2, 2, 6), (1, None, 4), (5, 0, 0), (3, 3, 3)]),
    "dots": ({"dot_budget": 5}, [(3, 2, None), (None, 5, None), (1, 1, 3), (2, None, 2)]),
    "ranking": ({}, [(1, 2, 3), (2, 1, 3), (3, 1, 2), (1, 3, 2), (1, 2, None)]),
    "agree": ({}, [(1, -1, 0), (1, 1, None), (-1, 0, 1), (None, -1, -1)]),
}


def _cast_all(
    vote: Vote, items: list[int], ballots: list[tuple[int | None, ...]], voters: list[User]
) -> None:
    for voter, ballot in zip(voters, ballots, strict=False):
        choices = {
            item: value for item, value in zip(items, ballot, strict=True) if value is not None
        }
        ballot_cast(by=voter, vote=vote, choices=choices)


@pytest.mark.parametrize("method", sorted(BALLOTS))
def test_recount_from_the_file_equals_the_frozen_result(
    method: str,
    make_vote: Callable[..., Vote],
    people: Personas,
    items: list[int],
    make_user: Callable[..., User],
    in_vote: None,
) -> None:
    options, ballots = BALLOTS[method]
    vote = make_vote(method=method, options=options)
    _cast_all(vote, items, ballots, [make_user() for _ballot in ballots])
    closed = vote_close(by=people.organizer, vote=vote)
    assert closed.result is not None
    assert closed.result["voter_count"] == len(ballots)
    recounted = recount_from_csv(closed.ballots_csv, method, sorted(items), options)
    assert recounted == closed.result


def test_recount_one_structure_one_voice(
    make_vote: Callable[..., Vote],
    people: Personas,
    tree: Tree,
    items: list[int],
    in_vote: None,
) -> None:
    vote = make_vote(method="majority_judgment", one_structure_one_voice=True)
    structure = structure_create(
        creator=people.participant,
        name="Maison des habitants",
        type=StructureType.CENTRE_SOCIAL,
        territory=tree.grenoble,
    )
    structure = structure_verify(structure=structure, by=people.staff)
    Membership.objects.create(structure=structure, user=people.outsider)
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 0}, structure=structure)
    ballot_cast(by=people.outsider, vote=vote, choices={items[0]: 5}, structure=structure)
    ballot_cast(by=people.moderator, vote=vote, choices={items[0]: 2, items[1]: 1})
    closed = vote_close(by=people.organizer, vote=vote)
    assert closed.result is not None
    assert closed.result["voter_count"] == 2
    options = {"one_structure_one_voice": True}
    assert recount_from_csv(closed.ballots_csv, vote.method, sorted(items), options) == (
        closed.result
    )


def test_ballot_file_is_published_on_close_with_its_digest(
    vote: Vote,
    people: Personas,
    items: list[int],
    api_client: APIClient,
    in_vote: None,
) -> None:
    url = f"/api/v1/votes/{vote.pk}/ballots.csv"
    early = api_client.get(url)
    assert (early.status_code, early.json()["code"]) == (409, "vote_not_closed")
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1, items[2]: 1})
    ballot_cast(by=people.outsider, vote=vote, choices={items[0]: 1})
    vote_close(by=people.organizer, vote=vote)

    response = api_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    digest = hashlib.sha256(body).hexdigest()
    assert response["X-Content-SHA256"] == digest
    assert (
        response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    )
    assert api_client.get(f"/api/v1/votes/{vote.pk}/results/").json()["ballots_digest"] == digest

    rows = body.decode().splitlines()
    assert rows[0] == ",".join(CSV_COLUMNS)
    assert len(rows) == 1 + 3
    pseudonyms = {row.split(",")[0] for row in rows[1:]}
    assert len(pseudonyms) == 2
    assert str(people.participant.pk) not in pseudonyms
    assert "@" not in body.decode()
