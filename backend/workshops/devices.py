"""The signed device id of a phone in a workshop room: one card per device.

A device id is random and signed with the SECRET_KEY (Django's signing), so a client cannot
make one up; it reaches the server as a long-lived cookie (browsers: set by the live page and
by `GET /api/v1/workshops/join/{code}/`) or as `device_token` in the websocket `join` (apps).
Only its SHA-256 is stored, on the participant it speaks for.
"""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing

DEVICE_COOKIE = "npt_workshop_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
DEVICE_TOKEN_MAX_LENGTH = 200
_SALT = "backend.workshops.device"


def device_token_new() -> str:
    """A fresh signed device token."""
    return signing.Signer(salt=_SALT).sign(secrets.token_urlsafe(18))


def device_digest(token: Any) -> str | None:
    """The stored form of a device token's id, or None if the token is not one we signed."""
    if not isinstance(token, str) or not token or len(token) > DEVICE_TOKEN_MAX_LENGTH:
        return None
    try:
        device_id = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return hashlib.sha256(device_id.encode()).hexdigest()


def set_device_cookie(response: Any, token: str) -> None:
    """Give the browser its device token (HttpOnly: only the server reads it)."""
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
