"""Reads on territories: subtrees and ancestors in one indexed query each."""

from django.db.models import QuerySet

from backend.territories.models import Territory


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
