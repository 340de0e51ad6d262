"""Finding 8: a stolen access token must die with a password change, whichever way the
password is changed (the API, the admin's form, `manage.py changepassword`, a shell), as
sessions do; a mere re-hash of the same password (a newer hasher) revokes nothing."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import AccessToken, User
from backend.accounts.services import access_token_create
from tests.fixtures.openapi_contract import ContractAPIClient

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
NEW_PASSWORD = "un-tout-autre-secret-solide"


def _works(raw: str) -> bool:
    response = ContractAPIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return bool(response.status_code == 200)


@pytest.fixture
def person(make_user: Callable[..., User]) -> User:
    return make_user(email="personne@exemple.fr")


def test_admin_password_form_revokes_every_token(
    person: User, make_user: Callable[..., User]
) -> None:
    _token, raw = access_token_create(user=person, name="téléphone")
    assert _works(raw)
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]
    assert not _works(raw)
    assert not AccessToken.objects.filter(user=person).exists()


def test_changing_the_password_from_a_shell_revokes_every_token(person: User) -> None:
    """What `manage.py changepassword` and a shell do: set_password, then save."""
    _token, raw = access_token_create(user=person, name="script")
    person.set_password(NEW_PASSWORD)
    person.save()
    assert not _works(raw)


def test_the_api_keeps_only_the_token_that_changed_the_password(person: User) -> None:
    _used, used_raw = access_token_create(user=person, name="téléphone")
    _other, other_raw = access_token_create(user=person, name="tablette")
    response = ContractAPIClient().post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {used_raw}",
    )
    assert response.status_code == 204
    assert _works(used_raw)
    assert not _works(other_raw)


def test_a_session_password_change_revokes_every_token(
    person: User, client_for: Callable[[User], APIClient]
) -> None:
    _token, raw = access_token_create(user=person, name="téléphone")
    response = client_for(person).post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert not _works(raw)


def test_a_rehash_of_the_same_password_revokes_nothing(
    make_user: Callable[..., User], settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = make_user(email="ancienne@exemple.fr")
    _token, raw = access_token_create(user=person, name="téléphone")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    person = User.objects.get(pk=person.pk)
    assert person.check_password(PASSWORD)  # upgrades the stored hash
    assert User.objects.get(pk=person.pk).password.startswith("pbkdf2_sha256$")
    assert _works(raw)
