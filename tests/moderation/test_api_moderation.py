"""Moderation endpoints: reports, the queue, hide/restore/dismiss, the public log."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.consultations.models import Consultation
from backend.moderation.models import Report
from backend.moderation.services import content_hide, report_create
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db

Client = Callable[[User], APIClient]


def _report_url(contribution: Contribution) -> str:
    return f"/api/v1/contributions/{contribution.pk}/reports/"


def _moderation_url(consultation: Consultation, what: str) -> str:
    return f"/api/v1/consultations/{consultation.pk}/moderation/{what}/"


def _hide(
    client: APIClient,
    target: Contribution | Comment,
    reason: str = "Publicité",
    *,
    what: str = "hide",
) -> Any:
    kind = "contribution" if isinstance(target, Contribution) else "comment"
    assert target.consultation is not None
    return client.post(
        _moderation_url(target.consultation, what),
        {"target_kind": kind, "target_id": target.pk, "reason": reason},
        format="json",
    )


class TestReports:
    def test_anonymous_cannot_report(self, api_client: APIClient, problem: Contribution) -> None:
        response = api_client.post(_report_url(problem), {"reason": "spam"}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_signed_in_reports_and_again_gets_the_same(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        client = client_for(people.outsider)
        first = client.post(_report_url(problem), {"reason": "spam", "text": "pub"}, format="json")
        assert first.status_code == 201, first.json()
        body = first.json()
        assert (body["target_kind"], body["target_id"], body["resolution"]) == (
            "contribution",
            problem.pk,
            None,
        )
        again = client.post(_report_url(problem), {"reason": "abuse"}, format="json")
        assert again.status_code == 200
        assert again.json()["id"] == body["id"]

    def test_idempotency_key_replays(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        client = client_for(people.outsider)
        headers = {"Idempotency-Key": "rapport-1"}
        first = client.post(
            _report_url(problem), {"reason": "spam"}, format="json", headers=headers
        )
        replay = client.post(
            _report_url(problem), {"reason": "spam"}, format="json", headers=headers
        )
        assert (first.status_code, replay.status_code) == (201, 201)
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert Report.objects.count() == 1

    def test_report_a_comment(self, comment: Comment, people: Personas, client_for: Client) -> None:
        response = client_for(people.participant).post(
            f"/api/v1/comments/{comment.pk}/reports/", {"reason": "personal_data"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["target_kind"] == "comment"

    @pytest.mark.parametrize(
        ("payload", "field", "code"),
        [
            ({"reason": "moche"}, "reason", "invalid_choice"),
            ({}, "reason", "required"),
            ({"reason": "spam", "text": "x" * 1001}, "text", "max_length"),
            ({"reason": "spam", "who": 1}, "who", "unknown_field"),
        ],
    )
    def test_invalid_reports(
        self,
        problem: Contribution,
        people: Personas,
        client_for: Client,
        payload: dict[str, Any],
        field: str,
        code: str,
    ) -> None:
        response = client_for(people.outsider).post(_report_url(problem), payload, format="json")
        assert response.status_code == 400
        assert response.json()["fields"][field][0]["code"] == code

    def test_unknown_targets(self, people: Personas, client_for: Client) -> None:
        client = client_for(people.outsider)
        for url in ("/api/v1/contributions/999999/reports/", "/api/v1/comments/999999/reports/"):
            response = client.post(url, {"reason": "spam"}, format="json")
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"

    def test_hidden_target_is_a_conflict(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        content_hide(by=people.moderator, contribution=problem, reason="Spam")
        response = client_for(people.outsider).post(
            _report_url(problem), {"reason": "spam"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "already_hidden"


class TestHideAndRestore:
    def test_participant_cannot_hide(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        response = _hide(client_for(people.participant), problem)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_anonymous_cannot_hide(self, api_client: APIClient, problem: Contribution) -> None:
        assert _hide(api_client, problem).status_code == 401

    def test_hidden_contribution_leaves_the_list_and_shows_a_placeholder(
        self,
        consultation: Consultation,
        problem: Contribution,
        api_client: APIClient,
        people: Personas,
        client_for: Client,
    ) -> None:
        list_url = f"/api/v1/consultations/{consultation.pk}/contributions/"
        assert api_client.get(list_url).json()["count"] == 1

        response = _hide(client_for(people.moderator), problem, "Message publicitaire")
        assert response.status_code == 200, response.json()
        assert response.json()["action"] == "hide"

        assert api_client.get(list_url).json()["count"] == 0
        detail = api_client.get(f"/api/v1/contributions/{problem.pk}/").json()
        assert detail["status"] == "hidden"
        assert (detail["title"], detail["body"]) == (None, None)
        assert detail["hidden_reason"] == "Message publicitaire"

        again = _hide(client_for(people.moderator), problem)
        assert again.status_code == 409
        assert again.json()["code"] == "already_hidden"

        restored = _hide(client_for(people.moderator), problem, "Erreur", what="restore")
        assert restored.status_code == 200, restored.json()
        assert api_client.get(list_url).json()["count"] == 1
        detail = api_client.get(f"/api/v1/contributions/{problem.pk}/").json()
        assert (detail["status"], detail["title"], detail["hidden_reason"]) == (
            "published",
            problem.title,
            "",
        )

    def test_restoring_what_is_not_hidden(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        response = _hide(client_for(people.organizer), problem, "Erreur", what="restore")
        assert response.status_code == 409
        assert response.json()["code"] == "not_hidden"

    def test_hide_a_comment(self, comment: Comment, people: Personas, client_for: Client) -> None:
        response = _hide(client_for(people.moderator), comment, "Numéro de téléphone")
        assert response.status_code == 200, response.json()
        assert (response.json()["target_kind"], response.json()["contribution"]) == (
            "comment",
            comment.contribution_id,
        )

    def test_target_of_another_consultation_is_not_found(
        self,
        make_consultation: Callable[..., Consultation],
        problem: Contribution,
        people: Personas,
        client_for: Client,
    ) -> None:
        other = make_consultation(title="Lyon")
        response = client_for(people.moderator).post(
            _moderation_url(other, "hide"),
            {"target_kind": "contribution", "target_id": problem.pk, "reason": "Spam"},
            format="json",
        )
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("payload", "field", "code"),
        [
            ({"target_kind": "contribution", "target_id": 1, "reason": " "}, "reason", "blank"),
            ({"target_kind": "candidate", "target_id": 1, "reason": "x"}, "target_kind", None),
            ({"target_kind": "comment", "target_id": 2**70, "reason": "x"}, "target_id", None),
            ({"target_kind": "comment", "target_id": 1, "reason": "x" * 501}, "reason", None),
        ],
    )
    def test_invalid_actions(
        self,
        consultation: Consultation,
        people: Personas,
        client_for: Client,
        payload: dict[str, Any],
        field: str,
        code: str | None,
    ) -> None:
        response = client_for(people.moderator).post(
            _moderation_url(consultation, "hide"), payload, format="json"
        )
        assert response.status_code == 400
        assert field in response.json()["fields"]
        if code:
            assert response.json()["fields"][field][0]["code"] == code


class TestDismiss:
    def test_moderator_dismisses(
        self, problem: Contribution, people: Personas, client_for: Client
    ) -> None:
        report, _ = report_create(by=people.outsider, contribution=problem, reason="spam")
        url = f"/api/v1/reports/{report.pk}/dismiss/"
        assert client_for(people.participant).post(url, {}, format="json").status_code == 403
        response = client_for(people.moderator).post(
            url, {"reason": "Rien à redire"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["action"] == "dismiss"
        again = client_for(people.moderator).post(url, {}, format="json")
        assert again.status_code == 409
        assert again.json()["code"] == "report_resolved"

    def test_unknown_report(self, people: Personas, client_for: Client) -> None:
        response = client_for(people.moderator).post("/api/v1/reports/999999/dismiss/", {})
        assert response.status_code == 404


class TestQueue:
    def test_only_moderators_and_organizers(
        self,
        consultation: Consultation,
        api_client: APIClient,
        people: Personas,
        client_for: Client,
    ) -> None:
        url = _moderation_url(consultation, "queue")
        assert api_client.get(url).status_code == 401
        for persona in (people.participant, people.facilitator):
            response = client_for(persona).get(url)
            assert response.status_code == 403
            assert response.json()["code"] == "permission_denied"
        for persona in (people.moderator, people.organizer):
            assert client_for(persona).get(url).status_code == 200

    def test_queue_items_and_constant_queries(
        self,
        consultation: Consultation,
        publish_problem: Callable[..., Contribution],
        make_comment: Callable[..., Comment],
        people: Personas,
        client_for: Client,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        client = client_for(people.moderator)
        url = _moderation_url(consultation, "queue")

        def report_some(n: int) -> None:
            for index in range(n):
                contribution = publish_problem(title=f"Problème {index}")
                report_create(by=people.outsider, contribution=contribution, reason="spam")
                report_create(by=people.facilitator, contribution=contribution, reason="abuse")
                report_create(
                    by=people.outsider, comment=make_comment(on=contribution), reason="spam"
                )

        report_some(1)
        with django_assert_num_queries(7):
            response = client.get(url)
        body = response.json()
        assert body["count"] == 2
        first = body["results"][0]
        assert first["target_kind"] == "contribution"
        assert first["report_count"] == 2
        assert first["latest_reasons"] == ["abuse", "spam"]
        assert first["target"]["title"] == "Problème 0"
        assert "Fatou Animatrice" not in str(body)  # moderators do not see who reported
        report_some(4)
        with django_assert_num_queries(7):
            response = client.get(url, {"page_size": 100})
        assert response.json()["count"] == 10


class TestLog:
    def test_public_log_without_reporters(
        self,
        consultation: Consultation,
        problem: Contribution,
        comment: Comment,
        api_client: APIClient,
        people: Personas,
        client_for: Client,
    ) -> None:
        report_create(by=people.facilitator, contribution=problem, reason="spam", text="secret")
        moderator = client_for(people.moderator)
        _hide(moderator, problem, "Publicité")
        _hide(moderator, comment, "Insulte")
        _hide(moderator, problem, "Erreur", what="restore")

        response = api_client.get(_moderation_url(consultation, "log"))
        assert response.status_code == 200
        body = response.json()
        assert [(e["action"], e["target_kind"], e["reason"]) for e in body["results"]] == [
            ("restore", "contribution", "Erreur"),
            ("hide", "comment", "Insulte"),
            ("hide", "contribution", "Publicité"),
        ]
        assert body["results"][0]["moderator"] == {"display_name": "Marc Modérateur"}
        assert body["results"][1]["contribution"] == problem.pk
        text = str(body)
        assert "Fatou Animatrice" not in text
        assert "secret" not in text
        assert "@" not in text

    def test_log_query_count_is_constant(
        self,
        consultation: Consultation,
        publish_problem: Callable[..., Contribution],
        make_comment: Callable[..., Comment],
        api_client: APIClient,
        people: Personas,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        url = _moderation_url(consultation, "log")

        def act(n: int) -> None:
            for index in range(n):
                contribution = publish_problem(title=f"P{index}")
                comment = make_comment(on=contribution)
                content_hide(by=people.moderator, contribution=contribution, reason="Spam")
                content_hide(by=people.organizer, comment=comment, reason="Spam")

        act(1)
        with django_assert_num_queries(4):
            assert api_client.get(url).json()["count"] == 2
        act(5)
        with django_assert_num_queries(4):
            assert api_client.get(url, {"page_size": 100}).json()["count"] == 12

    def test_log_of_an_unknown_consultation(self, api_client: APIClient) -> None:
        assert api_client.get("/api/v1/consultations/999999/moderation/log/").status_code == 404
