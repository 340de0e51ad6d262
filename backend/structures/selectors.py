"""Reads on structures: lists with member counts, a structure with its members."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from backend.core import errors
from backend.structures.models import Membership, Structure
from backend.territories.selectors import name_search_q, sort_name, territory_within_q


def _with_member_count(queryset: QuerySet[Structure]) -> QuerySet[Structure]:
    return queryset.select_related("territory").annotate(
        member_count=Count("memberships", distinct=True)
    )


def structure_list(
    *,
    type: str = "",
    within: int | None = None,
    search: str = "",
    member: int | None = None,
) -> QuerySet[Structure]:
    """Structures by name, with their territory and `member_count`, in one query."""
    queryset = _with_member_count(
        Structure.objects.alias(sort_name=sort_name()).order_by("sort_name", "pk")
    )
    return structure_filter(queryset, type=type, within=within, search=search, member=member)


def structure_filter(
    queryset: QuerySet[Structure],
    *,
    type: str = "",
    within: int | None = None,
    search: str = "",
    member: int | None = None,
) -> QuerySet[Structure]:
    """Narrow a structure queryset: by type, by territory subtree, by name, by member id."""
    if type:
        queryset = queryset.filter(type=type)
    if within is not None:
        queryset = queryset.filter(
            territory_within_q(territory_id=within, path_field="territory__path")
        )
    if search:
        queryset = queryset.filter(name_search_q(text=search))
    if member is not None:
        # Exists, not a join: a join on memberships would disturb member_count.
        queryset = queryset.filter(
            Exists(Membership.objects.filter(structure=OuterRef("pk"), user_id=member))
        )
    return queryset


# "admin" sorts before "member": administrators first, then by arrival.
MEMBER_ORDER = ("role", "joined_at", "pk")


def membership_list(*, structure: Structure) -> QuerySet[Membership]:
    """Members of a structure, administrators first, then by arrival."""
    return (
        Membership.objects.filter(structure=structure)
        .select_related("user")
        .order_by(*MEMBER_ORDER)
    )


def structure_get(*, structure_id: int, with_members: bool = True) -> Structure:
    """A structure with its territory, `member_count` and (two queries) its members."""
    queryset = _with_member_count(Structure.objects.filter(pk=structure_id))
    if with_members:
        queryset = queryset.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(*MEMBER_ORDER),
            )
        )
    structure = queryset.first()
    if structure is None:
        raise errors.NotFound()
    return structure


def membership_get(*, structure: Structure, user_id: int) -> Membership:
    membership = (
        Membership.objects.filter(structure=structure, user_id=user_id)
        .select_related("user", "structure")
        .first()
    )
    if membership is None:
        raise errors.NotFound()
    return membership
