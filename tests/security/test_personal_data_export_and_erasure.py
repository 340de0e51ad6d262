"""Finding 5: a person asks for their data and then to be forgotten (GDPR art. 15, 17, 20).

Before: no export; deleting an account in the admin raised ProtectedError (and would have
cascade-deleted ballots). Now: `GET /me/export/` gives every personal datum as JSON in a ZIP;
erasure (self-service, the admin's delete, an organizer for a participant card) anonymizes:
contributions and ballots stay counted, nothing links them to the person, tokens and sessions
stop working.
"""

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.comments.services import comment_create
from backend.consultations.domain import PhaseKind
from backend.proposals.models import Contribution, ParticipantCard
from backend.proposals.services import contribution_create
from backend.votes.models import BallotLine
from backend.votes.services import ballot_cast, vote_create
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def history(consultation: Any, people: Personas) -> dict[str, Any]:
    """The participant wrote, commented and voted; a facilitator entered a card's ballot."""
    import time_machine

    person = people.participant
    with time_machine.travel(middle_of(PhaseKind.PROPOSALS), tick=False):
        problem = contribution_create(
            by=person,
            consultation=consultation,
            kind="proposal",
            title="Des tablettes à la médiathèque",
            body="Pour les démarches en ligne.",
            origin="web",
        )
    with time_machine.travel(middle_of(PhaseKind.DELIBERATION), tick=False):
        comment_create(by=person, contribution=problem, body="Je précise : le samedi.")
    with time_machine.travel(middle_of(PhaseKind.VOTE), tick=False):
        vote = vote_create(
            by=people.organizer,
            consultation=consultation,
            title="Priorités",
            method="approval",
            items=[problem.pk],
            options={},
        )
        ballot_cast(by=person, vote=vote, choices={problem.pk: 1})
    _token, raw = access_token_create(user=person, name="Fairphone")
    return {"problem": problem, "vote": vote, "token": raw}


def _export(client: APIClient) -> dict[str, Any]:
    response = client.get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["donnees-personnelles.json"]
    return dict(json.loads(archive.read("donnees-personnelles.json")))


def test_export_holds_every_personal_datum(
    history: dict[str, Any], people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    data = _export(client_for(people.participant))
    assert data["profile"]["email"] == people.participant.email
    assert [c["id"] for c in data["contributions"]] == [history["problem"].pk]
    assert data["comments"][0]["body"] == "Je précise : le samedi."
    assert data["ballots"][0]["vote_id"] == history["vote"].pk
    token = data["access_tokens"][0]
    assert token["name"] == "Fairphone"
    assert set(token) == {"id", "name", "prefix", "created_at", "last_used_at"}  # no digest
    assert ContractAPIClient().get("/api/v1/me/export/").status_code == 401


def test_self_erasure_anonymizes_and_keeps_counts(
    history: dict[str, Any], people: Personas
) -> None:
    person = people.participant
    email = person.email
    client = ContractAPIClient()
    client.force_authenticate(person)
    wrong = client.post("/api/v1/me/erasure/", {"password": "non"}, format="json")
    assert wrong.json()["fields"]["password"][0]["code"] == "password_incorrect"
    assert (
        client.post("/api/v1/me/erasure/", {"password": PASSWORD}, format="json").status_code == 204
    )

    assert not User.objects.filter(email__iexact=email).exists()
    erased = User.objects.get(pk=person.pk)
    assert not erased.is_active
    assert not erased.has_usable_password()
    # tokens and sign-in are gone
    bearer = ContractAPIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {history['token']}")
    assert bearer.status_code == 401
    login = ContractAPIClient().post(
        "/api/v1/auth/tokens/", {"email": email, "password": PASSWORD, "name": "x"}, format="json"
    )
    assert login.status_code == 401
    # what they wrote and voted is still counted, under no name
    shown = ContractAPIClient().get(f"/api/v1/contributions/{history['problem'].pk}/").json()
    assert shown["author"]["display_name"] == "Compte supprimé"
    assert BallotLine.objects.filter(vote=history["vote"]).count() == 1
    results = ContractAPIClient().get(f"/api/v1/votes/{history['vote'].pk}/results/").json()
    assert results["voter_count"] == 1


def test_admin_delete_erases_through_the_same_service(
    history: dict[str, Any], people: Personas, make_user: Callable[..., User]
) -> None:
    admin = Client()
    admin.force_login(make_user(is_staff=True, is_superuser=True))
    url = f"/admin/accounts/user/{people.participant.pk}/delete/"
    confirm = admin.get(url)
    assert confirm.status_code == 200
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    erased = User.objects.get(pk=people.participant.pk)
    assert erased.display_name == "Compte supprimé"
    assert Contribution.objects.filter(pk=history["problem"].pk).exists()
    assert BallotLine.objects.filter(vote=history["vote"]).count() == 1


def test_an_organizer_erases_a_participant_card_on_request(
    card: ParticipantCard, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    url = f"/api/v1/participant-cards/{card.pk}/erasure/"
    for someone in (people.facilitator, people.participant):
        assert client_for(someone).post(url).status_code == 403
    assert client_for(people.organizer).post(url).status_code == 204
    card.refresh_from_db()
    assert card.label == "Fiche effacée"
    assert card.territory is None
    assert card.consent_given
