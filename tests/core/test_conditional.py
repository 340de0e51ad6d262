"""Conditional GET: ETag on 200, 304 for a matching If-None-Match, new tag after a change."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.core.conditional import etag_for, none_match_fails
from backend.structures.models import Structure
from backend.structures.services import structure_create, structure_update
from backend.territories.models import Territory, TerritoryKind
from backend.territories.services import territory_create


def test_etag_is_strong_quoted_and_canonical() -> None:
    tag = etag_for({"b": 1, "a": "é"})
    assert tag.startswith('"')
    assert tag.endswith('"')
    assert len(tag) == 66
    assert tag == etag_for({"a": "é", "b": 1})
    assert tag != etag_for({"a": "e", "b": 1})


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"zzz", W/"abc"', True),
        ('"zzz","abc"', True),
        ("*", True),
        (" * ", True),
        ('"zzz"', False),
        ('"ab"', False),
        ("abc", False),
        ("", False),
    ],
)
def test_if_none_match_parsing(header: str | None, matches: bool) -> None:
    assert none_match_fails(header, '"abc"') is matches


@pytest.fixture
def grenoble(db: None) -> Territory:
    return territory_create(kind=TerritoryKind.COMMUNE, name="Grenoble", insee_code="38185")


@pytest.fixture
def structure(grenoble: Territory, make_user: Callable[..., User]) -> Structure:
    creator = make_user()
    return structure_create(
        creator=creator, name="Emmaüs Connect", type="association", territory=grenoble
    )


def test_structure_etag_then_304_then_new_etag_after_a_change(
    api_client: APIClient, structure: Structure
) -> None:
    url = f"/api/v1/structures/{structure.pk}/"
    first = api_client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag == etag_for(first.json())

    cached = api_client.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached["ETag"] == etag
    assert api_client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert api_client.get(url, headers={"If-None-Match": "*"}).status_code == 304

    admin = structure.members.get()
    structure_update(structure=structure, by=admin, description="Connexions Solidaires.")
    changed = api_client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["description"] == "Connexions Solidaires."


def test_territory_etag_then_304(api_client: APIClient, grenoble: Territory) -> None:
    url = f"/api/v1/territories/{grenoble.pk}/"
    first = api_client.get(url)
    assert first.status_code == 200
    cached = api_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert cached.status_code == 304
    assert cached.content == b""
    assert api_client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_unknown_structure_is_still_404(api_client: APIClient, db: None) -> None:
    assert (
        api_client.get("/api/v1/structures/999999/", headers={"If-None-Match": "*"}).status_code
        == 404
    )
