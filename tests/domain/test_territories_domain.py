"""Hierarchy placement, paths and slugs, without a database."""

import pytest

from backend.core.slugs import free_slug
from backend.territories.domain import ancestor_ids_from_path, is_valid_placement


@pytest.mark.parametrize(
    ("rank", "parent_rank", "expected"),
    [(1, 0, True), (3, 1, True), (1, 1, False), (0, 3, False), (0, None, True), (4, None, True)],
)
def test_a_territory_sits_strictly_below_its_parent(
    rank: int, parent_rank: int | None, expected: bool
) -> None:
    assert is_valid_placement(rank=rank, parent_rank=parent_rank) is expected


def test_ancestor_ids_are_read_off_the_path_root_first() -> None:
    assert ancestor_ids_from_path("000001/000007/000042/") == [1, 7]
    assert ancestor_ids_from_path("000001/") == []


def test_free_slug_keeps_the_base_when_free() -> None:
    assert free_slug("centre", [], max_length=200, fallback="x") == "centre"


def test_free_slug_adds_the_first_free_suffix() -> None:
    taken = ["centre", "centre-2", "centre-4"]
    assert free_slug("centre", taken, max_length=200, fallback="x") == "centre-3"


def test_free_slug_stays_within_the_maximum_length() -> None:
    slug = free_slug("a" * 10, ["a" * 10], max_length=10, fallback="x")
    assert slug == "a" * 8 + "-2"
    assert len(slug) == 10


def test_free_slug_falls_back_when_the_base_is_empty() -> None:
    assert free_slug("", ["territoire"], max_length=200, fallback="territoire") == "territoire-2"
