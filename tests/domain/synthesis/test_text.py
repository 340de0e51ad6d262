"""French normalization: accents, elisions, SMS spellings, stop words, stems, odd input."""

import pytest

from backend.synthesis.domain.text import MAX_CHARS, content_words, normalize, stems, strip_accents
from backend.synthesis.domain.thesaurus import Thesaurus, default_thesaurus


def test_accents_and_ligatures_are_folded():
    assert strip_accents("Démarches à la CAF, cœur, Ælis") == "Demarches a la CAF, coeur, AElis"


def test_normalize_lowercases_and_drops_punctuation():
    assert (
        normalize("Aidez-moi !!! Les PAPIERS, sur Internet…")
        == "aidez moi les papiers sur internet"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("l'ordinateur", "ordinateur"),
        ("d’aide", "aide"),  # typographic apostrophe
        ("qu'il", "il"),
        ("jusqu'au guichet", "au guichet"),
        ("s'inscrire", "inscrire"),
    ],
)
def test_elisions_are_removed(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mon ordi", "mon ordinateur"),
        ("qq aide", "quelque aide"),
        ("pr les vieux", "pour les vieux"),
        ("sur mon tel", "sur mon telephone"),
        ("sur le portable", "sur le telephone"),
        ("jai pas de forfait", "j ai pas de forfait"),
        ("c trop dur", "c est trop dur"),
        ("un rdv", "un rendez vous"),
    ],
)
def test_sms_spellings_are_expanded(raw, expected):
    assert normalize(raw) == expected


def test_a_laptop_is_not_a_phone():
    assert normalize("des ordinateurs portables") == "des ordinateurs"


def test_accented_and_plain_spellings_share_stems():
    assert stems("Démarches téléphoniques des aînés") == stems("demarches telephoniques des aines")


def test_stop_words_numbers_and_single_letters_are_dropped():
    assert content_words(normalize("Il faut 2 ordinateurs pour la famille")) == [
        "ordinateurs",
        "famille",
    ]


def test_plural_and_singular_share_a_stem():
    assert stems("ordinateurs reconditionnés") == stems("ordinateur reconditionné")


def test_nul_and_control_characters_are_spaces():
    assert normalize("papiers\x00en\x07ligne\r\n") == "papiers en ligne"


def test_very_long_text_is_capped():
    text = "ordinateur " * 100_000
    assert len(normalize(text)) <= MAX_CHARS


def test_empty_and_symbol_only_texts():
    assert normalize("") == ""
    assert stems("!!! ??? 123 ...") == []


class TestThesaurus:
    def test_variants_map_to_the_same_concept(self):
        thesaurus = default_thesaurus()
        assert "demarches" in thesaurus.concepts(stems("les démarches administratives"))
        assert "france_travail" in thesaurus.concepts(stems("inscrit à Pôle emploi"))
        assert "france_travail" in thesaurus.concepts(stems("France Travail"))
        assert "senior" in thesaurus.concepts(stems("les personnes âgées"))
        assert "senior" in thesaurus.concepts(stems("nos aînés"))

    def test_longest_match_wins_and_consumes_words(self):
        thesaurus = Thesaurus.from_lines(["a\tboîte", "b\tboîte aux lettres"])
        assert thesaurus.concepts(stems("dans la boîte aux lettres")) == ["b"]
        assert thesaurus.concepts(stems("ma boîte")) == ["a"]

    def test_one_phrase_may_carry_several_concepts(self):
        thesaurus = Thesaurus.from_lines(["x\tportable", "y\tportable | pc"])
        assert thesaurus.concepts(["telephon"]) == ["x", "y"]  # portable -> telephone

    def test_malformed_line_is_rejected(self):
        with pytest.raises(ValueError, match="Malformed"):
            Thesaurus.from_lines(["concept-without-variants"])

    def test_packaged_thesaurus_is_general_vocabulary(self):
        concepts = {c for group in default_thesaurus().entries.values() for c in group}
        # The themes and institutions of DOMAIN.md, not phrases of a labelled file.
        assert {"emploi", "mobilite", "sante", "logement", "caf", "france_travail"} <= concepts
        assert len(concepts) >= 30
