"""Writes on idempotency records: claim a key, store the outcome, release, purge."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from backend.core import errors
from backend.idempotency.models import IdempotencyRecord, RecordState

# How long a stored response is replayed; the lead may move this to settings.
TTL_HOURS = 24
# How long a duplicate waits for the first request with the same key before answering 409.
IN_PROGRESS_WAIT = "10s"
CLAIM_ATTEMPTS = 3


def _insert_or_lock(
    *, scope: str, key: str, method: str, path: str, fingerprint: str, now: Any
) -> tuple[IdempotencyRecord | None, bool]:
    """Insert the record or lock the existing row; (None, False) when it vanished meanwhile."""
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scope, key, method, path, request_fingerprint, state, "  # noqa: S608
            "response_headers, created_at, expires_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, '{}'::jsonb, %s, %s) "
            "ON CONFLICT (scope, key) DO NOTHING RETURNING id",
            [
                scope,
                key,
                method,
                path,
                fingerprint,
                RecordState.IN_PROGRESS,
                now,
                now + timedelta(hours=TTL_HOURS),
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        return IdempotencyRecord.objects.get(pk=row[0]), True
    record = IdempotencyRecord.objects.select_for_update().filter(scope=scope, key=key).first()
    return record, False


@transaction.atomic
def idempotency_record_claim(
    *, scope: str, key: str, method: str, path: str, fingerprint: str
) -> tuple[IdempotencyRecord, bool]:
    """Insert the record for (scope, key) as in progress, or lock and return the existing one.

    Returns (record, is_new). Call it inside the transaction that also runs the view and
    stores the outcome: a concurrent request with the same key then blocks on the unique
    index (INSERT ... ON CONFLICT DO NOTHING) until that transaction ends, and afterwards sees
    the completed record (commit) or inserts its own (rollback, nothing was created).
    Locks: the unique-index entry / row of (scope, key), waited for at most IN_PROGRESS_WAIT,
    after which IdempotencyInProgress (409) is raised. An expired record is reused as new.
    Side effect: the caller's other expired records are deleted.
    """
    now = timezone.now()
    IdempotencyRecord.objects.filter(scope=scope, expires_at__lte=now).exclude(key=key).delete()
    for _attempt in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # SET LOCAL inside the savepoint: undone if the wait times out.
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [IN_PROGRESS_WAIT])
                record, is_new = _insert_or_lock(
                    scope=scope, key=key, method=method, path=path, fingerprint=fingerprint, now=now
                )
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
        except OperationalError as exc:
            if isinstance(exc.__cause__, pg_errors.LockNotAvailable):
                raise errors.IdempotencyInProgress() from exc
            raise
        if record is None:
            continue
        if not is_new and record.expires_at <= now:
            record.method, record.path, record.request_fingerprint = method, path, fingerprint
            record.state = RecordState.IN_PROGRESS
            record.response_status, record.response_body, record.response_headers = None, None, {}
            record.created_at, record.expires_at = now, now + timedelta(hours=TTL_HOURS)
            record.save()
            is_new = True
        return record, is_new
    raise errors.Conflict()


@transaction.atomic
def idempotency_record_complete(
    *, record: IdempotencyRecord, status: int, body: Any, headers: Mapping[str, str]
) -> IdempotencyRecord:
    """Store the response to replay; no lock beyond the row the claim already holds."""
    record.state = RecordState.COMPLETED
    record.response_status = status
    record.response_body = body
    record.response_headers = dict(headers)
    record.save(update_fields=["state", "response_status", "response_body", "response_headers"])
    return record


@transaction.atomic
def idempotency_record_release(*, record: IdempotencyRecord) -> None:
    """Forget a key whose request did not succeed, so that the client may retry with it."""
    record.delete()


@transaction.atomic
def idempotency_records_purge() -> int:
    """Delete every expired record; returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
