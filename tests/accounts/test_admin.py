"""The admin site for people and tokens: it works, reads in French, never shows a secret."""

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from backend.accounts.models import User
from backend.accounts.services import access_token_create
from backend.territories.models import Territory

pytestmark = pytest.mark.django_db


def test_user_pages_read_in_french(admin_client: Client, participant: User) -> None:
    changelist = admin_client.get("/admin/accounts/user/")
    assert changelist.status_code == 200
    assert "Camille Martin" in changelist.content.decode()
    change = admin_client.get(f"/admin/accounts/user/{participant.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert "Adresse e-mail" in html
    assert "Nom affiché" in html
    assert "Territoire" in html


def test_admin_creates_a_user_with_a_lower_case_address(
    admin_client: Client, grenoble: Territory
) -> None:
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Animatrice@Exemple.fr",
            "display_name": "Animatrice",
            "territory": grenoble.pk,
            "usable_password": "true",
            "password1": "motdepasse-solide-42",
            "password2": "motdepasse-solide-42",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="animatrice@exemple.fr")
    assert user.check_password("motdepasse-solide-42")
    assert user.territory == grenoble


def test_admin_refuses_an_address_used_with_another_case(
    admin_client: Client, participant: User
) -> None:
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "CAMILLE.MARTIN@exemple.fr",
            "display_name": "Doublon",
            "usable_password": "true",
            "password1": "motdepasse-solide-42",
            "password2": "motdepasse-solide-42",
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="camille.martin@exemple.fr").count() == 1


def test_token_pages_show_the_digest_read_only_and_never_the_token(
    admin_client: Client, participant: User
) -> None:
    token, raw = access_token_create(user=participant, name="Fairphone")
    changelist = admin_client.get("/admin/accounts/accesstoken/")
    assert changelist.status_code == 200
    assert "Fairphone" in changelist.content.decode()
    page = admin_client.get(f"/admin/accounts/accesstoken/{token.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert token.digest in html
    assert raw not in html
    assert 'name="digest"' not in html
    assert admin_client.get("/admin/accounts/accesstoken/add/").status_code == 403


def test_admin_can_revoke_a_token(admin_client: Client, participant: User) -> None:
    token, _raw = access_token_create(user=participant, name="Fairphone")
    response = admin_client.post(f"/admin/accounts/accesstoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not participant.access_tokens.exists()


def test_admin_pages_use_few_queries(
    admin_client: Client, participant: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(5):
        access_token_create(user=participant, name=f"Appareil {index}")
    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/accounts/accesstoken/").status_code == 200
