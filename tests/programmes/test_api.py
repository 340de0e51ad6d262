"""Regional programme endpoints: status and error codes, query counts, files and the page."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.programmes.models import Programme
from tests.consultations.conftest import Personas
from tests.programmes.conftest import Region

pytestmark = pytest.mark.django_db


def _create_action(client: APIClient, region: Region) -> int:
    response = client.post(
        f"/api/v1/programmes/{region.programme.pk}/regional-actions/",
        {
            "title": "Un réseau régional de permanences",
            "themes": ["logement"],
            "candidate_action_ids": [region.actions["g_help"].pk, region.actions["l_help"].pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["figures"]["territories_raised"] == 2
    assert len(body["sources"]) == 2
    return int(body["id"])


def test_the_whole_path_over_http(
    region: Region, client_for: Callable[[User], APIClient], api_client: APIClient
) -> None:
    client = client_for(region.organizer)
    action_id = _create_action(client, region)
    response = client.put(
        f"/api/v1/regional-actions/{action_id}/funding/",
        {
            "cost_estimate_eur": 40000,
            "lines": [{"funder": region.funders["region"], "amount_eur": 30000}],
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "over_budget"
    response = client.put(
        f"/api/v1/regional-actions/{action_id}/funding/",
        {
            "cost_estimate_eur": 39000,
            "lines": [
                {"funder": region.funders["region"], "amount_eur": 28000},
                {"funder": region.funders["ville"], "amount_eur": 11000},
            ],
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["funding_lines"][0]["amount_eur"] == 28000
    budget = api_client.get(f"/api/v1/programmes/{region.programme.pk}/budget/").json()
    assert budget["over_budget_funders"] == []
    response = client.post(f"/api/v1/programmes/{region.programme.pk}/plan/versions/", {})
    assert response.status_code == 409
    assert response.json()["code"] == "regional_plan_incomplete"
    client.post(
        f"/api/v1/regional-actions/{action_id}/decision/", {"decision": "retained"}, format="json"
    )
    response = client.post(
        f"/api/v1/programmes/{region.programme.pk}/plan/versions/",
        {"note": "Version adoptée"},
        format="json",
    )
    assert response.status_code == 201
    version = response.json()
    assert version["snapshot"]["totals"]["committed_eur"] == 39000
    plan = api_client.get(f"/api/v1/programmes/{region.programme.pk}/plan/")
    assert plan.status_code == 200
    archive = api_client.get(version["archive_url"])
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    assert api_client.get(version["csv_url"]).status_code == 200
    page = api_client.get(f"/programmes/{region.programme.pk}/plan/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Un réseau régional de permanences" in text
    assert "Annexe" in text
    assert "<svg" in text
    response = client.post(
        f"/api/v1/regional-actions/{action_id}/status/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 200
    timeline = api_client.get(f"/api/v1/regional-actions/{action_id}/timeline/").json()
    assert timeline["results"][0]["kind"] == "status_changed"


def test_refusals_carry_stable_codes(
    region: Region,
    people: Personas,
    client_for: Callable[[User], APIClient],
    api_client: APIClient,
) -> None:
    url = f"/api/v1/programmes/{region.programme.pk}/regional-actions/"
    assert api_client.post(url, {"title": "X"}, format="json").json()["code"] == (
        "not_authenticated"
    )
    response = client_for(region.lyon_organizer).post(url, {"title": "X"}, format="json")
    assert response.json()["code"] == "permission_denied"
    Programme.objects.filter(pk=region.programme.pk).update(stage="preparation")
    response = client_for(region.organizer).post(url, {"title": "X"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "programme_stage_closed"
    response = client_for(region.organizer).post(
        f"/api/v1/programmes/{region.programme.pk}/rounds/",
        {"consultation": region.lyon.pk},
        format="json",
    )
    assert response.json()["code"] == "round_in_other_programme"
    response = client_for(region.organizer).post(
        f"/api/v1/programmes/{region.programme.pk}/stage/", {"stage": "closed"}, format="json"
    )
    assert response.json()["code"] == "invalid_stage_change"
    response = client_for(region.organizer).post(
        f"/api/v1/programmes/{region.programme.pk}/stage/", {"stage": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert api_client.get(f"/api/v1/programmes/{region.programme.pk}/plan/").json()["code"] == (
        "regional_plan_not_published"
    )


def test_dashboard_lists_rounds_and_territories_without_one(
    region: Region, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    url = f"/api/v1/programmes/{region.programme.pk}/dashboard/"
    assert client_for(people.participant).get(url).status_code == 403
    body = client_for(region.lyon_organizer).get(url).json()
    rows = {row["consultation"]: row for row in body["rounds"]}
    assert rows[region.grenoble.pk]["is_pilot"] is True
    assert rows[region.grenoble.pk]["contributions"] == 3
    assert rows[region.lyon.pk]["participants"] == 4
    assert rows[region.lyon.pk]["structures"] == 2
    assert [t["name"] for t in body["territories_without_round"]] == ["Échirolles"]


def test_action_list_query_count_does_not_grow_with_actions(
    region: Region, client_for: Callable[[User], APIClient], api_client: APIClient
) -> None:
    client = client_for(region.organizer)
    _create_action(client, region)
    url = f"/api/v1/programmes/{region.programme.pk}/regional-actions/"
    with CaptureQueriesContext(connection) as one:
        assert api_client.get(url).status_code == 200
    for title in ("Deuxième", "Troisième"):
        client.post(url, {"title": title, "candidate_action_ids": []}, format="json")
    with CaptureQueriesContext(connection) as three:
        assert len(api_client.get(url).json()["results"]) == 3
    assert len(three) == len(one)


def test_coverage_files(region: Region, api_client: APIClient) -> None:
    base = f"/api/v1/programmes/{region.programme.pk}/coverage/"
    assert api_client.get(base).json()["columns"][0]["territory"] == "Grenoble"
    csv = api_client.get(base + "coverage.csv")
    assert csv.content.decode().startswith("theme,theme_label,round_id")
    svg = api_client.get(base + "coverage.svg")
    assert svg["Content-Type"].startswith("image/svg+xml")
