"""API permissions of the accounts app."""

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class CsrfProtected(BasePermission):
    """Anyone, with a valid CSRF token: session sign-in flows are protected from login CSRF.

    DRF checks CSRF only for requests already signed in by session; signing in and
    registering are anonymous, so the check is made here, as Django's LoginView does.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        SessionAuthentication().enforce_csrf(request)
        return True
