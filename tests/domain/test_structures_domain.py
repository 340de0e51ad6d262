"""The last-administrator rule, without a database."""

import pytest

from backend.structures.domain import leaves_no_admin


@pytest.mark.parametrize(
    ("admin_count", "current_role", "new_role", "expected"),
    [
        (1, "admin", None, True),
        (1, "admin", "member", True),
        (1, "admin", "admin", False),
        (2, "admin", None, False),
        (2, "admin", "member", False),
        (1, "member", None, False),
        (0, "member", "member", False),
    ],
)
def test_leaves_no_admin(
    admin_count: int, current_role: str, new_role: str | None, expected: bool
) -> None:
    assert (
        leaves_no_admin(admin_count=admin_count, current_role=current_role, new_role=new_role)
        is expected
    )
