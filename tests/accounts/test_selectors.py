"""Reads on accounts and profiles: the profile, a user by id and the list of tokens."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries

from backend.accounts import selectors
from backend.accounts.models import AccessToken, User
from backend.accounts.services import access_token_create
from backend.core import errors
from backend.profiles import selectors as profiles
from backend.structures.models import MemberRole, Membership

pytestmark = pytest.mark.django_db


def test_profile_carries_territory_and_memberships_in_two_queries(
    participant: User,
    make_membership: Callable[..., Membership],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    make_membership(user=participant, name="Emmaüs Connect", role=MemberRole.ADMIN)
    make_membership(user=participant, name="CCAS de Grenoble")
    with django_assert_num_queries(2):
        user = profiles.user_get_profile(user_id=participant.pk)
        names = [membership.structure.name for membership in user.memberships.all()]
        territory = user.territory
    assert names == ["CCAS de Grenoble", "Emmaüs Connect"]
    assert territory is None


def test_profile_of_an_unknown_user_is_not_found(db: None) -> None:
    with pytest.raises(errors.NotFound):
        profiles.user_get_profile(user_id=123456)


def test_a_user_by_id_or_not_found(participant: User) -> None:
    assert selectors.user_get(user_id=participant.pk) == participant
    with pytest.raises(errors.NotFound):
        selectors.user_get(user_id=participant.pk + 1000)


def test_token_list_holds_only_the_users_tokens_newest_first(
    participant: User, outsider: User
) -> None:
    first, _ = access_token_create(user=participant, name="Téléphone")
    second, _ = access_token_create(user=participant, name="Tablette")
    access_token_create(user=outsider, name="Autre")
    assert list(selectors.access_token_list(user=participant)) == [second, first]


def test_bearer_token_lookup_reads_the_token_and_its_user_in_one_query(
    participant: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    token, raw = access_token_create(user=participant, name="Téléphone")
    expected = AccessToken.objects.select_related("user").get(pk=token.pk)
    with django_assert_num_queries(1):
        found = selectors.access_token_get_by_raw(raw=raw)
        assert found is not None
        user = found.user
    fields = [field.attname for field in AccessToken._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(expected, name) for name in fields]
    user_fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(user, name) for name in user_fields] == [
        getattr(expected.user, name) for name in user_fields
    ]
    assert found.user_id == user.pk == participant.pk
    assert not found._state.adding
    assert found._state.db == "default"


def test_bearer_token_lookup_refuses_unknown_tokens_and_inactive_accounts(
    participant: User,
) -> None:
    _token, raw = access_token_create(user=participant, name="Téléphone")
    assert selectors.access_token_get_by_raw(raw=raw + "x") is None
    User.objects.filter(pk=participant.pk).update(is_active=False)
    assert selectors.access_token_get_by_raw(raw=raw) is None
