"""Hooks of django-axes (per-account lockout after repeated wrong passwords)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

from backend.accounts.domain import email_normalize
from backend.core import errors
from backend.core.exceptions import error_body


def attempted_email(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str:
    """The account an attempt is counted against: the normalized e-mail address, whether it
    came from the API (`email`) or the admin's login form (`username`)."""
    raw: Any = None
    if credentials:
        raw = credentials.get("email") or credentials.get("username")
    if raw is None:
        raw = request.POST.get("username") or request.POST.get("email")
    return email_normalize(str(raw)) if raw else ""


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def account_locked() -> errors.AccountLocked:
    return errors.AccountLocked(details={"retry_after_seconds": lockout_seconds()})


def lockout_response(request: HttpRequest, *args: Any) -> HttpResponse:
    """The answer to a sign-in refused because the account is locked: the API's error shape
    under /api/, a short page elsewhere (the admin's login form)."""
    error = account_locked()
    retry = str(lockout_seconds())
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body(error), status=error.status)
    else:
        response = HttpResponse(
            f"<!DOCTYPE html><title>{escape(error.message)}</title><p>{escape(error.message)}</p>",
            status=error.status,
        )
    response["Retry-After"] = retry
    return response
