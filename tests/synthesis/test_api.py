"""Synthesis endpoints: status codes, error codes, outputs and query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.synthesis.models import CandidateAction, MergeLogEntry
from backend.synthesis.services import contributions_merge
from tests.fixtures.personas import Personas
from tests.synthesis.conftest import Field

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_synthesis")]

Client = Callable[[User], APIClient]


def _merge_body(field: Field, *indexes: int, **extra: Any) -> dict[str, Any]:
    return {
        "contributions": [field.problems[i].pk for i in indexes],
        "reason": "Même constat",
        **extra,
    }


def _merge(field: Field, people: Personas, contributions: list[int]) -> MergeLogEntry:
    return contributions_merge(
        by=people.organizer,
        consultation=field.consultation,
        contribution_ids=contributions,
        reason="Même constat",
    )


class TestClusters:
    def test_merge_answers_the_cluster_and_the_merge_id(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        response = client_for(people.facilitator).post(
            url, _merge_body(field, 0, 1, title="Préfecture"), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["merge"] == MergeLogEntry.objects.get().pk
        cluster = body["cluster"]
        assert cluster["title"] == "Préfecture"
        assert cluster["is_dissolved"] is False
        assert [m["contribution"] for m in cluster["members"]] == [
            field.problems[0].pk,
            field.problems[1].pk,
        ]
        assert (cluster["distinct_supporters"], cluster["summed_supports"]) == (4, 5)

    def test_merge_is_idempotent_with_a_key(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        client = client_for(people.organizer)
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        first = client.post(url, _merge_body(field, 0, 1), format="json", HTTP_IDEMPOTENCY_KEY="k1")
        again = client.post(url, _merge_body(field, 0, 1), format="json", HTTP_IDEMPOTENCY_KEY="k1")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert MergeLogEntry.objects.count() == 1

    @pytest.mark.parametrize(
        ("persona", "status", "code"),
        [
            ("participant", 403, "permission_denied"),
            ("moderator", 403, "permission_denied"),
        ],
    )
    def test_refusals(
        self,
        field: Field,
        people: Personas,
        client_for: Client,
        persona: str,
        status: int,
        code: str,
    ) -> None:
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        response = client_for(getattr(people, persona)).post(
            url, _merge_body(field, 0, 1), format="json"
        )
        assert (response.status_code, response.json()["code"]) == (status, code)

    def test_anonymous_callers_must_sign_in(self, field: Field, api_client: APIClient) -> None:
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        response = api_client.post(url, _merge_body(field, 0, 1), format="json")
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")

    def test_already_merged_and_french_message(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        response = client_for(people.organizer).post(url, _merge_body(field, 1, 2), format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "already_merged"
        assert (
            body["message"] == "Certaines de ces contributions sont déjà fusionnées dans un groupe."
        )
        assert body["details"]["contributions"] == [field.problems[1].pk]

    def test_unknown_fields_and_missing_reason(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        response = client_for(people.organizer).post(
            url, {"contributions": [field.problems[0].pk], "colour": "red"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["fields"]["colour"][0]["code"] == "unknown_field"
        response = client_for(people.organizer).post(
            url, {"contributions": [field.problems[0].pk]}, format="json"
        )
        assert (response.status_code, response.json()["code"]) == (400, "validation_error")
        assert response.json()["fields"]["reason"][0]["code"] == "required"

    def test_list_is_public_and_its_query_count_does_not_grow(
        self,
        field: Field,
        people: Personas,
        api_client: APIClient,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        url = f"/api/v1/consultations/{field.consultation.pk}/clusters/"
        with django_assert_num_queries(7):
            response = api_client.get(url)
        assert response.status_code == 200
        _merge(field, people, [field.proposals[0].pk, field.proposals[1].pk, field.proposals[2].pk])
        with django_assert_num_queries(7):
            response = api_client.get(url)
        results = response.json()["results"]
        assert [c["distinct_supporters"] for c in results] == [4, 3]

    def test_undo_then_log(
        self, field: Field, people: Personas, client_for: Client, api_client: APIClient
    ) -> None:
        entry = _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        client = client_for(people.organizer)
        response = client.post(
            f"/api/v1/merges/{entry.pk}/undo/", {"reason": "Publics différents"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["undoes"] == entry.pk
        again = client.post(f"/api/v1/merges/{entry.pk}/undo/", {"reason": "x"}, format="json")
        assert (again.status_code, again.json()["code"]) == (409, "merge_already_undone")
        cluster = api_client.get(f"/api/v1/clusters/{entry.cluster_id}/").json()
        assert (cluster["is_dissolved"], cluster["members"]) == (True, [])
        log = api_client.get(f"/api/v1/consultations/{field.consultation.pk}/merge-log/").json()
        assert [(e["kind"], e["by"], e["reason"]) for e in log["results"]] == [
            ("split", "Olga Organisatrice", "Publics différents"),
            ("merge", "Olga Organisatrice", "Même constat"),
        ]
        assert log["results"][1]["undone_by"] == log["results"][0]["id"]

    def test_merge_log_query_count_does_not_grow(
        self,
        field: Field,
        people: Personas,
        api_client: APIClient,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        url = f"/api/v1/consultations/{field.consultation.pk}/merge-log/"
        with django_assert_num_queries(6):
            api_client.get(url)
        _merge(field, people, [field.proposals[0].pk, field.proposals[1].pk])
        with django_assert_num_queries(6):
            assert len(api_client.get(url).json()["results"]) == 2

    def test_unknown_ids_are_not_found(self, api_client: APIClient, db: None) -> None:
        assert api_client.get("/api/v1/clusters/999999/").status_code == 404


class TestCandidateActions:
    def _create(self, field: Field, people: Personas, client_for: Client, **extra: Any) -> Any:
        return client_for(people.organizer).post(
            f"/api/v1/consultations/{field.consultation.pk}/candidate-actions/",
            {"title": "Permanences d'aide aux démarches", **extra},
            format="json",
        )

    def test_create_from_a_cluster_answers_sources_and_scores(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        entry = _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        response = self._create(
            field, people, client_for, clusters=[entry.cluster_id], themes=["acces_droits"]
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["decision"] == "pending"
        assert {(s["cluster"], s["contribution"]) for s in body["sources"]} == {
            (entry.cluster_id, None),
            (None, field.problems[0].pk),
            (None, field.problems[1].pk),
        }
        assert body["scores"]["distinct_supporters"] == 4
        assert body["scores"]["explanations"][0]["method"] == "union_of_source_supporters"

    def test_patch_decide_and_scores(
        self, field: Field, people: Personas, client_for: Client, api_client: APIClient
    ) -> None:
        action_id = self._create(field, people, client_for).json()["id"]
        client = client_for(people.organizer)
        patched = client.patch(
            f"/api/v1/candidate-actions/{action_id}/",
            {"easy_read_summary": "On vous aide."},
            format="json",
        )
        assert patched.json()["easy_read_summary"] == "On vous aide."
        refused = client.put(
            f"/api/v1/candidate-actions/{action_id}/decision/",
            {"decision": "not_retained"},
            format="json",
        )
        assert (refused.status_code, refused.json()["fields"]["public_answer"][0]["code"]) == (
            400,
            "required",
        )
        decided = client.put(
            f"/api/v1/candidate-actions/{action_id}/decision/",
            {"decision": "not_retained", "public_answer": "Déjà couvert par France Services."},
            format="json",
        )
        assert decided.json()["decision"] == "not_retained"
        facilitator = client_for(people.facilitator).put(
            f"/api/v1/candidate-actions/{action_id}/decision/",
            {"decision": "retained"},
            format="json",
        )
        assert (facilitator.status_code, facilitator.json()["code"]) == (403, "permission_denied")
        scores = api_client.get(f"/api/v1/candidate-actions/{action_id}/scores/")
        assert scores.status_code == 200
        assert scores.json()["distinct_supporters"] == 0

    def test_sources_link_and_unlink(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        action_id = self._create(field, people, client_for).json()["id"]
        client = client_for(people.facilitator)
        url = f"/api/v1/candidate-actions/{action_id}/sources/"
        linked = client.post(
            url,
            {
                "contribution": field.problems[2].pk,
                "relation": "answers_problem",
                "justification": "Sans équipement, pas de démarche",
            },
            format="json",
        )
        assert linked.status_code == 200, linked.json()
        source = linked.json()
        assert source["contributions"] == [field.problems[2].pk]
        deleted = client.delete(f"{url}{source['id']}/")
        assert deleted.status_code == 204
        assert client.delete(f"{url}{source['id']}/").status_code == 404

    def test_list_query_count_does_not_grow(
        self,
        field: Field,
        people: Personas,
        client_for: Client,
        api_client: APIClient,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        entry = _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        self._create(field, people, client_for, clusters=[entry.cluster_id])
        url = f"/api/v1/consultations/{field.consultation.pk}/candidate-actions/"
        with django_assert_num_queries(7):
            api_client.get(url)
        self._create(field, people, client_for, contributions=[field.proposals[0].pk])
        self._create(field, people, client_for)
        with django_assert_num_queries(7):
            assert len(api_client.get(url).json()["results"]) == 3
        assert CandidateAction.objects.count() == 3


class TestAnswers:
    def test_traceable_answer_and_unanswered_check(
        self,
        field: Field,
        people: Personas,
        client_for: Client,
        api_client: APIClient,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        entry = _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        client = client_for(people.organizer)
        action = client.post(
            f"/api/v1/consultations/{field.consultation.pk}/candidate-actions/",
            {"title": "Permanences", "clusters": [entry.cluster_id]},
            format="json",
        ).json()
        client.put(
            f"/api/v1/candidate-actions/{action['id']}/decision/",
            {"decision": "retained"},
            format="json",
        )
        answer = api_client.get(f"/api/v1/contributions/{field.problems[1].pk}/answer/").json()
        assert answer["merged_into"] == {"id": entry.cluster_id, "title": field.problems[0].title}
        assert [a["action"] for a in answer["actions"]] == [action["id"]]
        assert answer["is_answered"] is True
        own = client.put(
            f"/api/v1/contributions/{field.proposals[2].pk}/answer/",
            {"text": "Déjà financé par le département."},
            format="json",
        )
        assert own.status_code == 200
        assert own.json()["own_answer"] == "Déjà financé par le département."
        url = f"/api/v1/consultations/{field.consultation.pk}/unanswered-contributions/"
        with django_assert_num_queries(5):
            rows = api_client.get(url).json()["results"]
        assert [r["id"] for r in rows] == [
            field.problems[2].pk,
            field.proposals[0].pk,
            field.proposals[1].pk,
        ]

    def test_participants_may_not_answer(
        self, field: Field, people: Personas, client_for: Client
    ) -> None:
        response = client_for(people.participant).put(
            f"/api/v1/contributions/{field.problems[0].pk}/answer/",
            {"text": "Oui"},
            format="json",
        )
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


class TestContributionOutput:
    def test_contributions_show_the_cluster_they_are_merged_into(
        self,
        field: Field,
        people: Personas,
        api_client: APIClient,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        url = f"/api/v1/consultations/{field.consultation.pk}/contributions/?kind=problem"
        with django_assert_num_queries(4):
            api_client.get(url)
        entry = _merge(field, people, [field.problems[0].pk, field.problems[1].pk])
        with django_assert_num_queries(4):
            rows = api_client.get(url).json()["results"]
        merged = {row["id"]: row["merged_into"] for row in rows}
        expected = {"id": entry.cluster_id, "title": field.problems[0].title}
        assert merged == {
            field.problems[0].pk: expected,
            field.problems[1].pk: expected,
            field.problems[2].pk: None,
        }
        detail = api_client.get(f"/api/v1/contributions/{field.problems[1].pk}/").json()
        assert detail["merged_into"] == expected
        # The original stays readable with its author and text.
        assert detail["title"] == field.problems[1].title
        assert detail["author"]["id"] == people.outsider.pk
