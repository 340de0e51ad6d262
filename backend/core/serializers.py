"""Serializer bases shared by every app."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it does not know, naming each one."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)
