"""Idempotency-Key on POST /api/v1/structures/: replay, reuse, scopes, expiry, validation."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.idempotency.api.decorators import request_scope
from backend.idempotency.models import IdempotencyRecord, RecordState
from backend.structures.models import Structure
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

URL = "/api/v1/structures/"
Clients = Callable[[User], APIClient]


def body(tree: Tree, name: str = "Centre social Arlequin") -> dict[str, Any]:
    return {"name": name, "type": "centre_social", "territory": tree.grenoble.pk}


def post(client: APIClient, data: dict[str, Any], key: str | None) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(URL, data, format="json", headers=headers)


def test_replay_returns_the_same_response_and_creates_nothing(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    first = post(client, body(tree), "3f1c2a9e-0001")
    second = post(client, body(tree), "3f1c2a9e-0001")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Structure.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert record.state == RecordState.COMPLETED
    assert record.scope == f"user:{participant.pk}"


def test_key_order_and_spacing_of_the_body_do_not_matter(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    post(client, body(tree), "same-key")
    reordered = dict(reversed(list(body(tree).items())))
    assert post(client, reordered, "same-key").status_code == 201
    assert Structure.objects.count() == 1


def test_same_key_with_another_body_is_refused(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    post(client, body(tree), "k-1")
    response = post(client, body(tree, name="Médiathèque Kateb Yacine"), "k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Structure.objects.count() == 1


def test_keys_are_scoped_per_user(
    client_for: Clients, participant: User, outsider: User, tree: Tree
) -> None:
    assert post(client_for(participant), body(tree), "shared").status_code == 201
    replay = post(client_for(outsider), body(tree), "shared")
    assert replay.status_code == 201
    assert not replay.has_header("Idempotent-Replayed")
    assert Structure.objects.count() == 2


def test_without_a_key_every_request_creates(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    post(client, body(tree), None)
    post(client, body(tree), None)
    assert Structure.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_an_expired_key_behaves_as_new(client_for: Clients, participant: User, tree: Tree) -> None:
    client = client_for(participant)
    post(client, body(tree), "old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = post(client, body(tree, name="Autre structure"), "old")
    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert Structure.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.response_body == response.json()
    assert record.expires_at > timezone.now() + timedelta(hours=23)


def test_other_expired_keys_of_the_caller_are_purged(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    post(client, body(tree), "a")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    post(client, body(tree, name="Autre structure"), "b")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-accentuée", "tab\tkey"])
def test_an_invalid_key_is_a_validation_error(
    client_for: Clients, participant: User, tree: Tree, key: str
) -> None:
    response = post(client_for(participant), body(tree), key)
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "validation_error"
    (error,) = payload["fields"]["Idempotency-Key"]
    assert error["code"] == "invalid_idempotency_key"
    assert error["message"].startswith("Envoyez de 1 à 255 caractères")
    assert Structure.objects.count() == 0


def test_longest_valid_key_is_accepted(client_for: Clients, participant: User, tree: Tree) -> None:
    assert post(client_for(participant), body(tree), "~" * 255).status_code == 201


def test_a_failed_request_stores_nothing_and_the_key_can_be_retried(
    client_for: Clients, participant: User, tree: Tree
) -> None:
    client = client_for(participant)
    invalid = post(client, {**body(tree), "type": "nope"}, "retry-me")
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "validation_error"
    assert not IdempotencyRecord.objects.exists()
    assert post(client, body(tree), "retry-me").status_code == 201
    assert Structure.objects.count() == 1


def test_anonymous_callers_are_refused_before_the_key_is_considered(
    api_client: APIClient, tree: Tree
) -> None:
    response = post(api_client, body(tree), "anon")
    assert response.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_the_key_is_documented_in_the_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/structures/"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
    assert "422" in operation["responses"]
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]


class CardView(APIView):
    """An anonymous endpoint that scopes keys by a participant card token."""

    def idempotency_scope(self, request: Request) -> str | None:
        token: str | None = request.headers.get("X-Card")
        return token


def test_anonymous_scope_comes_from_the_view_and_is_hashed(db: None) -> None:
    factory = APIRequestFactory()
    with_card = Request(factory.post("/", headers={"X-Card": "carte-123"}))
    with_card.user = AnonymousUser()
    scope = request_scope(CardView(), with_card)
    assert scope is not None
    assert scope.startswith("anon:")
    assert "carte-123" not in scope
    without = Request(factory.post("/"))
    without.user = AnonymousUser()
    assert request_scope(CardView(), without) is None
    assert request_scope(APIView(), with_card) is None
