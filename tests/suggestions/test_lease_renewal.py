"""A running worker renews its lease from a thread, whatever the computation is doing."""

import time
from datetime import datetime

import pytest
from pytest_django import Settings

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import services
from backend.suggestions.models import RunStatus, SuggestionRun
from tests.fixtures.personas import Personas

# The lease thread has its own connection: it sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lease_is_renewed_while_the_run_computes(
    people: Personas, consultation: Consultation, corpus: list[Contribution], settings: Settings
) -> None:
    settings.SUGGESTION_RUN_LEASE_SECONDS = 1
    run = SuggestionRun.objects.create(consultation=consultation, threshold=0.5)
    seen: list[tuple[datetime | None, SuggestionRun]] = []

    def slow(done: int, total: int) -> None:
        if not seen:
            claimed = SuggestionRun.objects.get(pk=run.pk)
            time.sleep(2.5)  # longer than two leases, without reporting
            reclaimed = services.suggestion_runs_reclaim()
            seen.append((claimed.lease_expires_at, SuggestionRun.objects.get(pk=run.pk)))
            assert reclaimed == {"requeued": 0, "failed": 0}

    services.suggestion_run_execute(run_id=run.pk, on_progress=slow)
    ((first_lease, later),) = seen
    assert later.status == RunStatus.RUNNING
    assert later.lease_expires_at is not None
    assert first_lease is not None
    assert later.lease_expires_at > first_lease
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_expires_at) == (RunStatus.DONE, 1, None)
