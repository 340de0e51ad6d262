"""Services on access tokens: creation (raw value once) and revocation."""

import pytest

from backend.accounts import services
from backend.accounts.models import AccessToken, User
from backend.accounts.tokens import token_digest
from backend.core import errors

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_digest_and_returns_the_raw_token(participant: User) -> None:
    token, raw = services.access_token_create(user=participant, name="  Fairphone  de Camille ")
    token.refresh_from_db()
    assert token.user == participant
    assert token.name == "Fairphone de Camille"
    assert token.digest == token_digest(raw)
    assert raw.removeprefix("npt_").startswith(token.prefix)
    stored = {str(value) for value in AccessToken.objects.values_list(flat=False).get()}
    assert raw not in stored


def test_revoke_deletes_the_owners_token(participant: User) -> None:
    token, _raw = services.access_token_create(user=participant, name="Téléphone")
    services.access_token_revoke(user=participant, token_id=token.pk)
    assert not AccessToken.objects.filter(pk=token.pk).exists()


def test_revoke_someone_elses_token_is_not_found(participant: User, outsider: User) -> None:
    token, _raw = services.access_token_create(user=participant, name="Téléphone")
    with pytest.raises(errors.NotFound):
        services.access_token_revoke(user=outsider, token_id=token.pk)
    with pytest.raises(errors.NotFound):
        services.access_token_revoke(user=participant, token_id=token.pk + 1000)
    assert AccessToken.objects.filter(pk=token.pk).exists()
