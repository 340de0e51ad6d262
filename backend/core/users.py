"""Who calls: `AnyUser` (a User or an AnonymousUser, as request.user gives it), `is_signed_in`.

Core sits below every app, so the account model is named for the type checker only
(`TYPE_CHECKING`) and looked up at run time through `get_user_model()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from backend.accounts.models import User

    AnyUser: TypeAlias = User | AnonymousUser
else:
    # At run time the alias only has to evaluate in annotations (`AnyUser | None`).
    AnyUser: TypeAlias = AbstractBaseUser | AnonymousUser


def is_signed_in(user: AnyUser | None) -> TypeIs[User]:
    """True for a signed-in account (active or not: policies check `is_active` themselves)."""
    return isinstance(user, get_user_model()) and user.is_authenticated
