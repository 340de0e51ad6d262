"""Finding 10: a hand-built cursor (base64 of a chosen position) is refused; only the
`next_cursor` the server signed walks the list."""

import base64
import json
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution

pytestmark = pytest.mark.django_db


def _forged(at: str, contribution_id: int) -> str:
    raw = json.dumps([at, contribution_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def test_hand_built_and_altered_cursors_are_refused(
    api_client: APIClient,
    consultation: Consultation,
    make_problem: Callable[..., Contribution],
    in_diagnostic: None,
) -> None:
    for _ in range(3):
        make_problem()
    url = f"/api/v1/consultations/{consultation.pk}/contributions/"
    client = api_client
    first = client.get(url, {"pagination": "cursor", "page_size": "1"}).json()
    signed = first["next_cursor"]
    assert signed
    assert client.get(url, {"pagination": "cursor", "cursor": signed}).status_code == 200

    payload, _signature = signed.rsplit(".", 1)
    for forged in (
        _forged("2999-01-01T00:00:00+00:00", 10**12),
        payload,
        f"{payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
        signed[:-1] + ("A" if signed[-1] != "A" else "B"),
    ):
        response = client.get(url, {"pagination": "cursor", "cursor": forged})
        assert response.status_code == 400, forged
        assert response.json()["fields"]["cursor"][0]["code"] == "invalid_cursor"
