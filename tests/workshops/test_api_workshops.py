"""Workshop REST API: statuses, error codes, query counts."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.proposals.models import Contribution
from backend.proposals.services import participant_card_create
from backend.workshops.models import Activity, Workshop
from backend.workshops.services import activity_start, idea_submit, participant_join
from tests.workshops.conftest import Room

pytestmark = pytest.mark.django_db


def test_create_open_join_close(
    room: Room, api_client: APIClient, client_for: Callable[[User], APIClient]
) -> None:
    url = f"/api/v1/consultations/{room.consultation.pk}/workshops/"
    body = {"title": "Atelier au centre social", "place": "Centre social Chorier-Berriat"}
    assert api_client.post(url, body, format="json").status_code == 401
    refused = client_for(room.participant).post(url, body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    unknown = client_for(room.facilitator).post(url, {**body, "colour": "bleu"}, format="json")
    assert unknown.json()["fields"]["colour"][0]["code"] == "unknown_field"
    created = client_for(room.facilitator).post(url, body, format="json")
    assert created.status_code == 201
    workshop = created.json()
    assert (workshop["status"], workshop["join_code"]) == ("draft", None)
    # Drafts are the facilitators' own.
    assert api_client.get(f"/api/v1/workshops/{workshop['id']}/").status_code == 404

    opened = client_for(room.facilitator).post(f"/api/v1/workshops/{workshop['id']}/open/")
    assert opened.status_code == 200
    code = opened.json()["join_code"]
    assert opened.json()["join_url"] == f"/live/{code}/"
    joined = api_client.get(f"/api/v1/workshops/join/{code.lower()}/")
    assert joined.status_code == 200
    assert joined.json()["websocket"] == f"/ws/v1/workshops/{workshop['id']}/"
    assert api_client.get("/api/v1/workshops/join/NOPE00/").status_code == 404

    closed = client_for(room.facilitator).post(f"/api/v1/workshops/{workshop['id']}/close/")
    assert closed.json()["status"] == "closed"
    assert api_client.get(f"/api/v1/workshops/join/{code}/").status_code == 404
    again = client_for(room.facilitator).post(f"/api/v1/workshops/{workshop['id']}/open/")
    assert (again.status_code, again.json()["code"]) == (409, "workshop_not_open")


def test_vote_activity_results_and_answers_for_a_card(
    room: Room, workshop: Workshop, api_client: APIClient, client_for: Callable[[User], APIClient]
) -> None:
    facilitator = client_for(room.facilitator)
    base = f"/api/v1/workshops/{workshop.pk}/activities/"
    bad = facilitator.post(
        base,
        {"kind": "vote", "title": "Priorités", "vote": {"method": "dots", "items": [1]}},
        format="json",
    )
    assert bad.status_code == 400
    assert any(name.startswith("vote.") for name in bad.json()["fields"])
    created = facilitator.post(
        base,
        {
            "kind": "vote",
            "title": "Priorités",
            "vote": {"method": "approval", "items": [p.pk for p in room.proposals]},
        },
        format="json",
    )
    assert created.status_code == 201
    activity = created.json()
    assert [item["id"] for item in activity["vote"]["items"]] == sorted(
        p.pk for p in room.proposals
    )
    start = client_for(room.participant).post(f"{base}{activity['id']}/start/")
    assert (start.status_code, start.json()["code"]) == (403, "permission_denied")
    assert facilitator.post(f"{base}{activity['id']}/start/").json()["status"] == "open"

    card = participant_card_create(
        by=room.facilitator,
        consultation=room.consultation,
        label="M. T.",
        consent_given=True,
        consent_note="oral",
    )
    answered = facilitator.post(
        f"{base}{activity['id']}/answers/",
        {"card": card.pk, "choices": {str(room.proposals[1].pk): 1}},
        format="json",
    )
    assert answered.status_code == 201
    assert answered.json()["choices"] == {str(room.proposals[1].pk): 1}

    results_url = f"{base}{activity['id']}/results/"
    assert api_client.get(results_url).json()["code"] == "permission_denied"
    hidden = facilitator.get(results_url).json()
    assert (hidden["answered"], hidden["visible"]) == (1, False)
    facilitator.post(
        f"{base}{activity['id']}/results-visibility/", {"visible": True}, format="json"
    )
    shown = api_client.get(results_url)
    assert shown.status_code == 200
    assert shown.json()["visible"] is True

    stopped = facilitator.post(f"{base}{activity['id']}/stop/")
    assert stopped.json()["status"] == "closed"
    late = facilitator.post(
        f"{base}{activity['id']}/answers/",
        {"card": card.pk, "choices": {str(room.proposals[0].pk): 1}},
        format="json",
    )
    assert (late.status_code, late.json()["code"]) == (409, "activity_closed")


def test_idea_queue_and_moderation(
    room: Room,
    workshop: Workshop,
    make_activity: Callable[..., Activity],
    client_for: Callable[[User], APIClient],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    capture = make_activity("idea_capture", title="Vos propositions")
    activity_start(by=room.facilitator, activity=capture)
    for n in range(5):
        phone, _token = participant_join(workshop=workshop, user=None, display_name=f"P{n}")
        idea_submit(activity=capture, participant=phone, kind="proposal", text=f"idée {n}")
    facilitator = client_for(room.facilitator)
    url = f"/api/v1/workshops/{workshop.pk}/ideas/"
    assert client_for(room.participant).get(url).status_code == 403
    # Workshop, roles, count, page (authors' cards joined): independent of the queue's size.
    with django_assert_num_queries(4):
        listed = facilitator.get(url, {"status": "pending"})
    assert listed.status_code == 200
    ideas = listed.json()["results"]
    assert [idea["author_name"] for idea in ideas] == [f"P{n}" for n in range(5)]

    moderate = f"{url}{ideas[0]['id']}/moderate/"
    approved = facilitator.post(
        moderate, {"decision": "approve", "text": "Idée corrigée"}, format="json"
    )
    assert approved.status_code == 200
    contribution = Contribution.objects.get(pk=approved.json()["contribution"])
    assert (contribution.origin, contribution.body) == ("workshop", "Idée corrigée")
    twice = facilitator.post(moderate, {"decision": "reject"}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "idea_already_moderated")
    rejected = facilitator.post(
        f"{url}{ideas[1]['id']}/moderate/", {"decision": "reject"}, format="json"
    )
    assert rejected.json()["status"] == "rejected"


def test_workshop_list_query_count(
    room: Room, api_client: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from backend.workshops.services import workshop_create, workshop_open

    for n in range(4):
        workshop_open(
            by=room.facilitator,
            workshop=workshop_create(
                by=room.facilitator, consultation=room.consultation, title=f"Atelier {n}"
            ),
        )
    workshop_create(by=room.facilitator, consultation=room.consultation, title="Brouillon")
    # The consultation (two), count, page: drafts filtered out for the public.
    with django_assert_num_queries(4):
        listed = api_client.get(f"/api/v1/consultations/{room.consultation.pk}/workshops/")
    assert listed.status_code == 200
    assert listed.json()["count"] == 4
