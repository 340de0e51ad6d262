"""The committed OpenAPI document is the one the code generates, and it is valid."""

from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "openapi.yaml"


@pytest.mark.long
@pytest.mark.django_db
def test_committed_openapi_matches_the_code(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command(
        "spectacular", "--lang", "en", "--file", str(generated), "--validate", "--fail-on-warn"
    )
    assert COMMITTED.read_text() == generated.read_text(), (
        "openapi/openapi.yaml is out of date: run `make schema` and commit the result."
    )


def test_openapi_documents_the_error_shape_and_bearer_tokens() -> None:
    text = COMMITTED.read_text()
    assert "#/components/schemas/Error" in text
    assert "bearerToken" in text
