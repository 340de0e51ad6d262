"""API permissions of the accounts app."""

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from backend.core import errors


def enforce_csrf(request: Request) -> None:
    """Django's CSRF check, failing with the stable `csrf_failed` code."""
    try:
        SessionAuthentication().enforce_csrf(request)
    except exceptions.PermissionDenied as error:
        raise errors.CsrfFailed() from error


class CsrfProtected(BasePermission):
    """Anyone, with a valid CSRF token: session sign-in flows are protected from login CSRF.

    DRF checks CSRF only for requests already signed in by session; signing in and
    registering are anonymous, so the check is made here, as Django's LoginView does.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the view does not offer: 405 follows, CSRF is moot
        enforce_csrf(request)
        return True


class CsrfProtectedWhenOpeningSession(BasePermission):
    """CSRF is checked only when the request will open a session (`"session": true`, the
    default). Login CSRF (a hostile page signing the browser into an attacker's account)
    needs a session cookie to be set; a registration that opens none cannot plant one, so
    token clients (mobile apps, scripts) register without a CSRF token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the view does not offer: 405 follows, CSRF is moot
        data = request.data
        opens_session = not (isinstance(data, dict) and data.get("session") is False)
        if opens_session:
            enforce_csrf(request)
        return True
