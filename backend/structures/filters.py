"""Query parameters of the structure list."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from backend.core.filters import IdFilter, LazyOrderingFilter, StrictBooleanFilter
from backend.structures.models import Structure, StructureType
from backend.structures.selectors import structure_filter


class StructureOrderingFilter(LazyOrderingFilter):
    """Ordering with the id as a tie-breaker, so pages never overlap."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class StructureFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=StructureType.choices)
    within = IdFilter(help_text="Id of a territory: structures located in it or anywhere under it.")
    search = django_filters.CharFilter(help_text="Part of the name, ignoring accents and case.")
    member = IdFilter(help_text="Id of a person: the structures they belong to.")
    is_verified = StrictBooleanFilter(
        field_name="verified_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: structures checked by staff only; false: unverified ones only.",
    )
    ordering = StructureOrderingFilter(
        fields=(
            ("sort_name", "name"),
            ("created_at", "created_at"),
            ("member_count", "member_count"),
        ),
        help_text="name (the default), created_at or member_count; '-' to reverse.",
    )

    class Meta:
        model = Structure
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Structure]) -> QuerySet[Structure]:
        data = self.form.cleaned_data
        queryset = structure_filter(
            queryset,
            type=data.get("type") or "",
            within=data.get("within"),
            search=data.get("search") or "",
            member=data.get("member"),
        )
        queryset = self.filters["is_verified"].filter(queryset, data.get("is_verified"))
        ordered: QuerySet[Structure] = self.filters["ordering"].filter(
            queryset, data.get("ordering")
        )
        return ordered
