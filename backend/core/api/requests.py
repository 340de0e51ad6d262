"""Small helpers every thin view uses: the signed-in caller and strict body parsing."""

from typing import Any

from rest_framework.request import Request
from rest_framework.serializers import Serializer

from backend.accounts.models import User
from backend.core import errors


def signed_in_user(request: Request) -> User:
    """The signed-in caller (the view's permissions have already required one)."""
    user = request.user
    if not isinstance(user, User):
        raise errors.NotAuthenticated()
    return user


def parse_input(input_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """Validate the request body with an input serializer (400 validation_error)."""
    serializer = input_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
