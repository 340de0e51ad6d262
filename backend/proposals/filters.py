"""Query filters of the contribution list."""

from typing import Any

import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import Exists, F, Func, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Theme
from backend.core.filters import StrictBooleanFilter
from backend.proposals.models import (
    Contribution,
    ContributionKind,
    ContributionStatus,
    Origin,
)
from backend.structures.models import StructureType
from backend.territories.filters import TerritoryIdFilter
from backend.territories.models import Territory
from backend.territories.selectors import territory_within_q

SEED_MAX_LENGTH = 64
QUERY_MAX_LENGTH = 200


class ContributionOrdering(django_filters.ChoiceFilter):
    """Applied by the selector after filtering, since `random` needs the seed."""

    def filter(self, qs: Any, value: Any) -> Any:
        return qs


class ContributionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices)
    theme = django_filters.ChoiceFilter(choices=Theme.choices)
    territory_within = TerritoryIdFilter(
        method="filter_territory_within",
        label=_("Contributions on this territory or on any territory inside it"),
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (ContributionStatus.PUBLISHED.value, ContributionStatus.PUBLISHED.label),
            (ContributionStatus.WITHDRAWN.value, ContributionStatus.WITHDRAWN.label),
            (ContributionStatus.DRAFT.value, ContributionStatus.DRAFT.label),
        ],
        label=_("Status (published by default; draft lists only your own drafts)"),
    )
    origin = django_filters.ChoiceFilter(choices=Origin.choices)
    structure_type = django_filters.ChoiceFilter(
        field_name="structure__type",
        choices=StructureType.choices,
        label=_("Type of the structure the contribution speaks for"),
    )
    has_problem = StrictBooleanFilter(
        method="filter_has_problem", label=_("Proposals answering at least one problem")
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=QUERY_MAX_LENGTH,
        label=_("French full-text search in title and body, accents optional"),
    )
    ordering = ContributionOrdering(
        choices=[
            ("recent", _("Most recent")),
            ("endorsed", _("Most endorsed")),
            ("commented", _("Most commented")),
            ("random", _("Random, stable per seed")),
        ],
        label=_("Order: recent (default), endorsed, commented or random (with seed)"),
    )
    seed = django_filters.CharFilter(
        method="filter_nothing",
        max_length=SEED_MAX_LENGTH,
        label=_("Seed of the random order: the same seed gives the same order"),
    )

    class Meta:
        model = Contribution
        fields: list[str] = []

    def filter_territory_within(
        self, queryset: QuerySet[Contribution], name: str, value: Territory | None
    ) -> QuerySet[Contribution]:
        if value is None:
            return queryset
        return queryset.filter(
            territory_within_q(territory_id=value.pk, path_field="territory__path")
        )

    def filter_has_problem(
        self, queryset: QuerySet[Contribution], name: str, value: bool | None
    ) -> QuerySet[Contribution]:
        if value is None:
            return queryset
        answers = Contribution.answers.through.objects.filter(from_contribution=OuterRef("pk"))
        if value:
            return queryset.filter(kind=ContributionKind.PROPOSAL).filter(Exists(answers))
        return queryset.filter(kind=ContributionKind.PROPOSAL).exclude(Exists(answers))

    def filter_q(
        self, queryset: QuerySet[Contribution], name: str, value: str
    ) -> QuerySet[Contribution]:
        if not value.strip():
            return queryset
        query = SearchQuery(
            Func(Value(value), function="npt_unaccent", output_field=TextField()),
            config="french",
            search_type="websearch",
        )
        return queryset.filter(search_document=query)

    def filter_nothing(
        self, queryset: QuerySet[Contribution], name: str, value: str
    ) -> QuerySet[Contribution]:
        return queryset


def random_key(seed: str) -> MD5:
    """md5(id || seed): a stable shuffle per seed that favours no early post."""
    return MD5(Concat(Cast(F("id"), TextField()), Value(seed), output_field=TextField()))
