"""Finding 10: provenance that a participant or a facilitator could fake.

- a participant backdates their own web contribution with `captured_at`;
- a facilitator publishes in an account's name without that person's recorded consent;
- an entry for a participant card claims `origin: web` (as if the person typed it online).
"""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution, ParticipantCard
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db


def _problem(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "problem",
        "title": "Pas d'ordinateur pour la CAF",
        "body": "jpeu pas fer mes demarches caf sans ordi",
        "theme": "acces_droits",
        **extra,
    }


def _post(client: APIClient, consultation: Consultation, payload: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/consultations/{consultation.pk}/contributions/", payload, format="json"
    )


def _field_code(response: Any, field: str) -> str:
    assert response.status_code == 400, response.content[:300]
    return str(response.json()["fields"][field][0]["code"])


def test_a_participant_cannot_backdate_their_own_contribution(
    consultation: Consultation,
    people: Personas,
    client_for: Callable[[User], APIClient],
    in_diagnostic: None,
) -> None:
    response = _post(
        client_for(people.participant),
        consultation,
        _problem(captured_at="2026-05-04T10:00:00+02:00"),
    )
    assert _field_code(response, "captured_at") == "not_on_behalf"
    assert not Contribution.objects.exists()


def test_a_facilitator_needs_recorded_consent_to_publish_in_an_accounts_name(
    consultation: Consultation,
    people: Personas,
    client_for: Callable[[User], APIClient],
    in_diagnostic: None,
) -> None:
    client = client_for(people.facilitator)
    refused = _post(
        client, consultation, _problem(origin="phone", on_behalf_of_user=people.outsider.pk)
    )
    assert _field_code(refused, "on_behalf_consent") == "consent_required"
    accepted = _post(
        client,
        consultation,
        _problem(origin="phone", on_behalf_of_user=people.outsider.pk, on_behalf_consent="oral"),
    )
    assert accepted.status_code == 201
    body = accepted.json()
    assert body["author"]["id"] == people.outsider.pk
    assert body["on_behalf_consent"] == "oral"


@pytest.mark.parametrize("origin", ["web", "mobile"])
def test_an_entry_for_a_card_cannot_claim_to_come_from_the_web(
    consultation: Consultation,
    people: Personas,
    card: ParticipantCard,
    client_for: Callable[[User], APIClient],
    in_diagnostic: None,
    origin: str,
) -> None:
    client = client_for(people.facilitator)
    response = _post(client, consultation, _problem(origin=origin, on_behalf_of_card=card.pk))
    assert _field_code(response, "origin") == "card_needs_facilitator_origin"
    paper = _post(
        client,
        consultation,
        _problem(
            origin="paper", on_behalf_of_card=card.pk, captured_at="2026-05-05T10:00:00+02:00"
        ),
    )
    assert paper.status_code == 201
