"""A body value of another JSON type than the OpenAPI document's is refused, not coerced.

DRF reads "3" or true as a number, 1 or "yes" as a boolean and 12 as text; a strict validator
of the document refuses them all, so the API does too (400 `invalid` naming the field, in French
or English), and changes nothing. Query strings are all text: their numbers stay accepted."""

from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.core.serializers import json_type_mismatch

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "email": "nouvelle@example.org",
        "password": "un mot de passe assez long",
        "display_name": "Nouvelle",
        "session": False,
        **overrides,
    }


@pytest.mark.parametrize("session", [1, 0, "true", "yes", "1"])
def test_a_boolean_given_as_number_or_text_is_refused_and_nothing_is_created(
    api_client: APIClient, session: Any
) -> None:
    response = api_client.post(
        REGISTER, registration(session=session), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["fields"] == {
        "session": [{"code": "invalid", "message": "Must be a valid boolean."}]
    }
    assert not User.objects.filter(email="nouvelle@example.org").exists()


def test_the_refusal_reads_in_french(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER, registration(display_name=12), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    [error] = response.json()["fields"]["display_name"]
    assert error["code"] == "invalid"
    assert error["message"] == "Ce n’est pas une chaîne de caractères valide."


def test_the_right_types_are_accepted(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, registration(), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("field", "value", "mismatch"),
    [
        (serializers.FloatField(), 0.5, False),
        (serializers.FloatField(), 1, False),
        (serializers.FloatField(), True, True),
        (serializers.FloatField(), "0.5", True),
        (serializers.IntegerField(), 3, False),
        (serializers.IntegerField(), "3", True),
        (serializers.IntegerField(), False, True),
        (serializers.BooleanField(), True, False),
        (serializers.BooleanField(), 1, True),
        (serializers.BooleanField(), "true", True),
        (serializers.CharField(), "12", False),
        (serializers.CharField(), 12, True),
        (serializers.CharField(), False, True),
        (serializers.ListField(child=serializers.IntegerField()), [1, 2], False),
        (serializers.ListField(child=serializers.IntegerField()), [1, "2"], True),
        (serializers.IntegerField(allow_null=True), None, False),
    ],
)
def test_json_type_mismatch(field: Any, value: Any, mismatch: bool) -> None:
    assert json_type_mismatch(field, value) is mismatch
