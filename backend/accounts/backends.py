"""Authentication backends: django-axes' lockout check, for sign-ins that come with a request."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out account before any password is checked. A call without a request
    (a shell, a management command, the test client's login) is not a web sign-in: no check."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is not None:
            super().authenticate(request, *args, **kwargs)
