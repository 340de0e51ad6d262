"""Pure rules of the territorial hierarchy, without Django."""


def is_valid_placement(*, rank: int, parent_rank: int | None) -> bool:
    """A territory sits strictly below its parent; a root may be of any kind."""
    return parent_rank is None or rank > parent_rank


def ancestor_ids_from_path(path: str) -> list[int]:
    """Ids of the ancestors, root first, read off a materialized path ("000001/000007/")."""
    return [int(part) for part in path.split("/") if part][:-1]
