"""Territory endpoints: public reads with filters, staff-only creation."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

URL = "/api/v1/territories/"


def names(response: Any) -> list[str]:
    return [item["name"] for item in response.json()["results"]]


def test_list_is_public_and_in_path_order(api_client: APIClient, tree: Tree) -> None:
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 8
    assert names(response)[:3] == ["Auvergne-Rhône-Alpes", "Isère", "Grenoble-Alpes Métropole"]


def test_items_carry_light_ancestors_and_no_path(api_client: APIClient, tree: Tree) -> None:
    response = api_client.get(URL, {"insee_code": "38185"})
    (grenoble,) = response.json()["results"]
    assert grenoble == {
        "id": tree.grenoble.pk,
        "kind": "commune",
        "name": "Grenoble",
        "slug": "grenoble-38185",
        "insee_code": "38185",
        "parent": tree.metro.pk,
        "depth": 3,
        "ancestors": [
            {"id": tree.region.pk, "kind": "region", "name": "Auvergne-Rhône-Alpes"},
            {"id": tree.isere.pk, "kind": "departement", "name": "Isère"},
            {"id": tree.metro.pk, "kind": "epci", "name": "Grenoble-Alpes Métropole"},
        ],
    }


def test_list_query_count_does_not_grow_with_the_page(
    api_client: APIClient, tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(12):
        territory_create(kind=TerritoryKind.QUARTIER, name=f"Quartier {n}", parent=tree.grenoble)
    # count, page, ancestors of the whole page
    for page_size in (2, 20, 100):
        with django_assert_num_queries(3):
            response = api_client.get(URL, {"kind": "quartier", "page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(page_size, 13)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "departement"}, ["Isère", "Rhône"]),
        ({"insee_code": "69123"}, ["Lyon"]),
        ({"search": "echirolles"}, ["Échirolles"]),
        ({"search": "RHÔNE"}, ["Auvergne-Rhône-Alpes", "Rhône"]),
        ({"kind": "commune", "ordering": "-name"}, ["Lyon", "Grenoble", "Échirolles"]),
        ({"within": "rhone"}, ["Rhône", "Lyon"]),
        ({"parent": "metro"}, ["Grenoble", "Échirolles"]),
        ({"within": "isere", "kind": "commune"}, ["Grenoble", "Échirolles"]),
        ({"within": 999_999}, []),
    ],
)
def test_list_filters(
    api_client: APIClient, tree: Tree, params: dict[str, Any], expected: list[str]
) -> None:
    query = {
        key: getattr(tree, value).pk
        if key in {"within", "parent"} and isinstance(value, str)
        else value
        for key, value in params.items()
    }
    response = api_client.get(URL, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_ordering_by_kind_follows_the_hierarchy(api_client: APIClient, tree: Tree) -> None:
    kinds = [item["kind"] for item in api_client.get(URL, {"ordering": "kind"}).json()["results"]]
    assert kinds == [
        "region",
        "departement",
        "departement",
        "epci",
        "commune",
        "commune",
        "commune",
        "quartier",
    ]
    deepest = api_client.get(URL, {"ordering": "-depth"}).json()["results"][0]
    assert deepest["name"] == "Villeneuve"


@pytest.mark.parametrize(
    "params",
    [
        {"ordering": "secret"},
        {"kind": "planete"},
        {"within": "abc"},
        {"parent": "1.5"},
        {"within": str(2**70)},
    ],
)
def test_invalid_query_parameters_are_a_400(
    api_client: APIClient, tree: Tree, params: dict[str, str]
) -> None:
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_detail_is_public(
    api_client: APIClient, tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        response = api_client.get(f"{URL}{tree.villeneuve.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Villeneuve"
    assert [a["name"] for a in body["ancestors"]][-1] == "Grenoble"


@pytest.mark.parametrize("territory_id", [999_999, 2**70])
def test_unknown_territory_is_a_404(api_client: APIClient, tree: Tree, territory_id: int) -> None:
    response = api_client.get(f"{URL}{territory_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_children_are_paginated_by_name(
    api_client: APIClient, tree: Tree, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    url = f"{URL}{tree.metro.pk}/children/"
    for page_size in (1, 50):
        # territory, count, page, ancestors
        with django_assert_num_queries(4):
            response = api_client.get(url, {"page_size": page_size})
        assert response.status_code == 200
    body = api_client.get(url).json()
    assert body["count"] == 2
    assert [item["name"] for item in body["results"]] == ["Échirolles", "Grenoble"]
    assert api_client.get(f"{URL}999999/children/").status_code == 404


def test_anonymous_creation_is_a_401(api_client: APIClient, tree: Tree) -> None:
    response = api_client.post(URL, {"kind": "commune", "name": "Meylan"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_creation_is_for_staff_only(
    client_for: Callable[[User], APIClient], participant: User, tree: Tree
) -> None:
    response = client_for(participant).post(
        URL, {"kind": "commune", "name": "Meylan", "parent": tree.metro.pk}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_staff_create_a_territory(
    client_for: Callable[[User], APIClient], staff: User, tree: Tree
) -> None:
    response = client_for(staff).post(
        URL, {"kind": "commune", "name": "Meylan", "parent": tree.metro.pk, "insee_code": "38229"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "meylan-38229"
    assert body["depth"] == 3
    assert [a["id"] for a in body["ancestors"]] == [tree.region.pk, tree.isere.pk, tree.metro.pk]
    created = Territory.objects.get(pk=body["id"])
    assert created.path.startswith(tree.metro.path)


def test_creation_below_a_lower_kind_is_refused(
    client_for: Callable[[User], APIClient], staff: User, tree: Tree
) -> None:
    response = client_for(staff).post(
        URL, {"kind": "departement", "name": "Drôme", "parent": tree.grenoble.pk}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"]["parent"][0]["code"] == "invalid_hierarchy"


def test_duplicate_insee_code_is_a_409(
    client_for: Callable[[User], APIClient], staff: User, tree: Tree
) -> None:
    response = client_for(staff).post(
        URL, {"kind": "commune", "name": "Grenoble", "parent": tree.metro.pk, "insee_code": "38185"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_insee_code"


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"kind": "commune", "name": "Meylan", "path": "x"}, "path", "unknown_field"),
        ({"kind": "commune", "name": "Meylan", "parent": 999_999}, "parent", "does_not_exist"),
        (
            {"kind": "commune", "name": "Meylan", "insee_code": "38 229"},
            "insee_code",
            "invalid_insee_code",
        ),
        ({"kind": "ville", "name": "Meylan"}, "kind", "invalid_choice"),
        ({"kind": "commune", "name": ""}, "name", "blank"),
    ],
)
def test_creation_input_is_validated(
    client_for: Callable[[User], APIClient],
    staff: User,
    tree: Tree,
    payload: dict[str, Any],
    field: str,
    code: str,
) -> None:
    response = client_for(staff).post(URL, payload)
    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code


def test_odd_input_never_breaks_the_server(
    client_for: Callable[[User], APIClient], api_client: APIClient, staff: User, tree: Tree
) -> None:
    client = client_for(staff)
    responses = [
        api_client.get(URL, {"search": "a\x00b"}),
        api_client.get(URL, {"insee_code": "x" * 500}),
        api_client.get(URL, {"ordering": "name,-depth"}),
        api_client.get(URL, {"page": 99}),
        client.post(URL, {"kind": "commune", "name": "X", "parent": 2**70}),
        client.post(URL, {"kind": "commune", "name": "X" * 201}),
        client.post(URL, {"kind": "commune", "name": "a\x00b"}),
        client.post(URL, [1, 2]),
    ]
    assert [r.status_code for r in responses] == [400, 200, 200, 404, 400, 400, 400, 400]
