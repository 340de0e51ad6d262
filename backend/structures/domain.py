"""Pure membership rules: a structure always keeps an administrator."""

ADMIN = "admin"


def leaves_no_admin(*, admin_count: int, current_role: str, new_role: str | None) -> bool:
    """Would changing one member from `current_role` to `new_role` (None: gone) leave no admin?"""
    losing_an_admin = current_role == ADMIN and new_role != ADMIN
    return losing_an_admin and admin_count <= 1
