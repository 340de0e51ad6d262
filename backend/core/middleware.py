"""Middlewares: the Content-Security-Policy of every response, and the inputs refused before
any view (oversized bodies, NUL characters)."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from backend.core import errors
from backend.core.exceptions import error_body

HEADER = "Content-Security-Policy"
# HTML pages (plan, live, admin, API docs): only this origin's scripts (no inline script, no
# eval), styles from this origin or inline (the plan's merit bars, Swagger UI, Redoc), images
# from this origin or data: URIs (Swagger UI's icons), Redoc's blob: workers, websockets back
# to this host.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self' {websockets}; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def content_security_policy(request: HttpRequest, content_type: str) -> str:
    if content_type.startswith("text/html"):
        try:
            host = request.get_host()
        except DisallowedHost:
            return PAGE_POLICY.format(websockets="")
        return PAGE_POLICY.format(websockets=f"ws://{host} wss://{host}")
    return OTHER_POLICY


class ContentSecurityPolicyMiddleware:
    """Sets the header unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = content_security_policy(request, response.get("Content-Type", ""))
        return response


class RequestGuardMiddleware:
    """Inputs refused before any view runs, in the API's error shape (never a 500):

    - a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 request_too_large (by Content-Length, or
      by reading a body sent without one);
    - a NUL character in the path: 404 not_found (no route has one; PostgreSQL text cannot
      hold one); in a query parameter: 400 validation_error on that parameter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = _too_large(request) or _nul_character(request)
        if refused is not None:
            return refused
        return self.get_response(request)


def _error_response(error: errors.ApplicationError) -> HttpResponse:
    return JsonResponse(error_body(error), status=error.status)


def _too_large(request: HttpRequest) -> HttpResponse | None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    too_large = errors.RequestTooLarge(details={"max_bytes": limit})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error_response(errors.BadRequest())
    if length > limit:
        return _error_response(too_large)
    if not length and request.META.get("HTTP_TRANSFER_ENCODING"):
        try:
            request.body  # noqa: B018  (Django enforces the limit while reading)
        except RequestDataTooBig:
            return _error_response(too_large)
    return None


def _nul_character(request: HttpRequest) -> HttpResponse | None:
    if "\x00" in request.path:
        return _error_response(errors.NotFound())
    names = [name for name, value in request.GET.lists() if "\x00" in name + "".join(value)]
    if names:
        return _error_response(
            errors.ValidationFailed(
                fields={
                    name.replace("\x00", "") or "query": [
                        {
                            "code": "null_characters_not_allowed",
                            "message": str(_("Null characters are not allowed.")),
                        }
                    ]
                    for name in names
                }
            )
        )
    return None
