"""Finding 9: inputs that gave a 500 without an account. No input gives a 500: oversized
bodies get 413, deeply nested JSON and NUL characters get a 400 or a 404, each in the API's
error shape."""

import json

import pytest

from tests.fixtures.openapi_contract import ContractAPIClient

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"


def _shape(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["message"]


def test_a_3_mb_body_is_refused_with_413() -> None:
    body = json.dumps({"email": "a@exemple.fr", "password": "x" * 3_000_000, "name": "n"})
    response = ContractAPIClient().generic("POST", TOKENS, body, content_type="application/json")
    _shape(response, 413, "request_too_large")
    assert response.json()["details"]["max_bytes"] == 1_048_576


def test_413_speaks_english_when_asked() -> None:
    body = "x" * 2_000_000
    response = ContractAPIClient().generic(
        "POST", TOKENS, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    _shape(response, 413, "request_too_large")
    assert response.json()["message"] == "The request body is too large."


def test_a_lying_content_length_is_refused() -> None:
    response = ContractAPIClient().generic(
        "POST", TOKENS, "{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    _shape(response, 400, "bad_request")


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
def test_deeply_nested_json_is_a_parse_error(depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = ContractAPIClient().generic("POST", TOKENS, body, content_type="application/json")
    _shape(response, 400, "parse_error")


def test_nan_is_not_json() -> None:
    response = ContractAPIClient().generic(
        "POST", TOKENS, '{"email": NaN}', content_type="application/json"
    )
    _shape(response, 400, "parse_error")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workshops/join/AB%00CD/",
        "/api/v1/territories/%00/",
        "/live/AB%00CD/",
        "/api/v1/structures/?search=%00",
    ],
)
def test_a_nul_character_never_reaches_postgresql(path: str) -> None:
    response = ContractAPIClient().get(path)
    assert response.status_code in (400, 404), response.content[:300]
    assert response.json()["code"] in ("validation_error", "not_found")


def test_a_nul_character_in_a_query_parameter_names_it() -> None:
    response = ContractAPIClient().get("/api/v1/territories/?search=Gre%00noble")
    _shape(response, 400, "validation_error")
    assert response.json()["fields"]["search"][0]["code"] == "null_characters_not_allowed"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/territories/99999999999999999999999/",
        "/api/v1/consultations/99999999999999999999999/",
        "/api/v1/contributions/99999999999999999999999/",
    ],
)
def test_an_id_past_the_bigint_range_is_not_a_500(path: str) -> None:
    response = ContractAPIClient().get(path)
    assert response.status_code in (400, 404), response.content[:300]
