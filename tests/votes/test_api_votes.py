"""Votes API: status codes and error codes per persona, paper import, query counts."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import ParticipantCard
from backend.votes.models import BallotLine, Vote
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

Client = Callable[[User], APIClient]


def test_organizer_creates_others_cannot(
    consultation: Consultation, people: Personas, items: list[int], client_for: Client
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/votes/"
    body = {"title": "Priorités", "method": "dots", "items": items, "options": {"dot_budget": 5}}
    created = client_for(people.organizer).post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["method"] == "dots"
    assert [item["id"] for item in created.json()["items"]] == sorted(items)
    refused = client_for(people.participant).post(url, body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    anonymous = ContractAPIClient().post(url, body, format="json")
    assert anonymous.status_code == 401
    unknown = client_for(people.organizer).post(url, {**body, "colour": 1}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "validation_error")
    assert unknown.json()["fields"]["colour"][0]["code"] == "unknown_field"


def test_public_reads(vote: Vote, api_client: APIClient) -> None:
    listed = api_client.get(f"/api/v1/consultations/{vote.consultation_id}/votes/")
    assert listed.status_code == 200
    assert [found["id"] for found in listed.json()["results"]] == [vote.pk]
    detail = api_client.get(f"/api/v1/votes/{vote.pk}/")
    assert detail.status_code == 200
    assert detail.json()["title"] == vote.title
    assert api_client.get("/api/v1/votes/999999/").json()["code"] == "not_found"


def test_draft_consultation_votes_are_hidden(
    make_consultation: Callable[..., Consultation],
    people: Personas,
    api_client: APIClient,
    client_for: Client,
) -> None:
    draft = make_consultation(title="Brouillon", publish=False)
    url = f"/api/v1/consultations/{draft.pk}/votes/"
    assert api_client.get(url).status_code == 404
    assert client_for(people.organizer).get(url).status_code == 200


@pytest.mark.parametrize("page_size", [1, 20])
def test_list_query_count_is_constant(
    make_vote: Callable[..., Vote],
    api_client: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
    page_size: int,
) -> None:
    votes = [make_vote(title=f"Vote {n}") for n in range(5)]
    url = f"/api/v1/consultations/{votes[0].consultation_id}/votes/?page_size={page_size}"
    # consultation + its phases prefetch, count, votes, their items.
    with django_assert_num_queries(5):
        response = api_client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == 5


class TestMyBallot:
    def test_cast_change_read_withdraw(
        self, vote: Vote, people: Personas, items: list[int], client_for: Client, in_vote: None
    ) -> None:
        client = client_for(people.participant)
        url = f"/api/v1/votes/{vote.pk}/my-ballot/"
        assert client.get(url).json()["choices"] == {}
        first = client.put(url, {"choices": {str(items[0]): 1, str(items[1]): 1}}, format="json")
        assert first.status_code == 200, first.json()
        second = client.put(url, {"choices": {str(items[2]): 1}}, format="json")
        assert second.json()["choices"] == {str(items[2]): 1}
        assert client.get(url).json()["choices"] == {str(items[2]): 1}
        assert client.delete(url).status_code == 204
        assert not BallotLine.objects.exists()

    def test_phase_closed(
        self, vote: Vote, people: Personas, items: list[int], client_for: Client
    ) -> None:
        url = f"/api/v1/votes/{vote.pk}/my-ballot/"
        with in_phase(PhaseKind.SYNTHESIS):
            response = client_for(people.participant).put(
                url, {"choices": {str(items[0]): 1}}, format="json"
            )
        assert (response.status_code, response.json()["code"]) == (409, "phase_closed")

    def test_bad_choices(
        self, vote: Vote, people: Personas, items: list[int], client_for: Client, in_vote: None
    ) -> None:
        client = client_for(people.participant)
        url = f"/api/v1/votes/{vote.pk}/my-ballot/"
        for body, field in [
            ({"choices": {"abc": 1}}, "choices"),
            ({"choices": {str(items[0]): 2}}, f"choices.{items[0]}"),
            ({"choices": {str(items[0]): 10**9}}, f"choices.{items[0]}"),
            ({"choices": []}, "choices"),
        ]:
            response = client.put(url, body, format="json")
            assert (response.status_code, response.json()["code"]) == (400, "validation_error")
            assert field in response.json()["fields"], response.json()

    def test_participant_cannot_claim_paper(
        self, vote: Vote, people: Personas, items: list[int], client_for: Client, in_vote: None
    ) -> None:
        response = client_for(people.participant).put(
            f"/api/v1/votes/{vote.pk}/my-ballot/",
            {"choices": {str(items[0]): 1}, "origin": "paper"},
            format="json",
        )
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
        assert not BallotLine.objects.exists()

    def test_anonymous(self, vote: Vote, api_client: APIClient) -> None:
        response = api_client.get(f"/api/v1/votes/{vote.pk}/my-ballot/")
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


class TestPaperBallots:
    def test_facilitator_imports_idempotently(
        self,
        vote: Vote,
        people: Personas,
        card: ParticipantCard,
        items: list[int],
        client_for: Client,
        in_vote: None,
    ) -> None:
        client = client_for(people.facilitator)
        url = f"/api/v1/votes/{vote.pk}/paper-ballots/"
        body = {
            "lines": [
                {"card": card.pk, "item": item, "value": 1, "paper_reference": "F1"}
                for item in items
            ]
        }
        first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="feuille-1")
        assert first.status_code == 201, first.json()
        assert first.json() == {"lines": 3, "cards": 1}
        again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="feuille-1")
        assert again.headers["Idempotent-Replayed"] == "true"
        assert BallotLine.objects.filter(voter_card=card, origin="paper").count() == 3

    def test_bad_lines_reported(
        self,
        vote: Vote,
        people: Personas,
        card: ParticipantCard,
        items: list[int],
        client_for: Client,
        in_vote: None,
    ) -> None:
        body = {
            "lines": [
                {"card": card.pk, "item": items[0], "value": 1},
                {"card": card.pk, "item": items[1], "value": 5},
                "not a line",
                {"card_label": "Inconnu", "item": items[2], "value": 1},
            ]
        }
        response = client_for(people.facilitator).post(
            f"/api/v1/votes/{vote.pk}/paper-ballots/", body, format="json"
        )
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert sorted(response.json()["fields"]) == [
            "lines.1.value",
            "lines.2.non_field_errors",
            "lines.3.card_label",
        ]
        assert response.json()["details"] == {"bad_lines": [2, 3, 4]}
        assert response.json()["fields"]["lines.3.card_label"][0]["message"] == (
            "Aucune fiche participant de cette concertation ne correspond."
        )
        assert not BallotLine.objects.exists()

    def test_participant_refused(
        self,
        vote: Vote,
        people: Personas,
        card: ParticipantCard,
        items: list[int],
        client_for: Client,
        in_vote: None,
    ) -> None:
        response = client_for(people.participant).post(
            f"/api/v1/votes/{vote.pk}/paper-ballots/",
            {"lines": [{"card": card.pk, "item": items[0], "value": 1}]},
            format="json",
        )
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
