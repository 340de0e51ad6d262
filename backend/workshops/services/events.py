"""The workshop's event log: each change clients must see gets the next sequence number."""

from typing import Any

from django.db import connection

from backend.core.realtime import emit_after_commit, workshop_group
from backend.workshops.models import EventAudience, Workshop, WorkshopEvent


def emit_sequenced(
    *, workshop_id: int, event: str, data: dict[str, Any], audience: str = EventAudience.ALL
) -> int:
    """Give the next sequence number to `event`, log it, and send it after commit.

    Must run inside the transaction of the change. The UPDATE takes the workshop row's lock
    until commit, so events commit in sequence order and a gap a consumer sees is always
    readable from the log.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Workshop._meta.db_table} SET last_seq = last_seq + 1 "  # noqa: S608 (constant identifiers)
            "WHERE id = %s RETURNING last_seq",
            [workshop_id],
        )
        row = cursor.fetchone()
    seq = int(row[0])
    WorkshopEvent.objects.create(
        workshop_id=workshop_id, seq=seq, type=event, audience=audience, payload=data
    )
    emit_after_commit(
        group=workshop_group(workshop_id),
        event=event,
        data={"seq": seq, "audience": audience, "payload": data},
    )
    return seq
