"""Territory reads: subtrees and ancestors in one query, filters, accent-insensitive search."""

from collections.abc import Iterable

import pytest
from pytest_django import DjangoAssertNumQueries

from backend.territories.models import Territory, TerritoryKind
from backend.territories.selectors import (
    territory_ancestor_map,
    territory_ancestors,
    territory_list,
    territory_subtree,
)
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def names(queryset: Iterable[Territory]) -> list[str]:
    return [territory.name for territory in queryset]


def test_subtree_is_one_query(
    tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        subtree = names(territory_subtree(territory=tree.metro))
    assert subtree == ["Grenoble-Alpes Métropole", "Grenoble", "Villeneuve", "Échirolles"]


def test_subtree_without_self(tree: Tree) -> None:
    assert names(territory_subtree(territory=tree.rhone, include_self=False)) == ["Lyon"]


def test_ancestors_root_first_in_one_query(
    tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        ancestors = names(territory_ancestors(territory=tree.villeneuve))
    assert ancestors == ["Auvergne-Rhône-Alpes", "Isère", "Grenoble-Alpes Métropole", "Grenoble"]


def test_ancestor_map_loads_a_whole_page_in_one_query(
    tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    page = [tree.villeneuve, tree.lyon, tree.echirolles]
    with django_assert_num_queries(1):
        ancestors = territory_ancestor_map(territories=page)
    assert names(ancestors[tree.lyon.pk]) == ["Auvergne-Rhône-Alpes", "Rhône"]
    assert len(ancestors[tree.villeneuve.pk]) == 4


def test_ancestor_map_of_roots_needs_no_query(
    tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        assert territory_ancestor_map(territories=[tree.region]) == {tree.region.pk: []}


def test_within_is_one_query_over_the_subtree(
    tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        within = names(territory_list(within=tree.isere.pk))
    assert within == [
        "Isère",
        "Grenoble-Alpes Métropole",
        "Grenoble",
        "Villeneuve",
        "Échirolles",
    ]


def test_within_an_unknown_territory_is_empty(tree: Tree) -> None:
    assert names(territory_list(within=999_999)) == []


@pytest.mark.parametrize("text", ["echirolles", "ÉCHIROLLES", "Échi", "chiRoll"])
def test_search_ignores_accents_and_case(tree: Tree, text: str) -> None:
    assert names(territory_list(search=text)) == ["Échirolles"]


def test_search_with_an_accent_finds_names_without(tree: Tree) -> None:
    assert names(territory_list(search="grénoble")) == ["Grenoble-Alpes Métropole", "Grenoble"]


def test_search_treats_like_wildcards_literally(tree: Tree) -> None:
    assert names(territory_list(search="%")) == []
    assert names(territory_list(search="_")) == []


def test_filters_combine(tree: Tree) -> None:
    assert names(territory_list(kind=TerritoryKind.COMMUNE, within=tree.region.pk)) == [
        "Grenoble",
        "Échirolles",
        "Lyon",
    ]
    assert names(territory_list(parent_id=tree.metro.pk)) == ["Grenoble", "Échirolles"]
    assert names(territory_list(insee_code="69123")) == ["Lyon"]
