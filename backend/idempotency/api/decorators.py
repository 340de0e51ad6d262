"""`@idempotent` for create views, and the OpenAPI pieces that document it.

Semantics (after Stripe and draft-ietf-httpapi-idempotency-key-header):

- The key is read from the `Idempotency-Key` header: 1 to 255 printable ASCII characters,
  otherwise 400 `validation_error` with the field code `invalid_idempotency_key`. Without the
  header the view runs as usual.
- Keys are scoped per caller: `user:<id>` when signed in; for an anonymous caller the view may
  define `idempotency_scope(request) -> str | None` (e.g. a participant card token, stored
  hashed); anonymous without a scope: the header is ignored.
- The record is claimed, the view runs and its outcome is stored in ONE transaction, so a
  concurrent duplicate waits for the first request (up to `IN_PROGRESS_WAIT`, then 409
  `idempotency_request_in_progress`) and then replays its response: one creation, ever.
- Only 2xx responses are stored and replayed (same status, body and Location, plus the header
  `Idempotent-Replayed: true`), for 24 hours. Errors are not stored: a raised error rolls back
  the view's writes together with the record, and a non-2xx response releases the key, so
  nothing was created and the client may retry with the same key and corrected data.
- The same key with another method, path or body (canonical JSON) is 422
  `idempotency_key_reused`. An expired record counts as absent.
"""

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core import errors
from backend.idempotency import domain, services
from backend.idempotency.models import IdempotencyRecord, RecordState

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("Location",)

IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A client-generated unique key (e.g. a UUID, 1 to 255 printable ASCII characters). "
        "Retrying the request with the same key and body within 24 hours replays the first "
        "successful response instead of creating again; the same key with another body is "
        "refused (422 idempotency_key_reused)."
    ),
)
IDEMPOTENT_REPLAYED_HEADER = OpenApiParameter(
    name=REPLAYED_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=True,
    description="`true` when the response is the replay of an earlier request with this key.",
)
IDEMPOTENCY_PARAMETERS = [IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER]
IDEMPOTENCY_RESPONSES = {
    422: OpenApiResponse(
        response={"$ref": "#/components/schemas/Error"},
        description="The Idempotency-Key was used for another request (idempotency_key_reused)",
    ),
}

View = TypeVar("View", bound=APIView)
Params = ParamSpec("Params")
ViewMethod = Callable[Concatenate[View, Request, Params], Response]


def request_scope(view: APIView, request: Request) -> str | None:
    user = request.user
    if user is not None and user.is_authenticated and user.pk is not None:
        return domain.user_scope(int(user.pk))
    scope_of: Callable[[Request], str | None] | None = getattr(view, "idempotency_scope", None)
    credential = scope_of(request) if scope_of is not None else None
    return domain.anonymous_scope(credential) if credential else None


def parse_key(raw: str) -> str:
    if not domain.is_valid_key(raw):
        message = _("Send 1 to 255 printable ASCII characters, for example a UUID.")
        raise errors.ValidationFailed(
            fields={HEADER: [{"code": "invalid_idempotency_key", "message": str(message)}]}
        )
    return raw


def replay(record: IdempotencyRecord) -> Response:
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.response_status, headers=headers)


def idempotent(view_method: ViewMethod[View, Params]) -> ViewMethod[View, Params]:
    """Make a DRF view's post() replay its first successful response for a repeated key."""

    @functools.wraps(view_method)
    def wrapper(
        view: View, request: Request, /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Response:
        raw_key = request.headers.get(HEADER)
        scope = request_scope(view, request) if raw_key is not None else None
        if raw_key is None or scope is None:
            return view_method(view, request, *args, **kwargs)
        key = parse_key(raw_key)
        method, path = request.method or "POST", request.path
        fingerprint = domain.request_fingerprint(request.data)
        with transaction.atomic():
            record, is_new = services.idempotency_record_claim(
                scope=scope, key=key, method=method, path=path, fingerprint=fingerprint
            )
            if not is_new:
                if (record.method, record.path, record.request_fingerprint) != (
                    method,
                    path,
                    fingerprint,
                ):
                    raise errors.IdempotencyKeyReused()
                if record.state != RecordState.COMPLETED:
                    raise errors.IdempotencyInProgress()
                return replay(record)
            response = view_method(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300 and hasattr(response, "data"):
                services.idempotency_record_complete(
                    record=record,
                    status=response.status_code,
                    body=response.data,
                    headers={
                        name: response[name] for name in STORED_HEADERS if response.has_header(name)
                    },
                )
            else:
                services.idempotency_record_release(record=record)
        return response

    return wrapper
