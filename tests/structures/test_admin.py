"""Structure admin with memberships inline; it refuses to leave a structure without admin."""

from typing import Any

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.structures.models import MemberRole, Membership, Structure

pytestmark = pytest.mark.django_db


def change_form(structure: Structure, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": structure.name,
        "slug": structure.slug,
        "type": structure.type,
        "territory": structure.territory_id,
        "description": structure.description,
        "website": structure.website,
        "created_at_0": "2026-05-01",
        "created_at_1": "10:00:00",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "_save": "Enregistrer",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
    return data


def test_pages_read_in_french(admin_client: Client, structure: Structure) -> None:
    changelist = admin_client.get("/admin/structures/structure/", {"q": "emmaus"})
    assert changelist.status_code == 200
    assert "Emmaüs Connect Grenoble" in changelist.content.decode()
    change = admin_client.get(f"/admin/structures/structure/{structure.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert "Adhésions" in html
    assert "Awa Admin" in html


def test_the_inline_keeps_an_administrator(
    admin_client: Client, structure: Structure, owner: User, member: User
) -> None:
    rows = [
        {
            "id": m.pk,
            "structure": structure.pk,
            "user": m.user_id,
            "role": m.role,
        }
        for m in Membership.objects.filter(structure=structure).order_by("role")
    ]
    url = f"/admin/structures/structure/{structure.pk}/change/"
    rows[0]["role"] = MemberRole.MEMBER
    refused = admin_client.post(url, change_form(structure, rows))
    assert refused.status_code == 200
    assert Membership.objects.get(structure=structure, user=owner).role == MemberRole.ADMIN

    rows[1]["role"] = MemberRole.ADMIN
    accepted = admin_client.post(url, change_form(structure, rows))
    assert accepted.status_code == 302
    assert Membership.objects.get(structure=structure, user=member).role == MemberRole.ADMIN
