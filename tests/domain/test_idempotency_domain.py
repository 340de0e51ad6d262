"""Idempotency keys without a database: validation, fingerprints, scopes."""

import pytest

from backend.idempotency import domain


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("550e8400-e29b-41d4-a716-446655440000", True),
        (" ~!", True),
        ("x" * 255, True),
        ("", False),
        ("x" * 256, False),
        ("é", False),
        ("a\nb", False),
        ("\x7f", False),
    ],
)
def test_key_validation(key: str, valid: bool) -> None:
    assert domain.is_valid_key(key) is valid


def test_fingerprint_ignores_key_order_and_spacing() -> None:
    assert domain.request_fingerprint({"a": 1, "b": [1, 2]}) == domain.request_fingerprint(
        {"b": [1, 2], "a": 1}
    )
    assert domain.request_fingerprint({"a": 1}) != domain.request_fingerprint({"a": 2})
    assert len(domain.request_fingerprint(None)) == 64


def test_scopes() -> None:
    assert domain.user_scope(12) == "user:12"
    scope = domain.anonymous_scope("card-token-secret")
    assert scope.startswith("anon:")
    assert "card-token-secret" not in scope
    assert len(scope) <= 100
