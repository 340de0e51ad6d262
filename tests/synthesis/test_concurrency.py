"""Two organizers merging the same contribution at once, on real connections: one wins."""

import threading

import pytest
from django.db import connection

from backend.core import errors
from backend.synthesis.models import ClusterMember, MergeLogEntry
from backend.synthesis.services import contributions_merge, merge_undo
from tests.fixtures.personas import Personas
from tests.synthesis.conftest import Field

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_synthesis")]

THREADS = 6


def _race(target: object, count: int) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(target(index))  # type: ignore[operator]
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures


def test_concurrent_merges_of_one_contribution_leave_it_in_one_cluster(
    field: Field, people: Personas
) -> None:
    shared = field.problems[0]
    others = [*field.problems[1:], *field.proposals]
    by = [people.organizer, people.facilitator]

    def merge(index: int) -> object:
        return contributions_merge(
            by=by[index % 2],
            consultation=field.consultation,
            contribution_ids=[shared.pk, others[index % len(others)].pk],
            reason=f"Fusion {index}",
        )

    results, failures = _race(merge, THREADS)
    assert len(results) == 1
    assert len(failures) == THREADS - 1
    assert all(isinstance(f, errors.AlreadyMerged) for f in failures), failures
    assert ClusterMember.objects.filter(contribution=shared, removed_at__isnull=True).count() == 1
    assert MergeLogEntry.objects.count() == 1


def test_concurrent_undos_split_once(field: Field, people: Personas) -> None:
    entry = contributions_merge(
        by=people.organizer,
        consultation=field.consultation,
        contribution_ids=[p.pk for p in field.problems],
        reason="Même constat",
    )

    def undo(index: int) -> object:
        return merge_undo(by=people.organizer, merge_entry=entry, reason=f"Annulation {index}")

    results, failures = _race(undo, THREADS)
    assert len(results) == 1
    assert all(isinstance(f, errors.MergeAlreadyUndone) for f in failures), failures
    assert MergeLogEntry.objects.filter(kind="split").count() == 1
    assert not ClusterMember.objects.filter(removed_at__isnull=True).exists()
