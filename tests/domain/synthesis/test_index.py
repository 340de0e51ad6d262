"""Incremental similarity index: add, remove, nearest, refit policy, pickling, odd corpora."""

import pickle
from collections.abc import Sequence

import numpy as np
import pytest

from backend.synthesis.domain import Doc, SimilarityIndex, build_index

CORPUS = [
    Doc(
        1, "Reconditionner les ordinateurs des entreprises", "Donner les PC réformés aux familles."
    ),
    Doc(2, "Récup des ordis des boites", "recuperer les ordis des entreprises pour les familles"),
    Doc(3, "Tarif social pour internet", "Un abonnement internet à prix réduit pour les ménages."),
    Doc(4, "internet moins cher", "la box coute trop cher pour ceux qui ont pas les moyens"),
    Doc(5, "Ateliers banque en ligne", "Apprendre à faire un virement avec l'application."),
    Doc(6, "Cafés numériques conviviaux", "Un moment détendu pour poser ses questions."),
]


@pytest.fixture
def index() -> SimilarityIndex:
    return build_index(CORPUS)


def ids(results: list[tuple[int, float]]) -> list[int]:
    return [doc_id for doc_id, _ in results]


def test_nearest_finds_the_paraphrase(index: SimilarityIndex) -> None:
    assert ids(index.nearest("ordi gratuit pr les familles", "des boites qui jettent leurs pc"))[
        0
    ] in {1, 2}
    assert ids(index.nearest_to(3, k=1)) == [4]
    assert ids(index.nearest_to(1, k=1)) == [2]


def test_scores_are_sorted_cosines(index: SimilarityIndex) -> None:
    results = index.nearest("internet moins cher", "", k=6)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 + 1e-6 for s in scores)


def test_exclude_ids_and_k(index: SimilarityIndex) -> None:
    results = index.nearest("Tarif social pour internet", "", k=2, exclude_ids={3})
    assert 3 not in ids(results)
    assert len(results) == 2
    assert index.nearest("internet", "", k=0) == []


def test_identical_text_scores_one(index: SimilarityIndex) -> None:
    doc = CORPUS[4]
    best_id, best_score = index.nearest(doc.title, doc.body, k=1)[0]
    assert best_id == doc.id
    assert best_score == pytest.approx(1.0, abs=1e-5)


def test_add_then_remove(index: SimilarityIndex) -> None:
    index.add(Doc(7, "Box internet à petit prix", "forfait solidaire pour les familles modestes"))
    assert 7 in index
    assert 7 in ids(index.nearest("tarif social internet", "", k=3))
    index.remove(7)
    assert 7 not in index
    assert 7 not in ids(index.nearest("tarif social internet", "", k=6))
    index.remove(12345)  # unknown ids are ignored
    assert len(index) == len(CORPUS)


def test_add_with_an_existing_id_replaces_the_document(index: SimilarityIndex) -> None:
    index.add(Doc(5, "Box internet à petit prix", "forfait solidaire"))
    assert len(index) == len(CORPUS)
    assert 5 in ids(index.nearest("tarif social internet", "", k=3))
    assert ids(index.nearest("virement banque application", "", k=6)).count(5) == 1


def test_small_additions_do_not_refit_but_growth_does() -> None:
    index = SimilarityIndex(refit_growth=0.5).fit(CORPUS)
    index.add(Doc(10, "Ateliers banque en ligne", "virement"))
    assert not index.is_stale
    vocabulary_before = pickle.dumps(index.backend)
    index.nearest("banque", "")
    assert pickle.dumps(index.backend) == vocabulary_before  # no refit for one addition
    for n in range(11, 15):
        index.add(Doc(n, f"nouvelle proposition {n}", "texte"))
    assert index.is_stale
    index.nearest("banque", "")
    assert not index.is_stale
    assert pickle.dumps(index.backend) != vocabulary_before


