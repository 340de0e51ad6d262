"""Personal access tokens: how mobile and script clients sign in."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import AccessToken, User
from backend.accounts.services import access_token_create
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/me/"


def bearer(raw: str) -> APIClient:
    client = ContractAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_token_flow_end_to_end(participant: User) -> None:
    anonymous = ContractAPIClient(enforce_csrf_checks=True)
    response = anonymous.post(
        TOKENS, {"email": "Camille.Martin@exemple.fr", "password": PASSWORD, "name": "Fairphone"}
    )
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "name", "prefix", "created_at", "token"}
    assert created["name"] == "Fairphone"
    raw = created["token"]
    assert raw.startswith("npt_" + created["prefix"])

    client = bearer(raw)
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == "camille.martin@exemple.fr"

    listing = client.get(TOKENS)
    assert listing.status_code == 200
    results = listing.json()["results"]
    assert [token["id"] for token in results] == [created["id"]]
    assert "token" not in results[0]
    assert "digest" not in results[0]
    assert raw not in listing.content.decode()
    assert results[0]["last_used_at"] is not None

    # Bearer requests carry no cookie: no CSRF token is needed.
    revoked = client.delete(f"{TOKENS}{created['id']}/")
    assert revoked.status_code == 204
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_creation_with_bad_credentials_is_invalid_credentials(participant: User) -> None:
    response = ContractAPIClient().post(
        TOKENS, {"email": participant.email, "password": "wrong", "name": "Fairphone"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not AccessToken.objects.exists()


def test_token_creation_needs_a_name_and_rejects_unknown_fields(participant: User) -> None:
    response = ContractAPIClient().post(
        TOKENS, {"email": participant.email, "password": PASSWORD, "scope": "all"}
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["scope"][0]["code"] == "unknown_field"


def test_token_creation_needs_a_name(participant: User) -> None:
    response = ContractAPIClient().post(TOKENS, {"email": participant.email, "password": PASSWORD})
    assert response.status_code == 400
    assert response.json()["fields"]["name"][0]["code"] == "required"


def test_an_unknown_bearer_token_is_refused() -> None:
    response = bearer("npt_not-a-real-token").get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_listing_tokens_needs_to_be_signed_in(db: None) -> None:
    response = ContractAPIClient().get(TOKENS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_someone_elses_token_cannot_be_revoked(
    participant: User, outsider: User, client_for: Callable[[User], APIClient]
) -> None:
    token, _raw = access_token_create(user=participant, name="Téléphone")
    response = client_for(outsider).delete(f"{TOKENS}{token.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert AccessToken.objects.filter(pk=token.pk).exists()


def test_logout_with_a_bearer_token_revokes_it(participant: User) -> None:
    token, raw = access_token_create(user=participant, name="Téléphone")
    client = bearer(raw)
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not AccessToken.objects.filter(pk=token.pk).exists()
    assert client.get(ME).status_code == 401


def test_token_list_is_ordered_on_request(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    for name in ["Tablette", "Client script", "Fairphone"]:
        access_token_create(user=participant, name=name)
    client = client_for(participant)
    names = [token["name"] for token in client.get(TOKENS).json()["results"]]
    assert names == ["Fairphone", "Client script", "Tablette"]
    names = [token["name"] for token in client.get(TOKENS, {"ordering": "name"}).json()["results"]]
    assert names == ["Client script", "Fairphone", "Tablette"]


@pytest.mark.parametrize("count", [1, 30])
def test_token_list_query_count_does_not_grow_with_the_page(
    participant: User,
    outsider: User,
    client_for: Callable[[User], APIClient],
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    for index in range(count):
        access_token_create(user=participant, name=f"Appareil {index}")
    access_token_create(user=outsider, name="Autre")
    client = client_for(participant)
    with django_assert_num_queries(2):  # count, page
        response = client.get(TOKENS, {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_revoking_an_id_beyond_the_integer_range_is_not_found(
    participant: User, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(participant).delete(f"{TOKENS}{10**30}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
