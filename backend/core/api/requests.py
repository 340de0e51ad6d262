"""Small helpers every thin view uses: the signed-in caller, strict body and query parsing."""

from typing import TYPE_CHECKING, Any

from rest_framework.request import Request
from rest_framework.serializers import Serializer

from backend.core import errors
from backend.core.users import is_signed_in

if TYPE_CHECKING:
    from backend.accounts.models import User


def signed_in_user(request: Request) -> "User":
    """The signed-in caller (the view's permissions have already required one)."""
    user = request.user
    if not is_signed_in(user):
        raise errors.NotAuthenticated()
    return user


def parse_input(input_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """Validate the request body with an input serializer (400 validation_error)."""
    serializer = input_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def parse_query(input_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    """Validate the query string with an input serializer (400 validation_error).

    A plain dict, not the QueryDict: DRF reads an empty HTML-form value as "absent", so
    `?by=` would silently mean the default; here it is refused like any other bad value.
    """
    serializer = input_class(data=request.query_params.dict(), context={"query_string": True})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
