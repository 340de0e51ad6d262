"""Invitations by e-mail, and roles and memberships given by e-mail address."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation, ConsultationRole
from backend.structures.models import Membership, Structure
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db(transaction=True)

Clients = Callable[[User], APIClient]


def code_in_last_mail() -> str:
    match = re.search(r"inv_[\w-]+", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_an_organizer_invites_an_address_that_accepts_after_registering(
    consultation: Consultation,
    people: Personas,
    client_for: Clients,
    make_user: Callable[..., User],
) -> None:
    url = f"/api/v1/consultations/{consultation.pk}/invitations/"
    response = client_for(people.organizer).post(
        url, {"email": "Mediatrice@Exemple.fr", "role": "facilitator"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "mediatrice@exemple.fr"
    assert mail.outbox[-1].to == ["mediatrice@exemple.fr"]
    code = code_in_last_mail()
    assert code not in str(response.json())
    listed = client_for(people.organizer).get(url).json()
    assert [item["email"] for item in listed["results"]] == ["mediatrice@exemple.fr"]

    newcomer = make_user(email="mediatrice@exemple.fr")
    accepted = client_for(newcomer).post("/api/v1/invitations/accept/", {"token": code})
    assert accepted.status_code == 200, accepted.json()
    assert ConsultationRole.objects.filter(
        consultation=consultation, user=newcomer, role="facilitator"
    ).exists()
    again = client_for(newcomer).post("/api/v1/invitations/accept/", {"token": code})
    assert again.status_code == 404
    assert again.json()["code"] == "invitation_invalid"
    assert client_for(people.organizer).get(url).json()["count"] == 0


def test_only_the_invited_address_may_accept(
    consultation: Consultation, people: Personas, client_for: Clients
) -> None:
    client_for(people.organizer).post(
        f"/api/v1/consultations/{consultation.pk}/invitations/",
        {"email": "quelqu.un@exemple.fr", "role": "moderator"},
    )
    response = client_for(people.outsider).post(
        "/api/v1/invitations/accept/", {"token": code_in_last_mail()}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "invitation_for_another_address"


def test_an_invitation_expires(
    consultation: Consultation,
    people: Personas,
    client_for: Clients,
    make_user: Callable[..., User],
) -> None:
    client_for(people.organizer).post(
        f"/api/v1/consultations/{consultation.pk}/invitations/",
        {"email": "tard@exemple.fr", "role": "moderator"},
    )
    code = code_in_last_mail()
    late = make_user(email="tard@exemple.fr")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client_for(late).post("/api/v1/invitations/accept/", {"token": code})
    assert response.status_code == 404
    assert response.json()["code"] == "invitation_invalid"
    assert "expired_at" in response.json()["details"]


def test_only_organizers_invite_to_a_consultation(
    consultation: Consultation, people: Personas, client_for: Clients
) -> None:
    response = client_for(people.participant).post(
        f"/api/v1/consultations/{consultation.pk}/invitations/",
        {"email": "x@exemple.fr", "role": "organizer"},
    )
    assert response.status_code == 403
    assert not mail.outbox


def test_a_structure_administrator_invites_a_member(
    structure: Structure, owner: User, client_for: Clients, make_user: Callable[..., User]
) -> None:
    response = client_for(owner).post(
        f"/api/v1/structures/{structure.pk}/invitations/", {"email": "benevole@exemple.fr"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["role"] == "member"
    volunteer = make_user(email="benevole@exemple.fr")
    accepted = client_for(volunteer).post(
        "/api/v1/invitations/accept/", {"token": code_in_last_mail()}
    )
    assert accepted.status_code == 200
    assert Membership.objects.filter(structure=structure, user=volunteer).exists()


def test_roles_and_members_by_email_address(
    consultation: Consultation,
    people: Personas,
    structure: Structure,
    owner: User,
    client_for: Clients,
    make_user: Callable[..., User],
) -> None:
    person = make_user(email="Camille@Exemple.fr")
    role = client_for(people.organizer).post(
        f"/api/v1/consultations/{consultation.pk}/roles/",
        {"email": "camille@exemple.fr", "role": "moderator"},
    )
    assert role.status_code == 201, role.json()
    assert role.json()["user"] == person.pk
    member = client_for(owner).post(
        f"/api/v1/structures/{structure.pk}/members/", {"email": "CAMILLE@exemple.fr"}
    )
    assert member.status_code == 201, member.json()
    unknown = client_for(owner).post(
        f"/api/v1/structures/{structure.pk}/members/", {"email": "personne@exemple.fr"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["fields"]["email"][0]["code"] == "no_account"
    both = client_for(owner).post(
        f"/api/v1/structures/{structure.pk}/members/",
        {"email": "camille@exemple.fr", "user_id": person.pk},
    )
    assert both.status_code == 400
    assert both.json()["fields"]["user_id"][0]["code"] == "required"
