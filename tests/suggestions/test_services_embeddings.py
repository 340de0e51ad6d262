"""Embeddings: computed once per contribution version at write time, stored, reused."""

from collections.abc import Callable
from io import StringIO
from typing import Any

import numpy as np
import pytest
import time_machine
from django.core.management import call_command

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution
from backend.proposals.services import contribution_edit
from backend.suggestions import embeddings
from backend.suggestions.indexes import index_cache
from backend.suggestions.models import ContributionEmbedding
from backend.synthesis.domain import default_encoder, encoder_input, vector_from_bytes
from tests.fixtures.personas import Personas
from tests.fixtures.phases import middle_of
from tests.suggestions.conftest import PARAPHRASE

pytestmark = pytest.mark.django_db


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the process's encoder is asked to encode, in order."""
    texts: list[str] = []
    encoder = default_encoder()
    real = encoder.encode

    def counting(batch: Any) -> np.ndarray:
        texts.extend(batch)
        return real(batch)

    monkeypatch.setattr(encoder, "encode", counting)
    return texts


def stored(contribution: Contribution) -> ContributionEmbedding:
    return ContributionEmbedding.objects.get(contribution=contribution)


def test_publishing_stores_the_embedding_of_the_text(
    publish: Callable[..., Contribution], encoded: list[str]
) -> None:
    contribution = publish("Wifi gratuit dans les parcs", "Des bornes dans les jardins.")
    row = stored(contribution)
    assert encoded == [encoder_input(contribution.title, contribution.body)]
    assert row.encoder == default_encoder().name
    assert row.digest == embeddings.embedding_digest(contribution.title, contribution.body)
    vector = vector_from_bytes(row.vector, 512)
    assert vector is not None
    expected = default_encoder().encode([encoder_input(contribution.title, contribution.body)])
    assert np.allclose(vector, expected[0])


def test_a_draft_is_not_encoded_until_published(
    publish: Callable[..., Contribution], encoded: list[str]
) -> None:
    draft = publish("Brouillon", "Pas encore public.", draft=True)
    assert encoded == []
    assert not ContributionEmbedding.objects.filter(contribution=draft).exists()


def test_a_new_version_of_the_text_is_encoded_once_other_edits_never(
    publish: Callable[..., Contribution], people: Personas, encoded: list[str]
) -> None:
    contribution = publish("Wifi gratuit dans les parcs", "Des bornes dans les jardins.")
    first = stored(contribution).digest
    with time_machine.travel(middle_of(PhaseKind.PROPOSALS), tick=False):
        contribution_edit(by=people.participant, contribution=contribution, estimated_cost_eur=500)
        assert stored(contribution).digest == first
        assert len(encoded) == 1  # the cost changed, not the text
        contribution_edit(
            by=people.participant, contribution=contribution, body="Et dans les squares."
        )
    assert stored(contribution).digest != first
    assert len(encoded) == 2


def test_a_lookup_encodes_the_draft_only(
    api_client: Any,
    consultation: Consultation,
    corpus: list[Contribution],
    encoded: list[str],
) -> None:
    encoded.clear()
    index_cache().clear()  # a cold build: the stored vectors are read, not recomputed
    response = api_client.post(
        f"/api/v1/consultations/{consultation.pk}/similar-contributions/",
        {"title": PARAPHRASE[0], "body": PARAPHRASE[1]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == corpus[0].pk
    assert encoded == [encoder_input(*PARAPHRASE)]


def test_missing_embeddings_are_filled_once_by_the_command(
    corpus: list[Contribution], encoded: list[str]
) -> None:
    ContributionEmbedding.objects.filter(contribution=corpus[0]).delete()
    encoded.clear()
    out = StringIO()
    call_command("embed_contributions", stdout=out)
    assert encoded == [encoder_input(corpus[0].title, corpus[0].body)]
    assert stored(corpus[0]).digest == embeddings.embedding_digest(corpus[0].title, corpus[0].body)
    call_command("embed_contributions", stdout=out)
    assert len(encoded) == 1
