"""Comments API routes."""

from typing import Any

urlpatterns: list[Any] = []
