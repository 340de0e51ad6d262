"""django-filter pieces shared by every app."""

from typing import Any

import django_filters
from django import forms
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters
from rest_framework.request import Request

from backend.core import errors


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A database id: a positive integer that fits a bigint, never a decimal."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true or false (also 1 or 0, any case); absent or empty means no filter. Anything else
    is a 400 `invalid`, never silently "no filter" as django-filter's BooleanWidget does."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in {"true", "1"}:
            return True
        if text in {"false", "0"}:
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean query parameter that refuses what is not a boolean (see StrictBooleanField)."""

    field_class = StrictBooleanField


def _descending(fmt: str, label: str) -> str:
    return fmt % label


_lazy_descending = lazy(_descending, str)


class LazyOrderingFilter(django_filters.OrderingFilter):
    """An ordering filter whose "(descending)" labels stay lazy: django-filter formats them
    when the FilterSet class is defined, in whatever language is active at import time, so the
    OpenAPI document (always English) and forms would otherwise depend on import order."""

    def build_choices(self, fields: Any, labels: Any) -> list[tuple[str, Any]]:
        ascending = [
            (param, labels.get(field, _(pretty_name(param)))) for field, param in fields.items()
        ]
        descending = [
            (f"-{param}", labels.get(f"-{param}", _lazy_descending(self.descending_fmt, label)))
            for param, label in ascending
        ]
        return [choice for pair in zip(ascending, descending, strict=True) for choice in pair]


class StrictOrderingFilter(filters.OrderingFilter):
    """DRF's `?ordering=`, refusing a field it does not offer (400 naming `ordering`) instead
    of silently falling back to the default order; its values are an enum in OpenAPI."""

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> Any:
        if not getattr(view, "ordering_fields", None):
            # A view that names no ordering field offers no choice of order (DRF would offer
            # every field of its serializer): its own order stands, and `ordering` is not in
            # its OpenAPI parameters.
            return self.get_default_ordering(view)
        params = request.query_params.get(self.ordering_param)
        if params:
            valid = {
                item[0] for item in self.get_valid_fields(queryset, view, {"request": request})
            }
            terms = [term.strip() for term in params.split(",")]
            wrong = [term for term in terms if term.lstrip("-") not in valid]
            if wrong or not all(terms):
                raise errors.ValidationFailed(
                    fields={
                        self.ordering_param: [
                            {
                                "code": "invalid_choice",
                                "message": str(
                                    _("Unknown ordering: %(terms)s.")
                                    % {"terms": ", ".join(wrong) or params}
                                ),
                            }
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if not getattr(view, "ordering_fields", None):
            return []
        parameters = super().get_schema_operation_parameters(view)
        # DRF reads only `ordering_fields` here; it needs no queryset.
        fields = [name for name, _label in self.get_valid_fields(None, view, {})]  # type: ignore[arg-type]
        choices = [value for name in fields for value in (name, f"-{name}")]
        for parameter in parameters:
            if parameter["name"] == self.ordering_param and choices:
                # Empty: the default order.
                parameter["schema"] = {"type": "string", "enum": [*choices, ""]}
        return parameters
