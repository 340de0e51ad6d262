"""Reads on territories: subtrees and ancestors in one indexed query each."""

from collections.abc import Iterable

from django.db.models import Case, F, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Upper

from backend.core import errors
from backend.core.lookups import Unaccented
from backend.territories.models import KIND_RANK, Territory


def territory_subtree(*, territory: Territory, include_self: bool = True) -> QuerySet[Territory]:
    """The territory and everything under it (path prefix match on an indexed column)."""
    queryset = Territory.objects.filter(path__startswith=territory.path)
    if not include_self:
        queryset = queryset.exclude(pk=territory.pk)
    return queryset


def territory_ancestors(*, territory: Territory, include_self: bool = False) -> QuerySet[Territory]:
    """The ancestors of a territory, root first, read off its path."""
    ids = territory.ancestor_ids()
    if include_self:
        ids.append(territory.pk)
    return Territory.objects.filter(pk__in=ids).order_by("depth")


def territory_within_q(*, territory_id: int, path_field: str = "path") -> Q:
    """Condition "at or under territory `territory_id`" on `path_field`, for any model.

    The anchor's path is read by a subquery, so filtering stays one query; an unknown id
    matches nothing.
    """
    anchor_path = Territory.objects.filter(pk=territory_id).values("path")[:1]
    return Q(**{f"{path_field}__startswith": Subquery(anchor_path)})


def sort_name(field: str = "name") -> Upper:
    """Sort key for names that puts "Échirolles" among the E whatever the database collation."""
    return Upper(Unaccented(F(field)))


def name_search_q(*, text: str, field: str = "name") -> Q:
    """Accent- and case-insensitive substring match ("echirolles" finds "Échirolles")."""
    return Q(**{f"{field}__unaccented__icontains": text})


def territory_list(
    *,
    kind: str = "",
    parent_id: int | None = None,
    insee_code: str = "",
    within: int | None = None,
    search: str = "",
) -> QuerySet[Territory]:
    """Territories in path order; `kind_rank` and `sort_name` are available for ordering."""
    queryset = Territory.objects.alias(
        kind_rank=Case(
            *(When(kind=kind_value, then=Value(rank)) for kind_value, rank in KIND_RANK.items()),
            output_field=IntegerField(),
        ),
        sort_name=sort_name(),
    ).order_by("path")
    return territory_filter(
        queryset,
        kind=kind,
        parent_id=parent_id,
        insee_code=insee_code,
        within=within,
        search=search,
    )


def territory_filter(
    queryset: QuerySet[Territory],
    *,
    kind: str = "",
    parent_id: int | None = None,
    insee_code: str = "",
    within: int | None = None,
    search: str = "",
) -> QuerySet[Territory]:
    """Narrow a territory queryset; empty or None arguments do not filter."""
    if kind:
        queryset = queryset.filter(kind=kind)
    if parent_id is not None:
        queryset = queryset.filter(parent_id=parent_id)
    if insee_code:
        queryset = queryset.filter(insee_code=insee_code)
    if within is not None:
        queryset = queryset.filter(territory_within_q(territory_id=within))
    if search:
        queryset = queryset.filter(name_search_q(text=search))
    return queryset


def territory_get(*, territory_id: int) -> Territory:
    territory = Territory.objects.filter(pk=territory_id).first()
    if territory is None:
        raise errors.NotFound()
    return territory


def territory_children(*, territory: Territory) -> QuerySet[Territory]:
    return Territory.objects.filter(parent=territory).order_by(sort_name(), "pk")


def territory_ancestor_map(*, territories: Iterable[Territory]) -> dict[int, list[Territory]]:
    """Ancestors (root first, only id, kind and name loaded) of each territory, in one query.

    No query at all when every territory is a root.
    """
    territories = list(territories)
    wanted = {ancestor_id for t in territories for ancestor_id in t.ancestor_ids()}
    loaded = (
        {t.pk: t for t in Territory.objects.filter(pk__in=wanted).only("id", "kind", "name")}
        if wanted
        else {}
    )
    return {t.pk: [loaded[i] for i in t.ancestor_ids() if i in loaded] for t in territories}


def territory_in_bulk(*, ids: Iterable[int]) -> dict[int, Territory]:
    """The territories with these ids, by id (one query; unknown ids are absent)."""
    return Territory.objects.in_bulk(list(ids))
