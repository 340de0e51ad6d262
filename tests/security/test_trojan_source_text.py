"""Finding 10: bidirectional overrides and control characters in names and texts (a
structure named to read like an official one, a text that displays other than it is stored)."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.core.text import has_unsafe_characters
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

RLO = "\u202e"
ISOLATE = "\u2066"


def _codes(response: Any, field: str) -> list[str]:
    assert response.status_code == 400, response.content[:300]
    return [error["code"] for error in response.json()["fields"][field]]


@pytest.mark.parametrize(
    "name", [f"CCAS de Grenoble {RLO}lleiciffo", f"Région{ISOLATE} (officiel)", "Asso\x07", "A\nB"]
)
def test_structure_names_refuse_overrides_and_control_characters(
    name: str, people: Personas, tree: Tree, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(people.participant).post(
        "/api/v1/structures/",
        {"name": name, "type": "association", "territory": tree.grenoble.pk},
        format="json",
    )
    assert "invalid_characters" in _codes(response, "name")


def test_display_names_refuse_them_too(
    people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(people.participant).patch(
        "/api/v1/me/", {"display_name": f"Olga{RLO}eciffo"}, format="json"
    )
    assert _codes(response, "display_name") == ["invalid_characters"]


def test_texts_keep_line_breaks_but_refuse_overrides(
    consultation: Consultation,
    people: Personas,
    client_for: Callable[[User], APIClient],
    in_diagnostic: None,
) -> None:
    client = client_for(people.participant)
    url = f"/api/v1/consultations/{consultation.pk}/contributions/"
    base = {"kind": "problem", "title": "Démarches en ligne", "theme": "acces_droits"}
    refused = client.post(url, {**base, "body": f"Texte {RLO}evil"}, format="json")
    assert _codes(refused, "body") == ["invalid_characters"]
    nul = client.post(url, {**base, "body": "Texte\x00caché"}, format="json")
    assert _codes(nul, "body") == ["invalid_characters"]
    accepted = client.post(url, {**base, "body": "Ligne 1\nLigne 2\tfin"}, format="json")
    assert accepted.status_code == 201


def test_nested_strings_and_keys_are_checked() -> None:
    response = ContractAPIClient().post(
        "/api/v1/auth/tokens/",
        {"email": "a@exemple.fr", "password": "x", "name": "n", f"k{RLO}": {"a": [f"{RLO}"]}},
        format="json",
    )
    fields = response.json()["fields"]
    assert set(fields) == {f"k{RLO}", f"k{RLO}.a.0"}


def test_the_rule() -> None:
    assert has_unsafe_characters(f"a{RLO}b")
    assert has_unsafe_characters("a\x1bb")
    assert has_unsafe_characters("a\x85b")  # C1 control
    assert not has_unsafe_characters("Ligne\nsuivante\tet fin\r\n")
    assert has_unsafe_characters("Ligne\nsuivante", single_line=True)
    assert not has_unsafe_characters("Émilie 👩‍💻 (ZWJ) اللغة العربية")
