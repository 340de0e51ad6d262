"""Finding 6: anyone can create "CCAS de Grenoble" or "Région Auvergne-Rhône-Alpes (officiel)"
and speak for it. Such a structure is shown as unverified everywhere it appears, counts as
nobody's structure in "one structure, one voice" and in breakdowns by structure type, until
staff verify it; renaming it afterwards withdraws the verification."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.services import contribution_create
from backend.structures.models import Membership, Structure
from backend.votes.models import Vote
from backend.votes.services import ballot_cast
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_ccas(people: Personas, tree: Tree, client_for: Callable[[User], APIClient]) -> Structure:
    response = client_for(people.participant).post(
        "/api/v1/structures/",
        {"name": "CCAS de Grenoble", "type": "ccas", "territory": tree.grenoble.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["is_verified"] is False
    structure = Structure.objects.get(pk=response.json()["id"])
    Membership.objects.create(structure=structure, user=people.outsider)
    return structure


def _verification(client: APIClient, structure: Structure, method: str = "put") -> Any:
    return getattr(client, method)(f"/api/v1/structures/{structure.pk}/verification/")


def test_only_staff_verify_and_a_rename_withdraws_it(
    fake_ccas: Structure, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    for someone in (people.participant, people.organizer):
        refused = _verification(client_for(someone), fake_ccas)
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert (
        ContractAPIClient().put(f"/api/v1/structures/{fake_ccas.pk}/verification/").status_code
        == 401
    )
    verified = _verification(client_for(people.staff), fake_ccas)
    assert verified.status_code == 200
    assert verified.json()["is_verified"] is True
    renamed = client_for(people.participant).patch(
        f"/api/v1/structures/{fake_ccas.pk}/",
        {"name": "Région Auvergne-Rhône-Alpes (officiel)"},
        format="json",
    )
    assert renamed.json()["is_verified"] is False
    listed = ContractAPIClient().get("/api/v1/structures/", {"is_verified": "false"}).json()
    assert [s["id"] for s in listed["results"]] == [fake_ccas.pk]


def test_unverified_is_shown_on_contributions_and_profiles(
    fake_ccas: Structure,
    consultation: Consultation,
    people: Personas,
    client_for: Callable[[User], APIClient],
    in_diagnostic: None,
) -> None:
    contribution = contribution_create(
        by=people.participant,
        consultation=consultation,
        kind="problem",
        title="Pas d'aide pour la CAF",
        body="Les permanences sont fermées.",
        origin="web",
        structure=fake_ccas,
    )
    shown = ContractAPIClient().get(f"/api/v1/contributions/{contribution.pk}/").json()
    assert shown["structure"]["is_verified"] is False
    me = client_for(people.participant).get("/api/v1/me/").json()
    assert me["structures"][0]["is_verified"] is False


def test_an_unverified_structure_has_no_voice_of_its_own(
    fake_ccas: Structure,
    vote: Vote,
    items: list[int],
    people: Personas,
    client_for: Callable[[User], APIClient],
    in_vote: None,
) -> None:
    for member in (people.participant, people.outsider):
        ballot_cast(by=member, vote=vote, choices={items[0]: 1}, structure=fake_ccas)
    results = f"/api/v1/votes/{vote.pk}/results/"
    breakdown = f"/api/v1/votes/{vote.pk}/results/breakdown/"
    by_structure = ContractAPIClient().get(results, {"by": "structure"}).json()
    assert by_structure["voter_count"] == 2  # two people, not one structure
    types = ContractAPIClient().get(breakdown, {"by": "structure_type"}).json()
    assert "ccas" not in str(types)
    assert "unverified" in str(types)

    _verification(client_for(people.staff), fake_ccas)
    by_structure = ContractAPIClient().get(results, {"by": "structure"}).json()
    assert by_structure["voter_count"] == 1  # now one structure, one voice
    types = ContractAPIClient().get(breakdown, {"by": "structure_type"}).json()
    assert "ccas" in str(types)
