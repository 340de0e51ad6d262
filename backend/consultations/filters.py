"""Query filters of the consultation list."""

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import (
    Consultation,
    ConsultationStatus,
    Phase,
    PhaseKind,
    Theme,
)
from backend.core.filters import IdFilter
from backend.territories.filters import TerritoryIdFilter
from backend.territories.models import Territory
from backend.territories.selectors import territory_subtree


class ConsultationFilter(django_filters.FilterSet):
    territory = IdFilter(field_name="territory_id", label=_("Territory id (exact match)"))
    territory_within = TerritoryIdFilter(
        method="filter_territory_within",
        label=_("Consultations on this territory or on any territory inside it"),
    )
    territory_covering = TerritoryIdFilter(
        method="filter_territory_covering",
        label=_("Consultations on this territory or on any of its ancestors"),
    )
    status = django_filters.ChoiceFilter(choices=ConsultationStatus.choices)
    theme = django_filters.ChoiceFilter(
        choices=Theme.choices, method="filter_theme", label=_("Theme")
    )
    open_phase = django_filters.ChoiceFilter(
        choices=PhaseKind.choices,
        method="filter_open_phase",
        label=_("Kind of the phase open now"),
    )
    search = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Words of the title")
    )

    class Meta:
        model = Consultation
        fields: list[str] = []

    def filter_territory_within(
        self, queryset: QuerySet[Consultation], name: str, value: Territory | None
    ) -> QuerySet[Consultation]:
        if value is None:
            return queryset
        return queryset.filter(territory__in=territory_subtree(territory=value))

    def filter_territory_covering(
        self, queryset: QuerySet[Consultation], name: str, value: Territory | None
    ) -> QuerySet[Consultation]:
        if value is None:
            return queryset
        return queryset.filter(territory_id__in=[*value.ancestor_ids(), value.pk])

    def filter_theme(
        self, queryset: QuerySet[Consultation], name: str, value: str
    ) -> QuerySet[Consultation]:
        return queryset.filter(themes__contains=[value]) if value else queryset

    def filter_open_phase(
        self, queryset: QuerySet[Consultation], name: str, value: str
    ) -> QuerySet[Consultation]:
        if not value:
            return queryset
        now = timezone.now()
        open_now = Phase.objects.filter(
            consultation=OuterRef("pk"), kind=value, starts_at__lte=now, ends_at__gt=now
        )
        return queryset.filter(Exists(open_now))
