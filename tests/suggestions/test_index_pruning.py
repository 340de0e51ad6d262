"""Pruning the similarity change log never leaves an index silently stale."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.suggestions.indexes import IndexCache, build_entry, save_snapshot
from backend.suggestions.models import IndexChange
from backend.suggestions.services import index_changes_prune
from tests.suggestions.conftest import PARAPHRASE

pytestmark = pytest.mark.django_db

LATER = timezone.now() + timedelta(days=1)
ABOUT_FORMS = (
    "Aide pour remplir ses dossiers en ligne",
    "Un guichet où quelqu'un aide à remplir ses dossiers administratifs sur internet.",
)


def found(cache: IndexCache, consultation: Consultation) -> set[int]:
    hits = cache.similar(
        consultation_id=consultation.pk, title=PARAPHRASE[0], body=PARAPHRASE[1], k=20, min_score=0
    )
    return {hit.id for hit in hits}


def test_changes_newer_than_the_snapshot_are_kept_and_replayed(
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    cache = IndexCache(capacity=1)
    assert found(cache, consultation) == {c.pk for c in corpus}  # snapshot at this version
    added = publish(*ABOUT_FORMS)
    assert index_changes_prune(before=LATER) == len(corpus)
    assert IndexChange.objects.filter(consultation=consultation).count() == 1
    assert added.pk in found(cache, consultation)
    assert added.pk in found(IndexCache(capacity=1), consultation)  # a new process too


def test_an_index_older_than_the_pruned_log_is_rebuilt(
    consultation: Consultation,
    corpus: list[Contribution],
    publish: Callable[..., Contribution],
) -> None:
    old = IndexCache(capacity=1)
    found(old, consultation)
    missed = [publish(*ABOUT_FORMS), publish("Wifi au centre social", "Un accès libre.")]
    save_snapshot(build_entry(consultation.pk))  # another process, later
    index_changes_prune(before=LATER)  # the changes `old` has not read yet are gone
    latest = publish("Un écrivain public numérique", "Remplir les dossiers en ligne ensemble.")
    assert found(old, consultation) >= {c.pk for c in [*missed, latest]}
