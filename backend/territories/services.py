"""Writes on territories."""

from uuid import uuid4

from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.core import errors
from backend.core.slugs import free_slug
from backend.territories.domain import is_valid_placement
from backend.territories.models import KIND_RANK, Territory, TerritoryKind

PATH_SEGMENT_WIDTH = 6
SLUG_MAX_LENGTH = 200
# Room kept for a "-<n>" suffix when looking up slugs already taken.
SLUG_SUFFIX_ROOM = 12


def path_segment(territory_id: int) -> str:
    return f"{territory_id:0{PATH_SEGMENT_WIDTH}d}/"


def _free_territory_slug(base: str) -> str:
    base = slugify(base)[:SLUG_MAX_LENGTH] or "territoire"
    taken = Territory.objects.filter(
        slug__startswith=base[: SLUG_MAX_LENGTH - SLUG_SUFFIX_ROOM]
    ).values_list("slug", flat=True)
    return free_slug(base, taken, max_length=SLUG_MAX_LENGTH, fallback="territoire")


@transaction.atomic
def territory_create(
    *,
    kind: TerritoryKind | str,
    name: str,
    parent: Territory | None = None,
    insee_code: str = "",
    slug: str = "",
) -> Territory:
    """Create a territory under `parent` and set its materialized path.

    Two statements (insert, then set the path from the new id) in one transaction. The slug
    is derived from the name (and INSEE code) unless given, and made unique with a suffix.
    Raises ValidationFailed (code invalid_hierarchy on `parent`) when the kind is not below
    the parent's, DuplicateInseeCode when the kind already has this INSEE code.
    """
    kind = TerritoryKind(kind)
    parent_rank = None if parent is None else KIND_RANK[TerritoryKind(parent.kind)]
    if not is_valid_placement(rank=KIND_RANK[kind], parent_rank=parent_rank):
        raise errors.ValidationFailed(
            fields={
                "parent": [
                    {
                        "code": "invalid_hierarchy",
                        "message": _("A territory must be below its parent in the hierarchy."),
                    }
                ]
            }
        )
    if insee_code and Territory.objects.filter(kind=kind, insee_code=insee_code).exists():
        raise errors.DuplicateInseeCode(details={"insee_code": insee_code, "kind": kind.value})
    try:
        with transaction.atomic():
            territory = Territory.objects.create(
                kind=kind,
                name=name,
                slug=_free_territory_slug(slug or (f"{name}-{insee_code}" if insee_code else name)),
                insee_code=insee_code,
                parent=parent,
                path=f"pending-{uuid4().hex}",
                depth=0 if parent is None else parent.depth + 1,
            )
    except IntegrityError as exc:
        # A concurrent insert took the INSEE code or the slug between the checks and here.
        raise errors.Conflict() from exc
    territory.path = (parent.path if parent else "") + path_segment(territory.pk)
    territory.save(update_fields=["path"])
    return territory
