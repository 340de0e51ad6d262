"""Query parameters are checked like bodies: a bad value is a 400 naming it, never ignored."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def fields_of(response: object) -> dict[str, list[str]]:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 400, body  # type: ignore[attr-defined]
    assert body["code"] == "validation_error"
    return {name: [item["code"] for item in items] for name, items in body["fields"].items()}


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("page_size=abc", "page_size", "invalid"),
        ("page_size=0", "page_size", "min_value"),
        ("page_size=-5", "page_size", "invalid"),
        ("page=x", "page", "invalid"),
        ("page=0", "page", "min_value"),
        ("ordering=colour", "ordering", "invalid_choice"),
        ("ordering=title,", "ordering", "invalid_choice"),
        ("status=lost", "status", "invalid_choice"),
        ("territory_within=abc", "territory_within", "invalid"),
    ],
)
def test_a_bad_query_value_is_refused_with_its_name(
    api_client: APIClient, query: str, field: str, code: str
) -> None:
    assert fields_of(api_client.get(f"/api/v1/consultations/?{query}")) == {field: [code]}


def test_well_formed_values_are_accepted(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/consultations/?page_size=100&page=1&ordering=-title")
    assert response.status_code == 200
    # Above 100, the page size is capped, as it always was.
    assert api_client.get("/api/v1/consultations/?page_size=1000").status_code == 200


def test_an_unknown_territory_id_matches_nothing(api_client: APIClient) -> None:
    for name in ("territory_within", "territory_covering", "territory"):
        response = api_client.get(f"/api/v1/consultations/?{name}=987654321")
        assert response.status_code == 200, name
        assert response.json()["count"] == 0


def test_a_page_past_the_end_is_not_found(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/consultations/?page=99")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