def test_words_unknown_at_fit_time_still_match_through_character_ngrams(
    index: SimilarityIndex,
) -> None:
    index.add(Doc(20, "Téléconsultation en pharmacie", "aider les patients"))
    assert ids(index.nearest("téléconsultations", "", k=1)) == [20]


def test_pickle_round_trip(index: SimilarityIndex) -> None:
    index.add(Doc(7, "Box internet à petit prix", "forfait solidaire"))
    restored = pickle.loads(pickle.dumps(index))  # noqa: S301 - our own bytes
    query = ("internet moins cher", "forfait")
    assert restored.nearest(*query, k=4) == index.nearest(*query, k=4)


def test_deterministic_across_builds_and_input_order() -> None:
    first = build_index(CORPUS).nearest("ordinateurs pour les familles", "", k=6)
    second = build_index(list(reversed(CORPUS))).nearest("ordinateurs pour les familles", "", k=6)
    assert first == second


def test_vectors_are_in_id_order_and_each_view_normalized(index: SimilarityIndex) -> None:
    doc_ids, vectors = index.vectors()
    assert doc_ids == sorted(d.id for d in CORPUS)
    lexical = np.asarray(vectors.lexical.multiply(vectors.lexical).sum(axis=1)).ravel()
    dense = np.linalg.norm(vectors.dense, axis=1)
    assert [round(float(x), 5) for x in lexical] == [1.0] * len(CORPUS)
    assert [round(float(x), 5) for x in dense] == [1.0] * len(CORPUS)
    # The score of a French text with itself is the mean of two cosines of 1.
    assert np.allclose(np.diag(vectors.gram()), 1.0, atol=1e-5)


def test_similarity_is_symmetric(index: SimilarityIndex) -> None:
    assert index.similarity(1, 2) == pytest.approx(index.similarity(2, 1))
    assert index.similarity(1, 2) > index.similarity(1, 5)


def test_empty_index() -> None:
    index = build_index([])
    assert len(index) == 0
    assert index.nearest("internet", "moins cher") == []
    index.add(Doc(1, "internet moins cher", ""))
    assert ids(index.nearest("internet", "")) == [1]


def test_one_document_index() -> None:
    index = build_index([Doc(1, "Un seul", "document")])
    assert ids(index.nearest("document", "")) == [1]
    assert index.nearest_to(1) == []


def test_empty_query_and_odd_texts(index: SimilarityIndex) -> None:
    assert index.nearest("", "") == []
    assert index.nearest("  ", "\x00\x00") == []
    long_body = "ordinateur reconditionné pour les familles " * 5_000
    assert ids(index.nearest("", long_body, k=1))[0] in {1, 2}


def test_refit_growth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SimilarityIndex(refit_growth=0)


def test_rows_added_after_the_fit_score_like_fitted_rows() -> None:
    fitted = build_index(CORPUS)
    grown = build_index(CORPUS[:-1])
    grown.add(CORPUS[-1])
    assert not grown.is_stale
    for title in ("café numérique", "ordinateurs pour les familles", "internet moins cher"):
        assert ids(grown.nearest(title, "", k=6)) == ids(fitted.nearest(title, "", k=6))


def test_stored_embeddings_are_used_as_they_are() -> None:
    class Counting:
        name = "counting"
        dimensions = 3

        def __init__(self) -> None:
            self.texts = 0

        def encode(self, texts: Sequence[str]) -> np.ndarray:
            self.texts += len(texts)
            return np.tile(np.asarray([1.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    from backend.synthesis.domain import HybridBackend

    encoder = Counting()
    stored = [
        Doc(d.id, d.title, d.body, embedding=np.asarray([0.0, 1.0, float(d.id)], np.float32))
        for d in CORPUS
    ]
    index = build_index(stored, HybridBackend(encoder=encoder))
    assert encoder.texts == 0  # nothing encoded for documents that carry their embedding
    index.nearest("internet moins cher", "")
    assert encoder.texts == 1  # the draft, once
