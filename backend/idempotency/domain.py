"""Pure helpers for idempotency keys: validation, fingerprints, scopes."""

import hashlib
import json
from typing import Any

KEY_MAX_LENGTH = 255


def is_valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters (space to tilde), as the IETF draft allows."""
    return 0 < len(key) <= KEY_MAX_LENGTH and all(" " <= char <= "~" for char in key)


def canonical_json(data: Any) -> str:
    """One text per JSON value whatever the key order or spacing the client used."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_fingerprint(data: Any) -> str:
    return sha256_hex(canonical_json(data))


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


def anonymous_scope(credential: str) -> str:
    """Anonymous callers are scoped by a hash of what identifies them (never stored as is)."""
    return f"anon:{sha256_hex(credential)}"
