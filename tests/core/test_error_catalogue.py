"""Every stable error code the server can send is listed in frontend-contract/errors.md."""

import re
from pathlib import Path

from backend.core.errors import all_error_classes

CATALOGUE = Path(__file__).resolve().parents[2] / "frontend-contract" / "errors.md"


def catalogued_codes() -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", CATALOGUE.read_text(), flags=re.MULTILINE))


def test_every_error_code_is_in_the_catalogue() -> None:
    codes = {cls.code for cls in all_error_classes()}
    missing = codes - catalogued_codes()
    assert not missing, f"add these codes to frontend-contract/errors.md: {sorted(missing)}"


def test_catalogue_lists_no_code_the_server_does_not_have() -> None:
    codes = {cls.code for cls in all_error_classes()}
    top_level = set(re.findall(r"^\| `([a-z_]+)` \| \d{3} \|", CATALOGUE.read_text(), re.M))
    assert top_level <= codes, sorted(top_level - codes)
