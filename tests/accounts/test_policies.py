"""Who may revoke an access token."""

import pytest

from backend.accounts.models import User
from backend.accounts.policies import can_revoke_access_token
from backend.accounts.services import access_token_create

pytestmark = pytest.mark.django_db


def test_only_the_active_owner_may_revoke_a_token(participant: User, outsider: User) -> None:
    token, _raw = access_token_create(user=participant, name="Téléphone")
    assert can_revoke_access_token(user=participant, obj=token)
    assert not can_revoke_access_token(user=outsider, obj=token)
    participant.is_active = False
    assert not can_revoke_access_token(user=participant, obj=token)
