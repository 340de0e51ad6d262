"""Every error has one shape, in French by default and English on request."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_health_answers_ok_from_the_real_database(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_unknown_url_is_a_json_not_found_in_french(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["status"] == 404
    assert body["message"] == "Introuvable."


def test_unknown_url_message_in_english_on_request(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["message"] == "Not found."
