"""Two simultaneous requests with the same Idempotency-Key create exactly one structure."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.idempotency import services
from backend.idempotency.models import IdempotencyRecord
from backend.structures.models import Structure
from tests.fixtures.territories import Tree

URL = "/api/v1/structures/"


def race(clients: list[APIClient], data: dict[str, Any], key: str) -> list[Any]:
    """Send one POST per client at the same instant, each from its own thread and connection."""
    barrier = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)

    def send(index: int, client: APIClient) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = client.post(
                URL, data, format="json", headers={"Idempotency-Key": key}
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, client)) for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_once(
    client_for: Callable[[User], APIClient], participant: User, tree: Tree
) -> None:
    for attempt in range(3):
        data: dict[str, str | int] = {"name": f"Centre social {attempt}", "type": "centre_social"}
        data["territory"] = tree.grenoble.pk
        first, second = race(
            [client_for(participant), client_for(participant)], data, f"race-{attempt}"
        )
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        replayed = [r.has_header("Idempotent-Replayed") for r in (first, second)]
        assert sorted(replayed) == [False, True]
        assert Structure.objects.filter(name=f"Centre social {attempt}").count() == 1
    assert IdempotencyRecord.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_by_two_users_both_create(
    client_for: Callable[[User], APIClient], participant: User, outsider: User, tree: Tree
) -> None:
    data = {"name": "Médiathèque", "type": "mediatheque", "territory": tree.grenoble.pk}
    first, second = race([client_for(participant), client_for(outsider)], data, "same")
    assert first.status_code == second.status_code == 201
    assert Structure.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_waits_a_bounded_time_then_gets_409(
    client_for: Callable[[User], APIClient],
    participant: User,
    tree: Tree,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "IN_PROGRESS_WAIT", "200ms")
    claimed, release = threading.Event(), threading.Event()

    def hold_the_key() -> None:
        try:
            with transaction.atomic():
                services.idempotency_record_claim(
                    scope=f"user:{participant.pk}",
                    key="slow",
                    method="POST",
                    path=URL,
                    fingerprint="0" * 64,
                )
                claimed.set()
                release.wait(timeout=10)
                transaction.set_rollback(True)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_key)
    holder.start()
    try:
        assert claimed.wait(timeout=10)
        data = {"name": "Lent", "type": "ccas", "territory": tree.grenoble.pk}
        response = client_for(participant).post(
            URL, data, format="json", headers={"Idempotency-Key": "slow"}
        )
    finally:
        release.set()
        holder.join(timeout=10)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert Structure.objects.count() == 0
    # The first request rolled back: the key is free again.
    retry = client_for(participant).post(
        URL, data, format="json", headers={"Idempotency-Key": "slow"}
    )
    assert retry.status_code == 201
