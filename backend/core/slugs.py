"""Unique slugs: the first free `base`, `base-2`, `base-3`... (pure, no Django import)."""

from collections.abc import Iterable


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
