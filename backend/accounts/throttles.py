"""Rate limits on sign-in outside DRF views: the admin's login form, per client address."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from rest_framework.throttling import SimpleRateThrottle

from backend.core import errors
from backend.core.clients import client_address

AUTH_SCOPE = "auth"


class AddressRateThrottle(SimpleRateThrottle):
    """DRF's rate bookkeeping (the cache, the rates of DEFAULT_THROTTLE_RATES) keyed on the
    client address alone, usable on a plain Django request."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


def throttled_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The admin's login view with the sign-in rate limit on its POSTs (the same scope and
    rate as the API's sign-in: AUTH_THROTTLE_RATE per client address)."""

    def login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            throttle = AddressRateThrottle(AUTH_SCOPE)
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                wait = throttle.wait()
                message = escape(errors.Throttled.default_message)
                response = HttpResponse(
                    f"<!DOCTYPE html><title>{message}</title><p>{message}</p>", status=429
                )
                if wait is not None:
                    response["Retry-After"] = str(int(wait) + 1)
                return response
        return view(request, *args, **kwargs)

    return login
