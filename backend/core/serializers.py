"""Serializer bases shared by every app."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.core.text import has_unsafe_characters


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it does not know, naming each one."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            # DRF's CharField turns a number into text; the document says string, so a
            # number is refused like any other wrong type.
            not_text = sorted(
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField)
                and isinstance(data.get(name), int | float)
            )
            if not_text:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail(str(_("Not a valid string.")), code="invalid")
                        ]
                        for name in not_text
                    }
                )
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


class SafeDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with a calendar overflow while applying the time zone (a naive
    0001-01-01T00:00 in Paris) reported as a field error instead of an exception."""

    def to_internal_value(self, value: Any) -> datetime:
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")


class ScheduleDateTimeField(SafeDateTimeField):
    """A date something is planned at: between the years 2000 and 2100 (a year 1206 would
    come back with Paris's local mean time offset, which RFC 3339 cannot write)."""

    default_error_messages = {
        "out_of_range": _("Give a date between the years 2000 and 2100."),
    }

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        if not 2000 <= parsed.year <= 2100:
            self.fail("out_of_range")
        return parsed


class NameField(serializers.CharField):
    """A person's, structure's or card's name: one line (no tab nor line break), no control
    character nor bidirectional override (backend.core.text)."""

    default_error_messages = {
        "invalid_characters": _(
            "Control characters, line breaks and bidirectional overrides are not allowed in a name."
        ),
    }

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if has_unsafe_characters(value, single_line=True):
            self.fail("invalid_characters")
        return value
