"""Similarity snapshots are unpickled only when their HMAC verifies; others are rebuilt."""

import pickle

import pytest
from pytest_django import Settings

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions import indexes
from backend.suggestions.indexes import IndexCache, load_snapshot, snapshot_signature
from backend.suggestions.models import IndexSnapshot

pytestmark = pytest.mark.django_db

EXECUTED: list[str] = []


def _record(what: str) -> list[str]:
    EXECUTED.append(what)
    return EXECUTED


class Payload:
    """What an attacker who can write the table would store: unpickling it runs `_record`."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return _record, ("code ran while unpickling",)


@pytest.fixture(autouse=True)
def nothing_executed() -> None:
    EXECUTED.clear()


def _snapshot_of(consultation: Consultation) -> IndexSnapshot:
    IndexCache(capacity=1).entry(consultation.pk)
    return IndexSnapshot.objects.get(consultation=consultation)


def test_a_saved_snapshot_verifies_and_loads(
    consultation: Consultation, corpus: list[Contribution]
) -> None:
    snapshot = _snapshot_of(consultation)
    assert len(bytes(snapshot.signature)) == 32
    entry = load_snapshot(consultation.pk)
    assert entry is not None
    assert sorted(entry.meta) == sorted(c.pk for c in corpus)


def test_a_tampered_snapshot_is_never_unpickled_and_is_rebuilt(
    consultation: Consultation, corpus: list[Contribution], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = _snapshot_of(consultation)
    # Hostile bytes under the genuine row's signature: the pickle would run code.
    IndexSnapshot.objects.filter(pk=snapshot.pk).update(
        data=pickle.dumps((Payload(), {}), protocol=pickle.HIGHEST_PROTOCOL)
    )
    assert load_snapshot(consultation.pk) is None
    assert EXECUTED == []

    builds: list[int] = []
    build_entry = indexes.build_entry

    def counted_build(consultation_id: int) -> indexes.Entry:
        builds.append(consultation_id)
        return build_entry(consultation_id)

    monkeypatch.setattr(indexes, "build_entry", counted_build)
    entry = IndexCache(capacity=1).entry(consultation.pk)
    assert builds == [consultation.pk]
    assert EXECUTED == []
    assert sorted(entry.meta) == sorted(c.pk for c in corpus)
    # The rebuilt index replaced the row, signed: the next process loads it.
    reloaded = load_snapshot(consultation.pk)
    assert reloaded is not None
    assert sorted(reloaded.meta) == sorted(c.pk for c in corpus)


def test_a_snapshot_signed_with_another_key_is_refused(
    consultation: Consultation, corpus: list[Contribution], settings: Settings
) -> None:
    snapshot = _snapshot_of(consultation)
    data = pickle.dumps((Payload(), {}), protocol=pickle.HIGHEST_PROTOCOL)
    ours = settings.SECRET_KEY
    settings.SECRET_KEY = "an-attacker-guess-of-the-secret-key-0123456789abcdef"
    forged = snapshot_signature(
        consultation_id=consultation.pk,
        version=snapshot.version,
        engine=snapshot.engine,
        data=data,
    )
    settings.SECRET_KEY = ours
    IndexSnapshot.objects.filter(pk=snapshot.pk).update(data=data, signature=forged)
    assert load_snapshot(consultation.pk) is None
    assert EXECUTED == []


def test_a_genuine_snapshot_moved_to_another_version_is_refused(
    consultation: Consultation, corpus: list[Contribution]
) -> None:
    snapshot = _snapshot_of(consultation)
    IndexSnapshot.objects.filter(pk=snapshot.pk).update(version=snapshot.version + 1)
    assert load_snapshot(consultation.pk) is None


def test_a_snapshot_from_before_signatures_is_refused(
    consultation: Consultation, corpus: list[Contribution]
) -> None:
    snapshot = _snapshot_of(consultation)
    IndexSnapshot.objects.filter(pk=snapshot.pk).update(signature=b"")
    assert load_snapshot(consultation.pk) is None
