"""Boolean query parameters are strict everywhere (core.filters.StrictBooleanFilter): true/false
(or 1/0, any case) filter, absent or empty means no filter, anything else is a 400 `invalid`
naming the parameter, in French or English. django-filter's own BooleanFilter read `null` or
`maybe` as "no filter": a client with a typo silently got everything."""

import pytest
from rest_framework.test import APIClient

from backend.consultations.models import Consultation

pytestmark = pytest.mark.django_db

PARAMETERS = [
    ("/api/v1/structures/", "is_verified"),
    ("/api/v1/consultations/{consultation}/contributions/", "has_problem"),
]


def url_of(template: str, consultation: Consultation) -> str:
    return template.format(consultation=consultation.pk)


@pytest.mark.parametrize(("template", "name"), PARAMETERS)
@pytest.mark.parametrize("value", ["null", "maybe", "yes", "2", "tru"])
def test_a_value_that_is_not_a_boolean_is_refused(
    api_client: APIClient, consultation: Consultation, template: str, name: str, value: str
) -> None:
    response = api_client.get(
        url_of(template, consultation), {name: value}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    error = response.json()["fields"][name][0]
    assert error["code"] == "invalid"
    assert error["message"] == "Use true or false."


@pytest.mark.parametrize(("template", "name"), PARAMETERS)
def test_the_refusal_reads_in_french(
    api_client: APIClient, consultation: Consultation, template: str, name: str
) -> None:
    response = api_client.get(
        url_of(template, consultation), {name: "null"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json()["fields"][name][0]["message"] != "Use true or false."


@pytest.mark.parametrize(("template", "name"), PARAMETERS)
@pytest.mark.parametrize("value", ["true", "false", "1", "0", "TRUE", "False", ""])
def test_booleans_and_empty_are_accepted(
    api_client: APIClient, consultation: Consultation, template: str, name: str, value: str
) -> None:
    response = api_client.get(url_of(template, consultation), {name: value})
    assert response.status_code == 200, response.json()
