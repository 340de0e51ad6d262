"""Comments on candidate and regional actions through the API (responses checked against
the OpenAPI document): phase and stage gates, replies, public reads, realtime after commit."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.consultations.domain import PhaseKind
from backend.programmes.models import Programme
from backend.programmes.services import regional_action_create
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Region

pytestmark = pytest.mark.django_db


def test_candidate_action_thread_in_synthesis(
    region: Region,
    people: Personas,
    client_for: Callable[[User], APIClient],
    api_client: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = f"/api/v1/candidate-actions/{region.actions['g_help'].pk}/comments/"
    with in_phase(PhaseKind.SYNTHESIS):
        first = client_for(people.participant).post(
            url, {"body": "Oui, et le samedi matin svp", "stance": "for"}
        )
        assert first.status_code == 201, first.json()
        reply = client_for(people.outsider).post(
            url, {"body": "d'accord", "parent": first.json()["id"]}
        )
        assert reply.status_code == 201
        assert api_client.post(url, {"body": "anonyme"}).status_code == 401
        # The action with its sources and territories (synthesis selector), count, page.
        with django_assert_num_queries(5):
            listed = api_client.get(url)
    body = first.json()
    assert (body["target_kind"], body["candidate_action"], body["consultation"]) == (
        "candidate_action",
        region.actions["g_help"].pk,
        region.grenoble.pk,
    )
    assert (reply.json()["parent"], reply.json()["depth"]) == (body["id"], 1)
    assert [c["id"] for c in listed.json()["results"]] == [body["id"], reply.json()["id"]]
    # Before synthesis the actions are not open to comments.
    with in_phase(PhaseKind.DELIBERATION):
        early = client_for(people.participant).post(url, {"body": "trop tôt"})
    assert (early.status_code, early.json()["code"]) == (409, "phase_closed")
    assert early.json()["details"]["allowed_in"] == ["restitution", "synthesis"]


def test_a_reply_must_stay_on_the_same_action(
    region: Region, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(people.participant)
    with in_phase(PhaseKind.SYNTHESIS):
        first = client.post(
            f"/api/v1/candidate-actions/{region.actions['g_help'].pk}/comments/",
            {"body": "Bien"},
        ).json()
        wrong = client.post(
            f"/api/v1/candidate-actions/{region.actions['g_pc'].pk}/comments/",
            {"body": "Ailleurs", "parent": first["id"]},
        )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "validation_error")
    assert wrong.json()["fields"]["parent"][0]["code"] == "wrong_target"


def test_regional_action_comments_follow_the_programme_stage(
    region: Region, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    action = regional_action_create(
        by=region.organizer, programme=region.programme, title="Un réseau de permanences"
    )
    url = f"/api/v1/regional-actions/{action.pk}/comments/"
    created = client_for(people.participant).post(url, {"body": "Et à Saint-Étienne ?"})
    assert created.status_code == 201, created.json()
    assert (created.json()["consultation"], created.json()["regional_action"]) == (
        None,
        action.pk,
    )
    comment = Comment.objects.get(pk=created.json()["id"])
    assert (comment.target_kind, comment.consultation_id) == ("regional_action", None)
    Programme.objects.filter(pk=region.programme.pk).update(stage="closed")
    closed = client_for(people.participant).post(url, {"body": "Trop tard"})
    assert (closed.status_code, closed.json()["code"]) == (409, "programme_stage_closed")
    assert client_for(people.outsider).get(url).json()["count"] == 1
