"""territory_create: paths, hierarchy, INSEE codes, slugs."""

import pytest

from backend.core import errors
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def test_create_sets_the_materialized_path_and_depth(tree: Tree) -> None:
    assert tree.region.path == f"{tree.region.pk:06d}/"
    assert tree.villeneuve.path == (
        f"{tree.region.pk:06d}/{tree.isere.pk:06d}/{tree.metro.pk:06d}/"
        f"{tree.grenoble.pk:06d}/{tree.villeneuve.pk:06d}/"
    )
    assert tree.villeneuve.depth == 4
    tree.villeneuve.refresh_from_db()
    assert tree.villeneuve.ancestor_ids() == [
        tree.region.pk,
        tree.isere.pk,
        tree.metro.pk,
        tree.grenoble.pk,
    ]


def test_a_level_may_be_skipped(tree: Tree) -> None:
    commune = territory_create(kind=TerritoryKind.COMMUNE, name="Voiron", parent=tree.isere)
    assert commune.depth == 2


@pytest.mark.parametrize(
    ("kind", "parent_name"),
    [
        (TerritoryKind.COMMUNE, "grenoble"),
        (TerritoryKind.DEPARTEMENT, "grenoble"),
        (TerritoryKind.REGION, "region"),
    ],
)
def test_a_territory_must_be_below_its_parent(tree: Tree, kind: str, parent_name: str) -> None:
    with pytest.raises(errors.ValidationFailed) as caught:
        territory_create(kind=kind, name="Ailleurs", parent=getattr(tree, parent_name))
    assert caught.value.fields is not None
    assert caught.value.fields["parent"][0]["code"] == "invalid_hierarchy"
    assert not Territory.objects.filter(name="Ailleurs").exists()


def test_an_insee_code_is_unique_per_kind(tree: Tree) -> None:
    with pytest.raises(errors.DuplicateInseeCode):
        territory_create(kind=TerritoryKind.COMMUNE, name="Grenoble bis", insee_code="38185")


def test_the_same_insee_code_may_exist_for_another_kind(tree: Tree) -> None:
    # Region 84 (Auvergne-Rhône-Alpes) and département 84 (Vaucluse) both exist.
    vaucluse = territory_create(kind=TerritoryKind.DEPARTEMENT, name="Vaucluse", insee_code="84")
    assert vaucluse.insee_code == "84"


def test_slugs_are_deduplicated(tree: Tree) -> None:
    first = territory_create(kind=TerritoryKind.QUARTIER, name="Centre", parent=tree.grenoble)
    second = territory_create(kind=TerritoryKind.QUARTIER, name="Centre", parent=tree.lyon)
    assert (first.slug, second.slug) == ("centre", "centre-2")
    assert tree.grenoble.slug == "grenoble-38185"
    assert tree.echirolles.slug == "echirolles-38151"
