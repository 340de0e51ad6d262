"""Pure rules of the accounts app: e-mail and token-name normalization, token format."""

from backend.accounts.domain import TOKEN_NAME_MAX_LENGTH, email_normalize, token_name_normalize
from backend.accounts.tokens import TOKEN_PREFIX, token_digest, token_generate


def test_email_is_trimmed_and_lower_cased() -> None:
    assert email_normalize("  Camille.Martin@Exemple.FR ") == "camille.martin@exemple.fr"


def test_token_name_collapses_spaces_and_is_capped() -> None:
    assert token_name_normalize("  Fairphone   de   Camille ") == "Fairphone de Camille"
    assert len(token_name_normalize("x" * 500)) == TOKEN_NAME_MAX_LENGTH


def test_generated_token_carries_its_prefix_and_only_its_digest_is_kept() -> None:
    new = token_generate()
    assert new.raw.startswith(TOKEN_PREFIX)
    assert new.raw[len(TOKEN_PREFIX) :].startswith(new.prefix)
    assert new.digest == token_digest(new.raw)
    assert new.raw not in new.digest
    assert token_generate().raw != new.raw
