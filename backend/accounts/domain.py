"""Pure rules on accounts: how e-mail addresses and token names are normalized."""

TOKEN_NAME_MAX_LENGTH = 100


def email_normalize(raw: str) -> str:
    """The form an e-mail address is stored and looked up in: trimmed and lower-case.

    Addresses are compared case-insensitively everywhere (the database has a unique index
    on lower(email)), so storing them lower-case keeps exact lookups correct.
    """
    return raw.strip().lower()


def token_name_normalize(raw: str) -> str:
    """A token name as shown in the list of devices: single spaces, trimmed, capped."""
    return " ".join(raw.split())[:TOKEN_NAME_MAX_LENGTH]
