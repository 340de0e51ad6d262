"""French text normalization for similarity: accents, elisions, SMS spellings, stop words, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped]

# Texts longer than this are cut before analysis: a contribution is a few paragraphs, and the
# cap keeps a pasted document from costing seconds per query.
MAX_CHARS = 20_000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_APOSTROPHES = re.compile("[\u2019\u2018\u0060\u00b4\u02bc]")
# Elided articles and pronouns: l'ordi, d'aide, qu'il, jusqu'au, c'est.
_ELISION = re.compile(r"\b(?:l|d|j|m|t|s|n|c|qu|jusqu|lorsqu|puisqu|quoiqu)'")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Cheap SMS spellings, abbreviations and frequent misspellings, after accent stripping.
# Values may be several words. Kept short and general: domain synonyms live in the thesaurus.
SMS: dict[str, str] = {
    "ordi": "ordinateur",
    "ordis": "ordinateurs",
    "ordinateur": "ordinateur",
    "qq": "quelque",
    "qqs": "quelques",
    "qqn": "quelqu un",
    "qqch": "quelque chose",
    "pr": "pour",
    "pcq": "parce que",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "tel": "telephone",
    "tels": "telephones",
    "portable": "telephone",
    "portables": "telephones",
    "smartphone": "telephone",
    "smartphones": "telephones",
    "mobile": "telephone",
    "bcp": "beaucoup",
    "tt": "tout",
    "tjr": "toujours",
    "tjrs": "toujours",
    "ds": "dans",
    "ac": "avec",
    "avc": "avec",
    "pb": "probleme",
    "pbs": "problemes",
    "pbm": "probleme",
    "rdv": "rendez vous",
    "dmd": "demande",
    "ke": "que",
    "koi": "quoi",
    "c": "c est",
    "jai": "j ai",
    "jsp": "je ne sais pas",
    "chui": "je suis",
    "mm": "meme",
    "vrmt": "vraiment",
    "slt": "salut",
    "svp": "s il vous plait",
    "stp": "s il te plait",
    "aprem": "apres midi",
    "exo": "exercice",
    "exos": "exercices",
    "appli": "application",
    "applis": "applications",
    "appi": "application",
    "recup": "recuperer",
    "dossie": "dossier",
    "papie": "papier",
    "inscrir": "inscrire",
    "gens": "gens",
    "moin": "moins",
    "tro": "trop",
    "bocoup": "beaucoup",
    "mail": "mail",
    "mails": "mail",
    "email": "mail",
    "emails": "mail",
    "e": "",
    "infos": "information",
    "info": "information",
    "admin": "administration",
    "secu": "securite sociale",
    "cv": "curriculum",
    "wifi": "wifi",
    "wi": "wifi",
    "fi": "",
}

# After "ordinateur" or "pc", "portable" is a laptop, not a phone.
_LAPTOP_HEADS = {"ordinateur", "ordinateurs", "pc", "ordi", "ordis"}

STOPWORDS_PATH = Path(__file__).with_name("stopwords_fr.txt")
STOP_WORDS: frozenset[str] = frozenset(
    line.strip()
    for line in STOPWORDS_PATH.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

_STEMMER = snowballstemmer.stemmer("french")


def strip_accents(text: str) -> str:
    """Remove diacritics and fold ligatures (é -> e, œ -> oe)."""
    if text.isascii():
        return text
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def normalize(text: str) -> str:
    """Lowercase, accent-free, elision-free text of words separated by single spaces.

    SMS spellings are expanded; stop words are kept (see :func:`content_words`).
    """
    text = _CONTROL.sub(" ", text[:MAX_CHARS])
    text = _APOSTROPHES.sub("'", strip_accents(text).lower())
    text = _ELISION.sub(" ", text)
    words = _NON_WORD.sub(" ", text).split()
    out: list[str] = []
    previous = ""
    for word in words:
        if word in ("portable", "portables") and previous in _LAPTOP_HEADS:
            previous = word
            continue
        expanded = SMS.get(word, word)
        if expanded:
            out.append(expanded)
        previous = word
    return " ".join(out)


# A text of at least this many words whose share of French function words stays under
# FRENCH_MIN_STOP_SHARE is taken as written in another language (French texts of the labelled
# sets score 0.29 and more, English ones 0.16 and less). Shorter texts are taken as French.
FOREIGN_MIN_WORDS = 6
FRENCH_MIN_STOP_SHARE = 0.2


def looks_foreign(text: str) -> bool:
    """True when a text is long enough and has too few French function words to be French.

    The lexical views (French stems) only compare texts written in French; the semantic view
    compares any two languages.
    """
    words = _NON_WORD.sub(" ", strip_accents(text[:2_000]).lower()).split()
    if len(words) < FOREIGN_MIN_WORDS:
        return False
    share = sum(1 for w in words if w in STOP_WORDS) / len(words)
    return share < FRENCH_MIN_STOP_SHARE


def content_words(normalized: str) -> list[str]:
    """Words of a normalized text without stop words, bare numbers and single letters."""
    return [w for w in normalized.split() if len(w) > 1 and w not in STOP_WORDS and not w.isdigit()]


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """Snowball French stem of an accent-free lowercase word."""
    return str(_STEMMER.stemWord(word))


def stems(text: str) -> list[str]:
    """Content-word stems of a raw text, in order."""
    return [stem(w) for w in content_words(normalize(text))]
