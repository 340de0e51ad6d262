"""Writes on territories."""

from uuid import uuid4

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from backend.core import errors
from backend.territories.models import KIND_RANK, Territory, TerritoryKind

PATH_SEGMENT_WIDTH = 6


def path_segment(territory_id: int) -> str:
    return f"{territory_id:0{PATH_SEGMENT_WIDTH}d}/"


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

    Two statements (insert, then set the path from the new id) in one transaction.
    """
    kind = TerritoryKind(kind)
    if parent is not None and KIND_RANK[kind] <= KIND_RANK[TerritoryKind(parent.kind)]:
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
    territory = Territory.objects.create(
        kind=kind,
        name=name,
        slug=slug or slugify(f"{name}-{insee_code}" if insee_code else name),
        insee_code=insee_code,
        parent=parent,
        path=f"pending-{uuid4().hex}",
        depth=0 if parent is None else parent.depth + 1,
    )
    territory.path = (parent.path if parent else "") + path_segment(territory.pk)
    territory.save(update_fields=["path"])
    return territory
