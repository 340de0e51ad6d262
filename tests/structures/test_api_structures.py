"""Structure endpoints: public reads without e-mails, writes by signed-in people and admins."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.structures.models import Membership, Structure
from backend.structures.services import membership_add, structure_create
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

URL = "/api/v1/structures/"
Clients = Callable[[User], APIClient]


def members_url(structure: Structure, user: User | None = None) -> str:
    base = f"{URL}{structure.pk}/members/"
    return base if user is None else f"{base}{user.pk}/"


def test_list_is_public_with_member_counts(api_client: APIClient, structure: Structure) -> None:
    response = api_client.get(URL)
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["name"] == "Emmaüs Connect Grenoble"
    assert item["member_count"] == 2
    assert item["territory"]["name"] == "Grenoble"
    assert "members" not in item


def test_list_query_count_does_not_grow_with_the_page(
    api_client: APIClient,
    tree: Tree,
    outsider: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(12):
        structure_create(
            creator=outsider, name=f"Centre social {n}", type="centre_social", territory=tree.lyon
        )
    for page_size in (2, 20, 100):
        # count, page
        with django_assert_num_queries(2):
            response = api_client.get(URL, {"page_size": page_size, "within": tree.rhone.pk})
        assert len(response.json()["results"]) == min(page_size, 12)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "association"}, ["Emmaüs Connect Grenoble"]),
        ({"type": "ccas"}, []),
        ({"search": "EMMAUS"}, ["Emmaüs Connect Grenoble"]),
        ({"within": "isere"}, ["Emmaüs Connect Grenoble"]),
        ({"within": "rhone"}, ["Médiathèque de Lyon"]),
        ({"ordering": "-name"}, ["Médiathèque de Lyon", "Emmaüs Connect Grenoble"]),
        ({"ordering": "-member_count"}, ["Emmaüs Connect Grenoble", "Médiathèque de Lyon"]),
    ],
)
def test_list_filters(
    api_client: APIClient,
    structure: Structure,
    tree: Tree,
    outsider: User,
    params: dict[str, str],
    expected: list[str],
) -> None:
    structure_create(
        creator=outsider, name="Médiathèque de Lyon", type="mediatheque", territory=tree.lyon
    )
    query = {k: getattr(tree, v).pk if k == "within" else v for k, v in params.items()}
    response = api_client.get(URL, query)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == expected


def test_list_filter_by_member(api_client: APIClient, structure: Structure, member: User) -> None:
    response = api_client.get(URL, {"member": member.pk})
    assert [item["id"] for item in response.json()["results"]] == [structure.pk]


@pytest.mark.parametrize("params", [{"type": "secte"}, {"member": "moi"}, {"ordering": "slug"}])
def test_invalid_list_parameters_are_a_400(
    api_client: APIClient, structure: Structure, params: dict[str, str]
) -> None:
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_detail_lists_members_without_e_mails(
    api_client: APIClient,
    structure: Structure,
    owner: User,
    member: User,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(2):
        response = api_client.get(f"{URL}{structure.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Connexions Solidaires."
    assert [(m["user_id"], m["display_name"], m["role"]) for m in body["members"]] == [
        (owner.pk, "Awa Admin", "admin"),
        (member.pk, "Marc Membre", "member"),
    ]
    assert set(body["members"][0]) == {"user_id", "display_name", "role", "joined_at"}
    assert "@" not in response.content.decode()


def test_unknown_structure_is_a_404(api_client: APIClient, tree: Tree) -> None:
    for url in (f"{URL}999999/", f"{URL}999999/members/", f"{URL}{2**70}/"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_anonymous_writes_are_a_401(
    api_client: APIClient, structure: Structure, tree: Tree, member: User
) -> None:
    attempts = [
        api_client.post(URL, {"name": "X", "type": "other", "territory": tree.lyon.pk}),
        api_client.patch(f"{URL}{structure.pk}/", {"name": "X"}),
        api_client.post(members_url(structure), {"user_id": member.pk}),
        api_client.patch(members_url(structure, member), {"role": "admin"}),
        api_client.delete(members_url(structure, member)),
    ]
    for response in attempts:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_a_signed_in_person_creates_a_structure_and_administers_it(
    client_for: Clients, outsider: User, tree: Tree
) -> None:
    response = client_for(outsider).post(
        URL,
        {
            "name": "Centre social Arlequin",
            "type": "centre_social",
            "territory": tree.villeneuve.pk,
            "website": "https://arlequin.example.org",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "centre-social-arlequin"
    assert body["member_count"] == 1
    assert body["members"] == [
        {
            "user_id": outsider.pk,
            "display_name": "Octave Extérieur",
            "role": "admin",
            "joined_at": body["members"][0]["joined_at"],
        }
    ]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"name": "X", "type": "other", "territory": 999_999}, "territory", "does_not_exist"),
        ({"name": "X", "type": "secte", "territory": None}, "type", "invalid_choice"),
        ({"name": "X", "type": "other", "website": "pas une url"}, "website", "invalid"),
        ({"name": "X", "type": "other", "slug": "x"}, "slug", "unknown_field"),
        ({"type": "other"}, "name", "required"),
    ],
)
def test_creation_input_is_validated(
    client_for: Clients,
    outsider: User,
    tree: Tree,
    payload: dict[str, Any],
    field: str,
    code: str,
) -> None:
    payload = {"territory": tree.lyon.pk, **payload}
    response = client_for(outsider).post(URL, payload)
    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code


def test_admin_updates_the_structure(
    client_for: Clients, structure: Structure, owner: User
) -> None:
    response = client_for(owner).patch(
        f"{URL}{structure.pk}/", {"description": "Ateliers numériques", "type": "association"}
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Ateliers numériques"


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_non_admins_may_not_update(
    client_for: Clients, request: pytest.FixtureRequest, structure: Structure, persona: str
) -> None:
    response = client_for(request.getfixturevalue(persona)).patch(
        f"{URL}{structure.pk}/", {"name": "Pris"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_update_rejects_unknown_fields(
    client_for: Clients, structure: Structure, owner: User
) -> None:
    response = client_for(owner).patch(f"{URL}{structure.pk}/", {"members": []})
    assert response.status_code == 400
    assert response.json()["fields"]["members"][0]["code"] == "unknown_field"


def test_members_list_is_public_and_paginated(
    api_client: APIClient,
    structure: Structure,
    owner: User,
    make_user: Callable[..., User],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for _ in range(6):
        membership_add(structure=structure, by=owner, user=make_user())
    for page_size in (2, 50):
        # structure, count, page (with users)
        with django_assert_num_queries(3):
            response = api_client.get(members_url(structure), {"page_size": page_size})
        assert response.status_code == 200
    body = api_client.get(members_url(structure)).json()
    assert body["count"] == 8
    assert body["results"][0] == {
        "user_id": owner.pk,
        "display_name": "Awa Admin",
        "role": "admin",
        "joined_at": body["results"][0]["joined_at"],
    }


def test_admin_adds_a_member(
    client_for: Clients, structure: Structure, owner: User, outsider: User
) -> None:
    response = client_for(owner).post(members_url(structure), {"user_id": outsider.pk})
    assert response.status_code == 201
    assert response.json()["role"] == "member"
    again = client_for(owner).post(members_url(structure), {"user_id": outsider.pk})
    assert again.status_code == 409
    assert again.json()["code"] == "already_member"


def test_adding_an_unknown_person_is_a_400(
    client_for: Clients, structure: Structure, owner: User
) -> None:
    response = client_for(owner).post(members_url(structure), {"user_id": 999_999})
    assert response.status_code == 400
    assert response.json()["fields"]["user_id"][0]["code"] == "does_not_exist"


@pytest.mark.parametrize("persona", ["member", "outsider"])
def test_non_admins_may_not_manage_members(
    client_for: Clients,
    request: pytest.FixtureRequest,
    structure: Structure,
    owner: User,
    member: User,
    make_user: Callable[..., User],
    persona: str,
) -> None:
    client = client_for(request.getfixturevalue(persona))
    attempts = [
        client.post(members_url(structure), {"user_id": make_user().pk}),
        client.patch(members_url(structure, owner), {"role": "member"}),
        client.delete(members_url(structure, owner)),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert Membership.objects.filter(structure=structure).count() == 2


def test_admin_changes_roles_but_never_leaves_no_admin(
    client_for: Clients, structure: Structure, owner: User, member: User
) -> None:
    client = client_for(owner)
    demote_myself = client.patch(members_url(structure, owner), {"role": "member"})
    assert demote_myself.status_code == 409
    assert demote_myself.json()["code"] == "last_admin"

    promote = client.patch(members_url(structure, member), {"role": "admin"})
    assert promote.status_code == 200
    assert promote.json()["role"] == "admin"
    assert client.patch(members_url(structure, owner), {"role": "member"}).status_code == 200


def test_staff_cannot_remove_the_last_admin(
    client_for: Clients, structure: Structure, owner: User, staff: User
) -> None:
    response = client_for(staff).delete(members_url(structure, owner))
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"


def test_admin_removes_a_member(
    client_for: Clients, structure: Structure, owner: User, member: User
) -> None:
    response = client_for(owner).delete(members_url(structure, member))
    assert response.status_code == 204
    assert not Membership.objects.filter(structure=structure, user=member).exists()
    again = client_for(owner).delete(members_url(structure, member))
    assert again.status_code == 404


def test_a_member_leaves_by_deleting_themself(
    client_for: Clients, structure: Structure, member: User
) -> None:
    response = client_for(member).delete(members_url(structure, member))
    assert response.status_code == 204
    assert not Membership.objects.filter(structure=structure, user=member).exists()


def test_the_last_admin_cannot_leave(
    client_for: Clients, structure: Structure, owner: User
) -> None:
    response = client_for(owner).delete(members_url(structure, owner))
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"


def test_role_changes_are_validated(
    client_for: Clients, structure: Structure, owner: User, member: User
) -> None:
    response = client_for(owner).patch(members_url(structure, member), {"role": "owner"})
    assert response.status_code == 400
    assert response.json()["fields"]["role"][0]["code"] == "invalid_choice"


def test_odd_input_never_breaks_the_server(
    client_for: Clients, api_client: APIClient, structure: Structure, owner: User
) -> None:
    client = client_for(owner)
    huge = 2**70
    responses = [
        api_client.get(URL, {"search": "a\x00b"}),
        api_client.get(URL, {"within": huge}),
        api_client.get(URL, {"page": 99}),
        client.post(URL, {"name": "X", "type": "other", "territory": huge}),
        client.post(URL, {"name": "X", "type": "other", "territory": "abc"}),
        client.post(URL, ["not", "an", "object"]),
        client.post(members_url(structure), {"user_id": huge}),
        client.patch(f"{URL}{structure.pk}/members/{huge}/", {"role": "admin"}),
        client.delete(f"{URL}{structure.pk}/members/{huge}/"),
        client.patch(f"{URL}{huge}/", {"name": "X"}),
    ]
    assert [r.status_code for r in responses] == [400, 400, 404, 400, 400, 400, 400, 404, 404, 404]
