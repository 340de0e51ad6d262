"""The reference page of a live workshop, `/live/<code>/`: plain HTML and vanilla JavaScript
speaking only the documented protocol (frontend-contract/live/). Not part of the API: plain
Django views, absent from the OpenAPI document.

The page itself holds no state: it asks `GET /api/v1/workshops/join/<code>/` and opens the
websocket; an unknown code is answered by the page ("no open workshop"), like a closed one.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.workshops.devices import (
    DEVICE_COOKIE,
    device_digest,
    device_token_new,
    set_device_cookie,
)

VIEWS = ("participant", "presenter")


def _clean_code(code: str) -> str:
    return "".join(code.split()).upper()[:12]


@require_GET
def live_home(request: HttpRequest) -> HttpResponse:
    """A form to type the join code; `?code=` sends to the workshop's page."""
    code = _clean_code(request.GET.get("code", ""))
    if code.isalnum():
        return HttpResponseRedirect(f"/live/{code}/")
    return render(request, "workshops/live.html", {"code": "", "view": "home"})


@require_GET
def live_page(request: HttpRequest, code: str, presenter: bool = False) -> HttpResponse:
    """The participant view, or the presenter view (`?view=presenter` or `.../presenter/`)."""
    view = "presenter" if presenter or request.GET.get("view") == "presenter" else "participant"
    response = render(request, "workshops/live.html", {"code": _clean_code(code), "view": view})
    if device_digest(request.COOKIES.get(DEVICE_COOKIE)) is None:
        # This browser's device id: one participant card per device (devices.py).
        set_device_cookie(response, device_token_new())
    return response
