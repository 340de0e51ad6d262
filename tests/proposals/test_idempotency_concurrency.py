"""Two simultaneous contribution creations with the same Idempotency-Key create one."""

from collections.abc import Callable

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.idempotency.models import IdempotencyRecord
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of
from tests.idempotency import test_concurrency
from tests.idempotency.test_concurrency import race


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_contribution(
    client_for: Callable[[User], APIClient],
    consultation: Consultation,
    people: Personas,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        test_concurrency, "URL", f"/api/v1/consultations/{consultation.pk}/contributions/"
    )
    # tick=True: each thread sees the phase open, without freezing the lock wait.
    with time_machine.travel(middle_of(PhaseKind.DIAGNOSTIC), tick=True):
        for attempt in range(3):
            data = {"kind": "problem", "title": f"Pas de wifi {attempt}", "body": "rien"}
            first, second = race(
                [client_for(people.participant), client_for(people.participant)],
                data,
                f"race-{attempt}",
            )
            assert first.status_code == second.status_code == 201, (first.json(), second.json())
            assert first.json() == second.json()
            replayed = [r.has_header("Idempotent-Replayed") for r in (first, second)]
            assert sorted(replayed) == [False, True]
            assert Contribution.objects.filter(title=f"Pas de wifi {attempt}").count() == 1
    assert IdempotencyRecord.objects.count() == 3
