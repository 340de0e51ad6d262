"""Concurrent publications on real connections: consecutive numbers, never a duplicate."""

import threading

import pytest
from django.db import connection

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.plans.models import PlanVersion
from backend.plans.services import plan_publish
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_publications_get_consecutive_numbers(
    consultation: Consultation, people: Personas
) -> None:
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def publish(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            plan_publish(
                by=people.organizer, consultation=consultation, note=f"n{index}", force=True
            )
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    with in_phase(PhaseKind.RESTITUTION):
        threads = [threading.Thread(target=publish, args=(index,)) for index in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not failures, failures
    numbers = sorted(
        PlanVersion.objects.filter(consultation=consultation).values_list("number", flat=True)
    )
    assert numbers == list(range(1, THREADS + 1))
