"""Pseudonyms of persons in published files: one mechanism, unlinkable families.

A pseudonym is HMAC-SHA256(key, subject), where the subject names a person ("u<user id>",
"c<card id>") or a structure ("s<id>"), and the key is a random secret stored per *scope*
(`PseudonymKey`). Each family of published files has its own scope, so a pseudonym of one
family says nothing about the pseudonyms of another:

- `author_scope`: authors of contributions and comments in the open-data archive (authorship
  is public anyway: the API shows who wrote what);
- `polis_voter_scope`: voters of the Pol.is files of a consultation;
- `ballot_scope`: voters and structures of one vote's anonymized ballot file.

No ballot is linkable to an author, nor the ballots of one vote to those of another vote
through the ballot files. Keys are independent of SECRET_KEY: rotating SECRET_KEY changes no
published pseudonym. Deleting a scope's key re-keys that family at the next build (ballot
files are frozen at the close of their vote and keep their pseudonyms).
"""

import hashlib
import hmac
import secrets

from backend.core.models import PseudonymKey

HEX_LENGTH = 16  # 64 bits, as printed in ballot files
NUMBER_HEX_LENGTH = 12  # 48 bits, numeric pseudonyms of the open-data archive


def author_scope(consultation_id: int) -> str:
    return f"consultation:{consultation_id}:authors"


def polis_voter_scope(consultation_id: int) -> str:
    return f"consultation:{consultation_id}:polis-voters"


def ballot_scope(vote_id: int) -> str:
    return f"vote:{vote_id}:ballots"


def person_subject(*, user_id: int | None, card_id: int | None) -> str:
    return f"u{user_id}" if user_id is not None else f"c{card_id}"


def structure_subject(structure_id: int) -> str:
    return f"s{structure_id}"


def pseudonym_key(scope: str) -> str:
    """The scope's key, created at first use (INSERT ... ON CONFLICT DO NOTHING, so two
    concurrent first uses agree on one key)."""
    PseudonymKey.objects.bulk_create(
        [PseudonymKey(scope=scope, key=secrets.token_hex(32))], ignore_conflicts=True
    )
    return PseudonymKey.objects.values_list("key", flat=True).get(scope=scope)


def pseudonym_key_store(*, scope: str, key: str) -> None:
    """Record a key chosen elsewhere (migrating earlier per-vote salts); keeps an existing one."""
    PseudonymKey.objects.bulk_create([PseudonymKey(scope=scope, key=key)], ignore_conflicts=True)


class Pseudonymizer:
    """Pseudonyms of one scope, remembered per subject (a person writes many rows)."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self._digests: dict[str, str] = {}

    @classmethod
    def for_scope(cls, scope: str) -> "Pseudonymizer":
        return cls(pseudonym_key(scope))

    def _digest(self, subject: str) -> str:
        digest = self._digests.get(subject)
        if digest is None:
            digest = hmac.new(self._key, subject.encode(), hashlib.sha256).hexdigest()
            self._digests[subject] = digest
        return digest

    def hex(self, subject: str) -> str:
        """16 hexadecimal digits (ballot files)."""
        return self._digest(subject)[:HEX_LENGTH]

    def number(self, subject: str) -> int:
        """A 48-bit number (open-data archive, Pol.is files)."""
        return int(self._digest(subject)[:NUMBER_HEX_LENGTH], 16)
