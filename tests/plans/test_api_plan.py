"""Plan endpoints: publish over HTTP, JSON (validated against the schema), CSV, HTML page."""

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.plans.domain.snapshot import PLAN_CSV_COLUMNS, snapshot_digest
from backend.plans.services import plan_publish
from tests.fixtures.openapi_contract import ContractAPIClient
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "frontend-contract" / "plan.schema.json").read_text()
)


def base(built: Built) -> str:
    return f"/api/v1/consultations/{built.consultation.pk}/plan/"


def publish(built: Built, people: Personas, **extra: Any) -> Any:
    with in_phase(PhaseKind.RESTITUTION):
        return plan_publish(by=people.organizer, consultation=built.consultation, **extra)


def test_publish_over_http(
    built: Built, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    url = base(built) + "versions/"
    with in_phase(PhaseKind.RESTITUTION):
        anonymous = ContractAPIClient().post(url, {}, format="json")
        participant = client_for(people.participant).post(url, {}, format="json")
        unknown = client_for(people.organizer).post(url, {"forse": True}, format="json")
        created = client_for(people.organizer).post(url, {"note": "v1"}, format="json")
    with in_phase(PhaseKind.SYNTHESIS):
        closed = client_for(people.organizer).post(url, {}, format="json")
    assert anonymous.status_code == 401
    assert participant.status_code == 403
    assert participant.json()["code"] == "permission_denied"
    assert unknown.status_code == 400
    assert unknown.json()["fields"]["forse"][0]["code"] == "unknown_field"
    assert closed.status_code == 409
    assert closed.json()["code"] == "phase_closed"
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == 1
    assert body["note"] == "v1"
    assert body["published_by"] == {"display_name": "Olga Organisatrice"}
    assert body["html_url"].endswith(f"/consultations/{built.consultation.pk}/plan/versions/1/")
    assert body["snapshot_sha256"] == snapshot_digest(body["snapshot"])


def test_incomplete_plan_is_refused_in_french_and_in_english(
    build: Callable[..., Built], people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    state = build(decide=False)
    client = client_for(people.organizer)
    url = base(state) + "versions/"
    with in_phase(PhaseKind.RESTITUTION):
        french = client.post(url, {}, format="json")
        english = client.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        forced = client.post(url, {"force": True}, format="json")
    assert french.status_code == english.status_code == 409
    assert french.json()["code"] == english.json()["code"] == "plan_incomplete"
    assert french.json()["message"].startswith("Des contributions n'ont pas encore de réponse")
    assert english.json()["message"].startswith("Some contributions have no answer yet")
    assert french.json()["details"]["pending_actions"] == [state.retained.pk, state.rejected.pk]
    assert state.proposals[3].pk in french.json()["details"]["missing_answers"]
    assert forced.status_code == 201
    assert forced.json()["is_forced"] is True


def test_no_plan_yet(built: Built) -> None:
    client = ContractAPIClient()
    french = client.get(base(built))
    english = client.get(base(built), HTTP_ACCEPT_LANGUAGE="en")
    assert french.status_code == 404
    assert french.json()["code"] == "plan_not_published"
    assert french.json()["message"] == "Aucune version du plan d'action n'a encore été publiée."
    assert english.json()["message"] == "No version of the action plan has been published yet."
    assert client.get(base(built) + "plan.csv").json()["code"] == "plan_not_published"
    assert client.get(f"/consultations/{built.consultation.pk}/plan/").status_code == 404


def test_latest_version_validates_against_the_schema(built: Built, people: Personas) -> None:
    publish(built, people, note="Première version")
    client = ContractAPIClient()
    response = client.get(base(built))
    assert response.status_code == 200
    snapshot = response.json()["snapshot"]
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(snapshot), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    # The schema is strict enough to catch a drift.
    broken = {**snapshot, "actions": [{**snapshot["actions"][0], "decision": {"status": "ok"}}]}
    assert list(validator.iter_errors(broken))

    assert response["ETag"]
    again = client.get(base(built), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_versions_list_and_detail(
    built: Built, people: Personas, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    publish(built, people)
    client = ContractAPIClient()
    with CaptureQueriesContext(connection) as one:
        assert client.get(base(built) + "versions/").status_code == 200
    publish(built, people, note="deuxième")
    publish(built, people, note="troisième")
    with CaptureQueriesContext(connection) as three:
        listed = client.get(base(built) + "versions/").json()
    assert len(three) == len(one)
    assert [row["number"] for row in listed["results"]] == [3, 2, 1]
    assert "snapshot" not in listed["results"][0]
    with django_assert_max_num_queries(4):
        second = client.get(base(built) + "versions/2/")
    assert second.json()["note"] == "deuxième"
    assert second.json()["snapshot"]["version"]["number"] == 2
    missing = client.get(base(built) + "versions/9/")
    assert (missing.status_code, missing.json()["code"]) == (404, "plan_not_published")
    assert client.get(base(built)).json()["number"] == 3


def test_csv(built: Built, people: Personas) -> None:
    publish(built, people)
    response = ContractAPIClient().get(base(built) + "versions/1/plan.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert tuple(rows[0]) == PLAN_CSV_COLUMNS
    by_action: dict[str, list[str]] = {}
    for row in rows:
        by_action.setdefault(row["action_id"], []).append(row["source_contribution_id"])
    p1, p2, p3, _ = built.proposals
    assert sorted(by_action[str(built.retained.pk)]) == sorted(
        str(pk) for pk in (built.problem.pk, p1.pk, p2.pk)
    )
    assert by_action[str(built.rejected.pk)] == [str(p3.pk)]
    assert {row["decision_label"] for row in rows} == {"Retenue", "Non retenue"}
    assert response["ETag"] == f'"{response["X-Content-SHA256"]}"'
    assert ContractAPIClient().get(base(built) + "plan.csv").content == response.content


def test_html_page_draws_the_merit_profiles(built: Built, people: Personas) -> None:
    version = publish(built, people)
    response = ContractAPIClient().get(f"/consultations/{built.consultation.pk}/plan/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "@media print" in page
    assert "Des permanences numériques dans chaque quartier" in page
    assert "Non retenue" in page
    assert "Déjà proposé par les médiathèques." in page
    assert "Relève du plan très haut débit" in page  # the own answer of p4
    assert "Soutiens distincts" in page
    assert "Thèmes : Accès aux droits" in page
    assert re.search(r"<td>Consensus entre groupes d&#x27;opinion</td><td>0,\d\d</td>", page)
    # p1's profile [1, 1, 2, 0, 0, 0, 1] over 5 judgments: 200, 200, 400, then 200 (À rejeter).
    p1 = built.proposals[0].pk
    svgs = re.findall(r"<svg role=\"img\" aria-label=\"([^\"]*)\".*?</svg>", page, re.S)
    assert len(svgs) == 3  # p1 and p2 (retained action), p3 (rejected one)
    figure = page[page.index(f"n° {p1}") :]
    bar = figure[figure.index("<svg") : figure.index("</svg>")]
    widths = re.findall(r'<rect x="(\d+)" y="0" width="(\d+)"[^>]*data-grade="(\d)"', bar)
    assert widths == [
        ("0", "200", "0"),
        ("200", "200", "1"),
        ("400", "400", "2"),
        ("800", "200", "6"),
    ]
    for spoken in ("Excellent 20,0", "Bien 40,0", "À rejeter 20,0"):
        assert spoken in bar
    assert "<title>Profil de mérite sur 5 jugements" in bar
    numbered = ContractAPIClient().get(f"/consultations/{built.consultation.pk}/plan/versions/1/")
    assert numbered.status_code == 200
    assert version.snapshot_sha256 in numbered.content.decode()
    assert (
        ContractAPIClient().post(f"/consultations/{built.consultation.pk}/plan/").status_code == 405
    )
