"""Results: live counts, closing and freezing, one structure one voice, breakdowns."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.core import errors
from backend.proposals.models import ParticipantCard
from backend.structures.models import Membership, StructureType
from backend.structures.services import structure_create, structure_verify
from backend.votes.models import Vote
from backend.votes.services import ballot_cast, paper_ballots_import, vote_close
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

Client = Callable[[User], APIClient]


def _counts(body: dict[str, object]) -> dict[int, int]:
    entries = body["entries"]
    assert isinstance(entries, list)
    return {entry["item"]: entry["count"] for entry in entries}


def test_live_results_follow_the_ballots(
    vote: Vote,
    people: Personas,
    items: list[int],
    make_user: Callable[..., User],
    api_client: APIClient,
    in_vote: None,
) -> None:
    url = f"/api/v1/votes/{vote.pk}/results/"
    empty = api_client.get(url)
    assert empty.status_code == 200, empty.json()
    assert empty.json()["voter_count"] == 0
    assert empty.json()["is_final"] is False
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1, items[1]: 1})
    assert _counts(api_client.get(url).json()) == {items[0]: 1, items[1]: 1, items[2]: 0}
    ballot_cast(by=make_user(), vote=vote, choices={items[1]: 1})
    body = api_client.get(url).json()
    assert _counts(body) == {items[0]: 1, items[1]: 2, items[2]: 0}
    assert (body["voter_count"], body["entries"][0]["item"]) == (2, items[1])
    assert body["computed_at"] is None
    assert body["ballots_digest"] is None


def test_close_freezes_the_result(
    vote: Vote,
    people: Personas,
    items: list[int],
    client_for: Client,
    in_vote: None,
) -> None:
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1})
    url = f"/api/v1/votes/{vote.pk}/close/"
    refused = client_for(people.participant).post(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    closed = client_for(people.organizer).post(url)
    assert closed.status_code == 200, closed.json()
    assert closed.json()["is_final"] is True
    assert closed.json()["computed_at"] is not None
    again = client_for(people.organizer).post(url)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")

    late = client_for(people.outsider).put(
        f"/api/v1/votes/{vote.pk}/my-ballot/", {"choices": {str(items[1]): 1}}, format="json"
    )
    assert (late.status_code, late.json()["code"]) == (409, "phase_closed")
    with pytest.raises(errors.PhaseClosed):
        ballot_cast(by=people.outsider, vote=vote, choices={items[1]: 1})
    results = client_for(people.outsider).get(f"/api/v1/votes/{vote.pk}/results/").json()
    assert _counts(results) == {items[0]: 1, items[1]: 0, items[2]: 0}
    assert results["computed_at"] == closed.json()["computed_at"]


def test_one_structure_one_voice(
    vote: Vote,
    people: Personas,
    tree: Tree,
    items: list[int],
    api_client: APIClient,
    in_vote: None,
) -> None:
    structure = structure_create(
        creator=people.participant,
        name="Maison des habitants",
        type=StructureType.CENTRE_SOCIAL,
        territory=tree.grenoble,
    )
    second = structure_create(
        creator=people.outsider,
        name="Médiathèque",
        type=StructureType.CENTRE_SOCIAL,
        territory=tree.grenoble,
    )
    structure = structure_verify(structure=structure, by=people.staff)
    Membership.objects.create(structure=structure, user=people.outsider)
    ballot_cast(by=people.participant, vote=vote, choices={items[0]: 1}, structure=structure)
    ballot_cast(by=people.outsider, vote=vote, choices={items[0]: 1}, structure=structure)
    ballot_cast(by=people.moderator, vote=vote, choices={items[0]: 1})
    assert second.pk
    url = f"/api/v1/votes/{vote.pk}/results/"
    by_person = api_client.get(url).json()
    assert (by_person["counted_by"], _counts(by_person)[items[0]]) == ("person", 3)
    by_structure = api_client.get(url, {"by": "structure"}).json()
    assert (by_structure["counted_by"], _counts(by_structure)[items[0]]) == ("structure", 2)
    assert by_structure["voter_count"] == 2
    bad = api_client.get(url, {"by": "colour"})
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")


def test_breakdown_by_origin_and_territory(
    vote: Vote,
    people: Personas,
    tree: Tree,
    items: list[int],
    card: ParticipantCard,
    make_user: Callable[..., User],
    api_client: APIClient,
    in_vote: None,
) -> None:
    ballot_cast(by=make_user(territory=tree.villeneuve), vote=vote, choices={items[0]: 1})
    ballot_cast(by=people.participant, vote=vote, choices={items[1]: 1})
    paper_ballots_import(
        by=people.facilitator, vote=vote, lines=[{"card": card.pk, "item": items[2], "value": 1}]
    )
    url = f"/api/v1/votes/{vote.pk}/results/breakdown/"
    origin = api_client.get(url, {"by": "origin"})
    assert origin.status_code == 200, origin.json()
    groups = {group["key"]: group["result"] for group in origin.json()["groups"]}
    assert set(groups) == {"online", "paper"}
    assert _counts(groups["online"]) == {items[0]: 1, items[1]: 1, items[2]: 0}
    assert _counts(groups["paper"]) == {items[0]: 0, items[1]: 0, items[2]: 1}
    assert groups["paper"]["voter_count"] == 1

    territory = api_client.get(url, {"by": "territory"}).json()
    keys = {group["key"]: group["result"]["voter_count"] for group in territory["groups"]}
    assert keys[str(tree.villeneuve.pk)] == 1

    structure_type = api_client.get(url, {"by": "structure_type"}).json()
    assert [group["key"] for group in structure_type["groups"]] == ["none"]
    missing = api_client.get(url)
    assert (missing.status_code, missing.json()["code"]) == (400, "validation_error")


def test_live_results_query_count_is_constant(
    vote: Vote,
    items: list[int],
    make_user: Callable[..., User],
    api_client: APIClient,
    in_vote: None,
) -> None:
    url = f"/api/v1/votes/{vote.pk}/results/"
    ballot_cast(by=make_user(), vote=vote, choices={items[0]: 1})
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(url).status_code == 200
    for _n in range(8):
        ballot_cast(by=make_user(), vote=vote, choices={items[0]: 1, items[2]: 1})
    with CaptureQueriesContext(connection) as many:
        assert api_client.get(url).json()["voter_count"] == 9
    assert len(few) == len(many) <= 4


def test_vote_close_service_gate(vote: Vote, people: Personas, in_vote: None) -> None:
    with pytest.raises(errors.PermissionDenied):
        vote_close(by=people.participant, vote=vote)
    closed = vote_close(by=people.organizer, vote=vote)
    assert closed.closed_at is not None
    assert closed.result is not None
    with pytest.raises(errors.Conflict):
        vote_close(by=people.organizer, vote=vote)
