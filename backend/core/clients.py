"""The client address used by throttles and lockouts: REMOTE_ADDR, never a request header.

Behind a reverse proxy, the ASGI server sets REMOTE_ADDR from X-Forwarded-For only when the
connection comes from an address it was told to trust (uvicorn `--forwarded-allow-ips`, see
the README), so a client cannot choose the address it is counted under.
"""

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")
