"""OPTIONS answers: what the view is, without introspecting serializers (OpenAPI says more)."""

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class ViewMetadata(SimpleMetadata):
    """DRF's metadata without the `actions` section: building it instantiates the view's
    serializer, which views that parse their input themselves do not declare (a 500)."""

    def determine_metadata(self, request: Request, view: Any) -> dict[str, Any]:
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        return {}
