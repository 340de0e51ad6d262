"""Query parameters of the territory list."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from backend.core.filters import IdFilter, LazyOrderingFilter
from backend.territories.models import Territory, TerritoryKind
from backend.territories.selectors import territory_filter


class TerritoryOrderingFilter(LazyOrderingFilter):
    """Ordering with the id as a tie-breaker, so pages never overlap."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "pk") if value else qs


class TerritoryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TerritoryKind.choices)
    parent = IdFilter(help_text="Id of the parent territory.")
    insee_code = django_filters.CharFilter(help_text="Exact INSEE code.")
    within = IdFilter(help_text="Id of a territory: that territory and everything under it.")
    search = django_filters.CharFilter(
        help_text="Part of the name, ignoring accents and case ('echirolles' finds 'Échirolles')."
    )
    ordering = TerritoryOrderingFilter(
        fields=(("sort_name", "name"), ("kind_rank", "kind"), ("depth", "depth"), ("path", "path")),
        help_text="name, kind (region first), depth or path (the default); '-' to reverse.",
    )

    class Meta:
        model = Territory
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Territory]) -> QuerySet[Territory]:
        data = self.form.cleaned_data
        queryset = territory_filter(
            queryset,
            kind=data.get("kind") or "",
            parent_id=data.get("parent"),
            insee_code=data.get("insee_code") or "",
            within=data.get("within"),
            search=data.get("search") or "",
        )
        ordering: QuerySet[Territory] = self.filters["ordering"].filter(
            queryset, data.get("ordering")
        )
        return ordering


class TerritoryIdFilter(IdFilter):
    """A territory id for filters of other lists: the FilterSet method named by `method`
    receives the Territory, and an id no territory has matches nothing (a well-formed id is
    never a 400). Not django-filter's own `method`, which would pass the bare number."""

    def __init__(self, *args: Any, method: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory_method = method

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        territory = Territory.objects.filter(pk=value).first()
        if territory is None:
            return qs.none()
        return getattr(self.parent, self.territory_method)(qs, self.field_name, territory)
