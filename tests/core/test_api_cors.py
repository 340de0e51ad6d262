"""Cross-origin requests from the web frontends named in CORS_ALLOWED_ORIGINS only."""

import re
from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import User
from tests.fixtures.openapi_contract import document

pytestmark = pytest.mark.django_db

FRONTEND = "https://participer.example.org"


@pytest.fixture(autouse=True)
def _frontend(settings: pytest.FixtureRequest) -> None:
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]  # type: ignore[attr-defined]


def test_preflight_from_an_allowed_origin_allows_credentials_and_our_headers() -> None:
    response = Client().options(
        "/api/v1/consultations/",
        HTTP_ORIGIN=FRONTEND,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-csrftoken, idempotency-key",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed = response["Access-Control-Allow-Headers"]
    assert {"x-csrftoken", "idempotency-key", "if-none-match"} <= set(allowed.split(", "))


def test_an_answer_exposes_the_headers_clients_read() -> None:
    response = Client().get("/api/v1/territories/", HTTP_ORIGIN=FRONTEND)
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    exposed = set(response["Access-Control-Expose-Headers"].split(", "))
    assert {"etag", "retry-after", "idempotent-replayed", "x-content-sha256"} <= exposed


def test_another_origin_gets_no_cors_header() -> None:
    response = Client().get("/api/v1/territories/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_options_on_every_documented_path_never_fails(
    make_user: Callable[..., User], client_for: Callable[[User], APIClient]
) -> None:
    """OPTIONS used to build DRF's `actions` from a serializer some views do not declare."""
    client = client_for(make_user(is_staff=True))
    for template in document()["paths"]:
        path = re.sub(r"{[^}]+}", "1", template)
        assert client.options(path).status_code < 500, path
