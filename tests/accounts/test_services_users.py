"""Services on people: registration, authentication, profile and password."""

import pytest
from django.test import RequestFactory

from backend.accounts import services
from backend.accounts.models import AccessToken, User
from backend.core import errors
from backend.territories.models import Territory
from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db


def field_codes(exc: errors.ApplicationError, field: str) -> list[str]:
    assert exc.fields is not None
    return [item["code"] for item in exc.fields[field]]


def test_register_stores_the_address_lower_case_and_hashes_the_password(
    grenoble: Territory,
) -> None:
    user = services.user_register(
        email=" Lea.Dupont@Exemple.FR ",
        password=PASSWORD,
        display_name="Léa Dupont",
        territory=grenoble,
    )
    user.refresh_from_db()
    assert user.email == "lea.dupont@exemple.fr"
    assert user.territory == grenoble
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)
    assert user.is_active
    assert not user.is_staff


def test_register_refuses_an_address_already_used_whatever_its_case(participant: User) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        services.user_register(
            email="CAMILLE.martin@exemple.fr", password=PASSWORD, display_name="Autre"
        )
    assert field_codes(caught.value, "email") == ["email_taken"]
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab3!x", "password_too_short"),
        ("password123", "password_too_common"),
        ("83920174659", "password_entirely_numeric"),
        ("lea.dupont@exemple", "password_too_similar"),
    ],
)
def test_register_runs_djangos_password_validators(password: str, code: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        services.user_register(email="lea.dupont@exemple.fr", password=password, display_name="Léa")
    assert code in field_codes(caught.value, "password")
    assert not User.objects.exists()


def test_authenticate_finds_the_account_whatever_the_case_of_the_address(
    participant: User,
) -> None:
    request = RequestFactory().post("/")
    user = services.user_authenticate(
        request=request, email="CAMILLE.MARTIN@exemple.fr", password=PASSWORD
    )
    assert user == participant


def test_authenticate_refuses_a_wrong_password_and_an_inactive_account(
    participant: User,
) -> None:
    request = RequestFactory().post("/")
    with pytest.raises(errors.InvalidCredentials):
        services.user_authenticate(request=request, email=participant.email, password="nope")
    participant.is_active = False
    participant.save()
    with pytest.raises(errors.InvalidCredentials):
        services.user_authenticate(request=request, email=participant.email, password=PASSWORD)


def test_update_profile_sets_the_name_and_the_territory(
    participant: User, grenoble: Territory
) -> None:
    services.user_update_profile(user=participant, display_name="Camille M.", territory=grenoble)
    participant.refresh_from_db()
    assert (participant.display_name, participant.territory) == ("Camille M.", grenoble)
    services.user_update_profile(user=participant, display_name="Camille M.", territory=None)
    participant.refresh_from_db()
    assert participant.territory is None


def test_change_password_checks_the_current_one(participant: User) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        services.user_change_password(
            user=participant, old_password="wrong", new_password="un-autre-secret-solide"
        )
    assert field_codes(caught.value, "old_password") == ["password_incorrect"]


def test_change_password_validates_the_new_one(participant: User) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        services.user_change_password(user=participant, old_password=PASSWORD, new_password="123")
    assert "password_too_short" in field_codes(caught.value, "new_password")
    participant.refresh_from_db()
    assert participant.check_password(PASSWORD)


def test_change_password_revokes_every_other_access_token(participant: User) -> None:
    kept, _raw = services.access_token_create(user=participant, name="Téléphone")
    services.access_token_create(user=participant, name="Tablette")
    services.user_change_password(
        user=participant,
        old_password=PASSWORD,
        new_password="un-autre-secret-solide",
        keep_token=kept,
    )
    participant.refresh_from_db()
    assert participant.check_password("un-autre-secret-solide")
    assert list(AccessToken.objects.filter(user=participant)) == [kept]
