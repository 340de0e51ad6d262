"""Pure rules of the territorial hierarchy and of slugs, without Django."""

from collections.abc import Iterable


def is_valid_placement(*, rank: int, parent_rank: int | None) -> bool:
    """A territory sits strictly below its parent; a root may be of any kind."""
    return parent_rank is None or rank > parent_rank


def ancestor_ids_from_path(path: str) -> list[int]:
    """Ids of the ancestors, root first, read off a materialized path ("000001/000007/")."""
    return [int(part) for part in path.split("/") if part][:-1]


def free_slug(base: str, taken: Iterable[str], *, max_length: int, fallback: str) -> str:
    """`base`, or `base-2`, `base-3`... the first one not in `taken`, within `max_length`."""
    base = (base or fallback)[:max_length].strip("-") or fallback
    taken_set = set(taken)
    if base not in taken_set:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in taken_set:
            return candidate
        number += 1
