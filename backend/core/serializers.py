"""Serializer bases shared by every app."""

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.core.text import has_unsafe_characters


def json_type_mismatch(field: serializers.Field[Any, Any, Any, Any], value: Any) -> bool:
    """Whether a JSON value has another type than the one the OpenAPI document gives the field.

    DRF coerces: a number becomes text, "3" or true a number, 1 or "yes" a boolean, "7" an id.
    A client that sends the wrong type has a bug the document's strict validators would catch;
    the API refuses it the same way instead of guessing."""
    if value is None:
        return False  # allow_null is DRF's to judge
    if isinstance(field, serializers.BooleanField):
        return not isinstance(value, bool)
    if isinstance(field, serializers.IntegerField | serializers.FloatField):
        return isinstance(value, bool | str)
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return isinstance(value, str)
    if isinstance(field, serializers.CharField):
        return isinstance(value, int | float)  # booleans too
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return any(json_type_mismatch(field.child, item) for item in value)
    if isinstance(field, serializers.ManyRelatedField) and isinstance(value, list):
        return any(json_type_mismatch(field.child_relation, item) for item in value)
    return False


class StrictInputSerializer(serializers.Serializer[Any]):
    """An input serializer that rejects fields it does not know, naming each one, and values of
    another JSON type than the document's (see json_type_mismatch). Serializers reading a query
    string (all text) get `{"query_string": True}` in their context: only unknown fields count."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            if not self.context.get("query_string"):
                wrong = {
                    name: field
                    for name, field in self.fields.items()
                    if not field.read_only
                    and name in data
                    and json_type_mismatch(field, data[name])
                }
                if wrong:
                    raise serializers.ValidationError(
                        {name: [_wrong_type(field)] for name, field in sorted(wrong.items())}
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


def _wrong_type(field: serializers.Field[Any, Any, Any, Any]) -> serializers.ErrorDetail:
    """DRF's own `invalid` message (and its translations) for the JSON type the field expects:
    a list's items' type, an integer for a related id."""
    if isinstance(field, serializers.ListField):
        field = field.child
    elif isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        field = serializers.IntegerField()
    # The base class, not the field's own: an EmailField given 12 is "not a valid string".
    kind = next(k for k in _JSON_TYPED_FIELDS if isinstance(field, k))
    return serializers.ErrorDetail(str(kind.default_error_messages["invalid"]), code="invalid")


_JSON_TYPED_FIELDS: tuple[type[serializers.Field[Any, Any, Any, Any]], ...] = (
    serializers.BooleanField,
    serializers.FloatField,
    serializers.IntegerField,
    serializers.CharField,
)


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
