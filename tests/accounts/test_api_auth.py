"""Session sign-in for web clients: CSRF, registration, login, logout, throttling."""

from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from backend.accounts.models import User
from backend.territories.models import Territory
from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db

CSRF = "/api/v1/auth/csrf/"
REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


def fetch_csrf_token(client: APIClient) -> str:
    response = client.get(CSRF)
    assert response.status_code == 200
    token = response.json()["csrf_token"]
    assert client.cookies["csrftoken"].value
    return str(token)


def cookie_csrf_token(client: APIClient) -> str:
    """The CSRF token held in the cookie (Django rotates it at sign-in)."""
    return str(client.cookies["csrftoken"].value)


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "email": "Lea.Dupont@exemple.fr",
        "password": PASSWORD,
        "display_name": "Léa Dupont",
        **overrides,
    }


def test_csrf_endpoint_is_public_and_sets_the_cookie(csrf_client: APIClient) -> None:
    token = fetch_csrf_token(csrf_client)
    assert len(token) == 64


def test_register_signs_the_new_account_in_with_a_session(
    csrf_client: APIClient, grenoble: Territory
) -> None:
    token = fetch_csrf_token(csrf_client)
    response = csrf_client.post(
        REGISTER, registration(territory=grenoble.pk), HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "lea.dupont@exemple.fr"
    assert body["display_name"] == "Léa Dupont"
    assert body["territory"] == {"id": grenoble.pk, "name": "Grenoble", "kind": "commune"}
    assert body["structures"] == []
    assert "password" not in body
    assert csrf_client.get(ME).json()["id"] == body["id"]


def test_register_without_csrf_token_is_refused(csrf_client: APIClient) -> None:
    response = csrf_client.post(REGISTER, registration())
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not User.objects.exists()


def test_token_clients_register_without_csrf_and_without_a_session(
    csrf_client: APIClient,
) -> None:
    response = csrf_client.post(REGISTER, {**registration(), "session": False})
    assert response.status_code == 201
    assert User.objects.filter(pk=response.json()["id"]).exists()
    assert "sessionid" not in csrf_client.cookies
    assert csrf_client.get(ME).status_code == 401
    token = csrf_client.post(
        "/api/v1/auth/tokens/",
        {"email": registration()["email"], "password": registration()["password"], "name": "app"},
    )
    assert token.status_code == 201


def test_register_session_flag_must_be_a_boolean(csrf_client: APIClient) -> None:
    response = csrf_client.post(REGISTER, {**registration(), "session": "false"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_register_rejects_a_short_password_with_djangos_code(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, registration(password="Ab3!x"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "password_too_short" in [item["code"] for item in body["fields"]["password"]]


def test_register_rejects_a_used_address_whatever_its_case(
    api_client: APIClient, participant: User
) -> None:
    response = api_client.post(REGISTER, registration(email="CAMILLE.MARTIN@exemple.FR"))
    assert response.status_code == 400
    assert response.json()["fields"]["email"][0]["code"] == "email_taken"


def test_register_rejects_an_unknown_territory_and_a_blank_name(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, registration(territory=999999, display_name=" "))
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["territory"][0]["code"] == "does_not_exist"
    assert fields["display_name"][0]["code"] == "blank"


def test_register_rejects_unknown_fields(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, registration(is_staff=True))
    assert response.status_code == 400
    assert response.json()["fields"]["is_staff"][0]["code"] == "unknown_field"
    assert not User.objects.exists()


def test_validation_messages_are_french_by_default_and_english_on_request(
    api_client: APIClient, participant: User
) -> None:
    used = registration(email=participant.email)
    french = api_client.post(REGISTER, used).json()["fields"]["email"][0]["message"]
    english = api_client.post(REGISTER, used, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    assert french == "Cette adresse e-mail est déjà utilisée par un compte."
    assert english["email"][0]["message"] == "This e-mail address is already used by an account."

    weak = registration(password="Ab3!x")
    french = api_client.post(REGISTER, weak).json()["fields"]["password"][0]["message"]
    english = api_client.post(REGISTER, weak, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    assert french.startswith("Ce mot de passe est trop court.")
    assert english["password"][0]["message"].startswith("This password is too short.")


def test_login_and_logout_with_a_session_and_csrf_enforced(
    csrf_client: APIClient, participant: User
) -> None:
    token = fetch_csrf_token(csrf_client)
    response = csrf_client.post(
        LOGIN,
        {"email": "camille.MARTIN@exemple.fr", "password": PASSWORD},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    assert response.json()["id"] == participant.pk
    participant.refresh_from_db()
    assert participant.last_login is not None
    assert csrf_client.get(ME).status_code == 200

    # Signed in by session, unsafe requests need the (rotated) CSRF token.
    refused = csrf_client.post(LOGOUT)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert cookie_csrf_token(csrf_client) != token
    response = csrf_client.post(LOGOUT, HTTP_X_CSRFTOKEN=cookie_csrf_token(csrf_client))
    assert response.status_code == 204

    response = csrf_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_login_without_csrf_token_is_refused(csrf_client: APIClient, participant: User) -> None:
    response = csrf_client.post(LOGIN, {"email": participant.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.parametrize(
    ("email", "password"),
    [("camille.martin@exemple.fr", "wrong-password"), ("personne@exemple.fr", PASSWORD)],
)
def test_login_with_bad_credentials_is_invalid_credentials(
    api_client: APIClient, participant: User, email: str, password: str
) -> None:
    response = api_client.post(LOGIN, {"email": email, "password": password})
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["message"] == "L\u2019adresse e-mail ou le mot de passe est incorrect."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_login_of_an_inactive_account_is_invalid_credentials(
    api_client: APIClient, participant: User
) -> None:
    participant.is_active = False
    participant.save()
    response = api_client.post(LOGIN, {"email": participant.email, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_logout_needs_to_be_signed_in(api_client: APIClient) -> None:
    response = api_client.post(LOGOUT)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        (LOGIN, {"email": "camille.martin@exemple.fr", "password": "wrong"}),
        (REGISTER, registration(password="Ab3!x")),
        ("/api/v1/auth/tokens/", {"email": "x@exemple.fr", "password": "x", "name": "Tél"}),
    ],
)
def test_sign_in_endpoints_are_throttled(
    api_client: APIClient,
    participant: User,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    payload: dict[str, Any],
) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "3/min")
    statuses = [api_client.post(path, payload).status_code for _ in range(3)]
    assert 429 not in statuses
    response = api_client.post(path, payload)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "Retry-After" in response.headers
