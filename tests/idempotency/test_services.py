"""Idempotency services: claim, expiry reuse, release and purge (also by command)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend.idempotency.models import IdempotencyRecord, RecordState
from backend.idempotency.services import (
    idempotency_record_claim,
    idempotency_record_complete,
    idempotency_record_release,
    idempotency_records_purge,
)

pytestmark = pytest.mark.django_db


def claim(
    key: str = "k", scope: str = "user:1", fingerprint: str = "f"
) -> tuple[IdempotencyRecord, bool]:
    return idempotency_record_claim(
        scope=scope, key=key, method="POST", path="/api/v1/x/", fingerprint=fingerprint
    )


def test_first_claim_is_new_and_in_progress() -> None:
    record, is_new = claim()
    assert is_new
    assert record.state == RecordState.IN_PROGRESS
    assert record.expires_at - record.created_at == timedelta(hours=24)


def test_second_claim_returns_the_stored_record() -> None:
    record, _ = claim()
    idempotency_record_complete(
        record=record, status=201, body={"id": 7}, headers={"Location": "/x/7/"}
    )
    again, is_new = claim()
    assert not is_new
    assert again.pk == record.pk
    assert (again.response_status, again.response_body) == (201, {"id": 7})
    assert again.response_headers == {"Location": "/x/7/"}


def test_an_expired_record_is_reset_as_new() -> None:
    record, _ = claim(fingerprint="old")
    idempotency_record_complete(record=record, status=201, body={"id": 1}, headers={})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    again, is_new = claim(fingerprint="new")
    assert is_new
    assert again.pk == record.pk
    assert again.state == RecordState.IN_PROGRESS
    assert again.request_fingerprint == "new"
    assert again.response_body is None


def test_release_frees_the_key() -> None:
    record, _ = claim()
    idempotency_record_release(record=record)
    assert claim()[1]


def test_purge_deletes_only_expired_records() -> None:
    claim(key="old")
    claim(key="fresh")
    IdempotencyRecord.objects.filter(key="old").update(expires_at=timezone.now())
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_purge_command() -> None:
    claim(key="old")
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(days=1))
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "1" in out.getvalue()
    assert not IdempotencyRecord.objects.exists()
