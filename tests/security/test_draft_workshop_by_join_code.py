"""Finding 10: a draft consultation's workshop must not be readable by its join code (the
consultation itself is not public yet)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseSpec
from backend.consultations.services import consultation_create, role_grant
from backend.territories.services import territory_create
from backend.workshops.services import workshop_create, workshop_open
from tests.fixtures.openapi_contract import ContractAPIClient

pytestmark = pytest.mark.django_db


def test_join_code_of_a_draft_consultation_answers_404_except_to_its_runners(
    make_user: Callable[..., User], client_for: Callable[[User], APIClient]
) -> None:
    organizer = make_user(is_staff=True)
    facilitator = make_user()
    now = timezone.now()
    consultation = consultation_create(
        by=organizer,
        title="Concertation en préparation",
        territory=territory_create(kind="commune", name="Grenoble", insee_code="38185"),
        phases=[
            PhaseSpec(
                kind="proposals", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1)
            )
        ],
    )
    role_grant(by=organizer, consultation=consultation, user=facilitator, role="facilitator")
    workshop = workshop_open(
        by=facilitator,
        workshop=workshop_create(
            by=facilitator, consultation=consultation, title="Répétition", place="Salle 1"
        ),
    )
    url = f"/api/v1/workshops/join/{workshop.join_code}/"
    for client in (ContractAPIClient(), client_for(make_user())):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert client_for(facilitator).get(url).status_code == 200
