"""Territory admin: reads in French, creation sets the path, the path is never editable."""

import pytest
from django.test import Client

from backend.territories.models import Territory
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/territories/territory/add/"


def test_changelist_filters_by_kind_and_searches_insee_codes(
    admin_client: Client, tree: Tree
) -> None:
    response = admin_client.get("/admin/territories/territory/", {"q": "38185"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Grenoble" in html
    assert "Lyon" not in html
    assert "Territoires" in html
    by_kind = admin_client.get("/admin/territories/territory/", {"kind__exact": "departement"})
    assert "Isère" in by_kind.content.decode()


def test_creation_through_the_admin_sets_the_path(admin_client: Client, tree: Tree) -> None:
    form = admin_client.get(ADD_URL).content.decode()
    assert 'name="path"' not in form
    response = admin_client.post(
        ADD_URL,
        {
            "kind": "commune",
            "name": "Saint-Martin-d'Hères",
            "slug": "saint-martin-d-heres",
            "insee_code": "38421",
            "parent": tree.metro.pk,
            "_save": "Enregistrer",
        },
    )
    assert response.status_code == 302
    created = Territory.objects.get(insee_code="38421")
    assert created.path == f"{tree.metro.path}{created.pk:06d}/"
    assert created.depth == 3


def test_the_admin_refuses_a_wrong_placement_and_duplicate_codes(
    admin_client: Client, tree: Tree
) -> None:
    wrong_place = admin_client.post(
        ADD_URL,
        {"kind": "region", "name": "Nulle part", "slug": "nulle-part", "parent": tree.lyon.pk},
    )
    assert wrong_place.status_code == 200
    duplicate = admin_client.post(
        ADD_URL,
        {"kind": "commune", "name": "Grenoble 2", "slug": "grenoble-2", "insee_code": "38185"},
    )
    assert duplicate.status_code == 200
    assert not Territory.objects.filter(slug__in=["nulle-part", "grenoble-2"]).exists()


def test_kind_and_parent_are_read_only_on_change(admin_client: Client, tree: Tree) -> None:
    url = f"/admin/territories/territory/{tree.grenoble.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert 'name="parent"' not in html
    assert 'name="kind"' not in html
    response = admin_client.post(
        url, {"name": "Grenoble", "slug": "grenoble", "insee_code": "38185", "_save": "1"}
    )
    assert response.status_code == 302
    tree.grenoble.refresh_from_db()
    assert (tree.grenoble.slug, tree.grenoble.parent_id) == ("grenoble", tree.metro.pk)
