"""The signed-in person's profile and password."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import AccessToken, User
from backend.accounts.services import access_token_create
from backend.structures.models import MemberRole, Membership
from backend.territories.models import Territory
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
PASSWORD_URL = "/api/v1/me/password/"


def test_me_shows_the_profile_with_territory_and_structures(
    participant: User,
    grenoble: Territory,
    make_membership: Callable[..., Membership],
    client_for: Callable[[User], APIClient],
) -> None:
    participant.territory = grenoble
    participant.save()
    membership = make_membership(user=participant, name="Emmaüs Connect", role=MemberRole.ADMIN)
    response = client_for(participant).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "email", "display_name", "territory", "structures", "date_joined"}
    assert body["territory"] == {"id": grenoble.pk, "name": "Grenoble", "kind": "commune"}
    assert body["structures"] == [
        {
            "id": membership.structure_id,
            "name": "Emmaüs Connect",
            "type": "association",
            "is_verified": False,
            "role": "admin",
        }
    ]


def test_me_needs_to_be_signed_in(api_client: APIClient) -> None:
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("memberships", [0, 5])
def test_me_query_count_does_not_grow_with_memberships(
    participant: User,
    make_membership: Callable[..., Membership],
    client_for: Callable[[User], APIClient],
    django_assert_num_queries: DjangoAssertNumQueries,
    memberships: int,
) -> None:
    for _ in range(memberships):
        make_membership(user=participant)
    client = client_for(participant)
    with django_assert_num_queries(2):  # user with territory, memberships with structures
        response = client.get(ME)
    assert len(response.json()["structures"]) == memberships


def test_patch_me_changes_name_and_territory(
    participant: User, grenoble: Territory, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(participant)
    response = client.patch(ME, {"territory": grenoble.pk})
    assert response.status_code == 200
    assert response.json()["territory"]["id"] == grenoble.pk
    assert response.json()["display_name"] == "Camille Martin"

    response = client.patch(ME, {"display_name": "Camille M."})
    assert response.json()["display_name"] == "Camille M."
    assert response.json()["territory"]["id"] == grenoble.pk

    response = client.patch(ME, {"territory": None})
    assert response.json()["territory"] is None
    participant.refresh_from_db()
    assert (participant.display_name, participant.territory) == ("Camille M.", None)


def test_patch_me_rejects_unknown_fields(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(participant).patch(ME, {"email": "autre@exemple.fr", "is_staff": True})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"]["email"][0]["code"] == "unknown_field"
    assert body["fields"]["is_staff"][0]["code"] == "unknown_field"
    participant.refresh_from_db()
    assert participant.email == "camille.martin@exemple.fr"


def test_patch_me_rejects_a_blank_name(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(participant).patch(ME, {"display_name": ""})
    assert response.status_code == 400
    assert response.json()["fields"]["display_name"][0]["code"] == "blank"


def test_change_password_keeps_the_current_session_and_the_current_token(
    participant: User,
) -> None:
    token, raw = access_token_create(user=participant, name="Téléphone")
    access_token_create(user=participant, name="Tablette")
    client = ContractAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": "un-autre-secret-solide"}
    )
    assert response.status_code == 204
    assert list(AccessToken.objects.filter(user=participant)) == [token]
    assert client.get(ME).status_code == 200

    session = ContractAPIClient()
    assert session.login(email=participant.email, password="un-autre-secret-solide")
    response = session.post(
        PASSWORD_URL,
        {"old_password": "un-autre-secret-solide", "new_password": "encore-un-secret-solide"},
    )
    assert response.status_code == 204
    assert session.get(ME).status_code == 200


def test_change_password_with_a_wrong_current_password(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(participant).post(
        PASSWORD_URL, {"old_password": "wrong", "new_password": "un-autre-secret-solide"}
    )
    assert response.status_code == 400
    assert response.json()["fields"]["old_password"][0]["code"] == "password_incorrect"


def test_change_password_to_a_common_one_is_refused_in_english_on_request(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(participant).post(
        PASSWORD_URL,
        {"old_password": PASSWORD, "new_password": "password123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()["fields"]["new_password"]
    assert {"code": "password_too_common", "message": "This password is too common."} in errors


@pytest.mark.parametrize(
    "payload",
    [
        {"territory": "Grenoble"},
        {"territory": 10**30},
        {"display_name": "x" * 81},
        {"display_name": "nul\x00"},
        {"display_name": None},
        ["display_name"],
    ],
)
def test_patch_me_bad_values_are_validation_errors(
    participant: User, client_for: Callable[[User], APIClient], payload: Any
) -> None:
    response = client_for(participant).patch(ME, payload)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
