"""django-filter pieces shared by every app."""

from typing import Any

import django_filters
from django import forms
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A database id: a positive integer that fits a bigint, never a decimal."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


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
