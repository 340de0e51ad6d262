"""Structure reads: filters, member counts, one structure with its members."""

from collections.abc import Iterable

import pytest
from pytest_django import DjangoAssertNumQueries

from backend.accounts.models import User
from backend.structures.models import Structure, StructureType
from backend.structures.selectors import structure_get, structure_list
from backend.structures.services import structure_create
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def others(tree: Tree, outsider: User) -> None:
    structure_create(
        creator=outsider,
        name="CCAS d'Échirolles",
        type=StructureType.CCAS,
        territory=tree.echirolles,
    )
    structure_create(
        creator=outsider,
        name="Mission locale de Lyon",
        type=StructureType.MISSION_LOCALE,
        territory=tree.lyon,
    )


def names(queryset: Iterable[Structure]) -> list[str]:
    return [structure.name for structure in queryset]


def test_list_sorts_names_ignoring_accents(structure: Structure, others: None) -> None:
    assert names(structure_list()) == [
        "CCAS d'Échirolles",
        "Emmaüs Connect Grenoble",
        "Mission locale de Lyon",
    ]


def test_list_is_one_query_with_member_counts(
    structure: Structure, others: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        counts = {
            s.name: (s.member_count, s.territory.name)  # type: ignore[attr-defined]
            for s in structure_list()
        }
    assert counts["Emmaüs Connect Grenoble"] == (2, "Grenoble")


def test_filter_within_a_territory_subtree(structure: Structure, others: None, tree: Tree) -> None:
    assert names(structure_list(within=tree.isere.pk)) == [
        "CCAS d'Échirolles",
        "Emmaüs Connect Grenoble",
    ]
    assert names(structure_list(within=tree.rhone.pk)) == ["Mission locale de Lyon"]
    assert names(structure_list(within=tree.villeneuve.pk)) == []


def test_filter_by_type_and_accent_insensitive_search(structure: Structure, others: None) -> None:
    assert names(structure_list(type=StructureType.CCAS)) == ["CCAS d'Échirolles"]
    assert names(structure_list(search="emmaus")) == ["Emmaüs Connect Grenoble"]
    assert names(structure_list(search="ECHIROLLES")) == ["CCAS d'Échirolles"]


def test_filter_by_member_keeps_full_member_counts(
    structure: Structure, others: None, member: User, outsider: User
) -> None:
    (found,) = structure_list(member=member.pk)
    assert (found.name, found.member_count) == ("Emmaüs Connect Grenoble", 2)  # type: ignore[attr-defined]
    assert len(structure_list(member=outsider.pk)) == 2


def test_get_loads_members_in_two_queries(
    structure: Structure,
    owner: User,
    member: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(2):
        found = structure_get(structure_id=structure.pk)
        people = [(m.user.display_name, m.role) for m in found.memberships.all()]
    assert found.member_count == 2  # type: ignore[attr-defined]
    assert people == [("Awa Admin", "admin"), ("Marc Membre", "member")]
