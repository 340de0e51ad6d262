"""Personal access token format: generation and hashing (no Django import)."""

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "npt_"  # noqa: S105  (a public marker, not a secret)


@dataclass(frozen=True)
class NewToken:
    raw: str
    prefix: str
    digest: str


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_generate() -> NewToken:
    """A new random token; `raw` is shown once to its owner, only `digest` is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(
        raw=raw, prefix=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8], digest=token_digest(raw)
    )
