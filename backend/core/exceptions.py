"""One exception handler that renders every API error in the same shape."""

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response

from backend.core import errors

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"
# What a client is told to wait when the database cannot be reached (Retry-After): the pool
# reconnects in the background within a few seconds of the database's return.
DATABASE_RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or dropped the connection (a restart, a failover, a
    pool with no free connection within DATABASE_POOL_TIMEOUT): psycopg's OperationalError and
    InterfaceError, and psycopg_pool's PoolTimeout, as Django wraps them. Not a bug of the
    request: answered 503, never 500."""
    return isinstance(exc, OperationalError | InterfaceError)


def service_unavailable() -> errors.ServiceUnavailable:
    return errors.ServiceUnavailable(details={"retry_after_seconds": DATABASE_RETRY_AFTER_SECONDS})


def flatten_field_errors(detail: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """Turn DRF's nested error details into {"a.0.b": [{"code", "message"}]}."""
    flat: dict[str, list[dict[str, str]]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for sub_path, items in flatten_field_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(items)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, drf.ErrorDetail):
                flat.setdefault(prefix or NON_FIELD, []).append(
                    {"code": str(value.code), "message": str(value)}
                )
            else:
                path = f"{prefix}.{index}" if prefix else str(index)
                for sub_path, items in flatten_field_errors(value, path).items():
                    flat.setdefault(sub_path, []).extend(items)
    elif isinstance(detail, drf.ErrorDetail):
        flat.setdefault(prefix or NON_FIELD, []).append(
            {"code": str(detail.code), "message": str(detail)}
        )
    return flat


def django_field_errors(exc: DjangoValidationError) -> dict[str, list[dict[str, str]]]:
    """Field errors from a Django ValidationError (model or service level)."""
    flat: dict[str, list[dict[str, str]]] = {}
    if hasattr(exc, "error_dict"):
        for field, error_list in exc.error_dict.items():
            key = NON_FIELD if field == "__all__" else field
            for error in error_list:
                flat.setdefault(key, []).append(
                    {"code": error.code or "invalid", "message": " ".join(error.messages)}
                )
    else:
        for error in exc.error_list:
            flat.setdefault(NON_FIELD, []).append(
                {"code": error.code or "invalid", "message": " ".join(error.messages)}
            )
    return flat


def to_application_error(exc: Exception) -> errors.ApplicationError | None:
    """Map framework exceptions onto the application's error hierarchy."""
    result: errors.ApplicationError | None
    if isinstance(exc, errors.ApplicationError):
        result = exc
    elif isinstance(exc, drf.ValidationError):
        result = errors.ValidationFailed(fields=flatten_field_errors(exc.detail))
    elif isinstance(exc, DjangoValidationError):
        result = errors.ValidationFailed(fields=django_field_errors(exc))
    elif isinstance(exc, drf.ParseError):
        result = errors.ParseError()
    elif isinstance(exc, drf.NotAuthenticated):
        result = errors.NotAuthenticated()
    elif isinstance(exc, drf.AuthenticationFailed):
        result = errors.AuthenticationFailed()
    elif isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        result = errors.PermissionDenied()
    elif isinstance(exc, drf.NotFound | Http404):
        result = errors.NotFound()
    elif isinstance(exc, drf.MethodNotAllowed):
        result = errors.MethodNotAllowed()
    elif isinstance(exc, drf.NotAcceptable):
        result = errors.NotAcceptable()
    elif isinstance(exc, drf.UnsupportedMediaType):
        result = errors.UnsupportedMediaType()
    elif isinstance(exc, RequestDataTooBig):
        result = errors.RequestTooLarge(details={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    elif isinstance(exc, DataError):
        # A value PostgreSQL cannot hold (an id past the bigint range, a NUL character): the
        # request is at fault, not the server.
        logger.warning("Database refused a value from the request: %s", exc)
        result = errors.BadRequest(_("A value of the request is out of range or not valid."))
    elif database_unavailable(exc):
        logger.warning("Database unavailable: %s", exc)
        result = service_unavailable()
    elif isinstance(exc, drf.Throttled):
        raw_wait = getattr(exc, "wait", None)
        wait = int(raw_wait) if raw_wait is not None else None
        result = errors.Throttled(details={"retry_after_seconds": wait})
    else:
        result = None
    return result


def error_body(error: errors.ApplicationError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "message": str(error.message),
    }
    if error.fields:
        body["fields"] = error.fields
    if error.details:
        body["details"] = error.details
    return body


def handle_exception(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the single place where errors get their shape."""
    error = to_application_error(exc)
    if error is None:
        logger.exception("Unhandled error in %s", context.get("view"))
        error = errors.ServerError()
    headers: dict[str, str] = {}
    if isinstance(error, errors.NotAuthenticated | errors.AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if isinstance(error, errors.Throttled | errors.ServiceUnavailable) and error.details:
        retry = error.details.get("retry_after_seconds")
        if retry is not None:
            headers["Retry-After"] = str(retry)
    return Response(error_body(error), status=error.status, headers=headers)


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler404 for URLs outside any API view."""
    return JsonResponse(error_body(errors.NotFound()), status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    """handler500: even an unexpected failure keeps the error shape. A database that cannot
    be reached outside a DRF view (a middleware reading the session or the lockout records)
    is a 503 as in the views."""
    if database_unavailable(sys.exc_info()[1]):
        error = service_unavailable()
        response = JsonResponse(error_body(error), status=error.status)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return JsonResponse(error_body(errors.ServerError()), status=500)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(errors.BadRequest()), status=400)


def json_permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> JsonResponse:
    return JsonResponse(error_body(errors.PermissionDenied()), status=403)
