"""Mobile and retries: Idempotency-Key on creations, ETag on item reads, cursor pages."""

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.idempotency.models import IdempotencyRecord
from backend.proposals.api.pagination import cursor_encode
from backend.proposals.models import Contribution, Endorsement, ParticipantCard
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

pytestmark = pytest.mark.django_db


def _list_url(consultation: Consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/contributions/"


def _problem(**extra: Any) -> dict[str, Any]:
    return {"kind": "problem", "title": "Pas d'ordi", "body": "jpeu pas fer mes demarches", **extra}


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


@pytest.mark.usefixtures("in_diagnostic")
class TestIdempotentCreations:
    def test_contribution_replay_returns_the_first_response(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        client = client_for(people.participant)
        url = _list_url(consultation)
        first = client.post(url, _problem(), format="json", headers=_key("k-1"))
        again = client.post(url, _problem(), format="json", headers=_key("k-1"))
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert not first.has_header("Idempotent-Replayed")
        assert Contribution.objects.count() == 1

    def test_same_key_other_body_is_refused(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        client = client_for(people.participant)
        url = _list_url(consultation)
        assert client.post(url, _problem(), format="json", headers=_key("k")).status_code == 201
        other = client.post(url, _problem(title="Autre"), format="json", headers=_key("k"))
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"
        assert Contribution.objects.count() == 1

    def test_keys_are_scoped_to_the_caller(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        url = _list_url(consultation)
        for user in (people.participant, people.outsider):
            response = client_for(user).post(url, _problem(), format="json", headers=_key("k"))
            assert response.status_code == 201
        assert Contribution.objects.count() == 2

    def test_a_refused_creation_frees_the_key(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        client = client_for(people.participant)
        url = _list_url(consultation)
        refused = client.post(url, _problem(origin="paper"), format="json", headers=_key("k"))
        assert refused.status_code == 403
        assert IdempotencyRecord.objects.count() == 0
        retry = client.post(url, _problem(origin="paper"), format="json", headers=_key("k"))
        assert retry.status_code == 403
        assert Contribution.objects.count() == 0

    def test_invalid_key_is_a_validation_error(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation), _problem(), format="json", headers=_key("é" * 3)
        )
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert response.json()["fields"]["Idempotency-Key"][0]["code"] == (
            "invalid_idempotency_key"
        )

    def test_participant_card_replay(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        client = client_for(people.facilitator)
        url = f"/api/v1/consultations/{consultation.pk}/participant-cards/"
        data = {"label": "M. B.", "consent_given": True, "consent_note": "oral"}
        first = client.post(url, data, format="json", headers=_key("card"))
        again = client.post(url, data, format="json", headers=_key("card"))
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert ParticipantCard.objects.filter(consultation=consultation).count() == 1
        other = client.post(url, {**data, "label": "Mme C."}, format="json", headers=_key("card"))
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"

    def test_endorsement_replay(
        self,
        people: Personas,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
    ) -> None:
        problem = make_problem()
        client = client_for(people.outsider)
        url = f"/api/v1/contributions/{problem.pk}/endorsement/"
        first = client.post(url, {}, format="json", headers=_key("plus-un"))
        again = client.post(url, {}, format="json", headers=_key("plus-un"))
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Endorsement.objects.filter(contribution=problem).count() == 1
        other = client.post(
            f"/api/v1/contributions/{make_problem().pk}/endorsement/",
            {},
            format="json",
            headers=_key("plus-un"),
        )
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"


@pytest.mark.usefixtures("in_diagnostic")
class TestConditionalRead:
    def test_etag_then_304_then_changed_after_an_edit(
        self,
        people: Personas,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
        api_client: APIClient,
    ) -> None:
        problem = make_problem()
        url = f"/api/v1/contributions/{problem.pk}/"
        first = api_client.get(url)
        assert first.status_code == 200
        etag = first["ETag"]
        cached = api_client.get(url, headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert cached["ETag"] == etag
        assert cached.content == b""
        edited = client_for(people.participant).patch(
            url, {"title": "Titre corrigé"}, format="json"
        )
        assert edited.status_code == 200
        fresh = api_client.get(url, headers={"If-None-Match": etag})
        assert fresh.status_code == 200
        assert fresh["ETag"] != etag
        assert fresh.json()["title"] == "Titre corrigé"

    def test_hidden_drafts_stay_404_with_an_etag(
        self, people: Personas, make_problem: Callable[..., Contribution], api_client: APIClient
    ) -> None:
        draft = make_problem(publish=False)
        response = api_client.get(
            f"/api/v1/contributions/{draft.pk}/", headers={"If-None-Match": "*"}
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def _walk(
    client: APIClient,
    url: str,
    *,
    page_size: int,
    between: Callable[[int], None],
    **filters: str,
) -> list[int]:
    """Follow next_cursor to the end; `between(n)` runs after the n-th page."""
    seen: list[int] = []
    params: dict[str, Any] = {"pagination": "cursor", "page_size": page_size, **filters}
    for number in range(1, 100):
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert "count" not in body
        seen += [item["id"] for item in body["results"]]
        between(number)
        if body["next_cursor"] is None:
            assert body["next"] is None
            return seen
        assert "cursor=" in body["next"]
        params["cursor"] = body["next_cursor"]
    raise AssertionError("the cursor walk did not end")


class TestCursorPages:
    def test_walk_sees_every_published_contribution_once_while_others_are_published(
        self,
        consultation: Consultation,
        people: Personas,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
    ) -> None:
        existing: list[int] = []
        # Two instants with several contributions each: ties broken by id.
        for minutes in (0, 5):
            with in_phase(PhaseKind.DIAGNOSTIC) as clock:
                clock.shift(minutes * 60)
                existing += [make_problem(title=f"Constat {minutes}-{n}").pk for n in range(4)]
        with in_phase(PhaseKind.DIAGNOSTIC):
            make_problem(title="Brouillon", publish=False)
        late: list[int] = []

        def publish_more(number: int) -> None:
            with in_phase(PhaseKind.DIAGNOSTIC) as clock:
                clock.shift(600 + number)
                late.append(make_problem(title=f"Tardif {number}").pk)

        seen = _walk(api_client, _list_url(consultation), page_size=3, between=publish_more)
        assert sorted(seen) == sorted(existing)
        assert len(seen) == len(set(seen))
        # Same order as the page-numbered recent list.
        numbered = api_client.get(_list_url(consultation), {"page_size": 100}).json()
        assert [i for i in (item["id"] for item in numbered["results"]) if i in existing] == seen
        assert late

    def test_filters_apply_to_cursor_pages(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
        in_diagnostic: None,
    ) -> None:
        kept = [make_problem(theme="equipement").pk for _ in range(3)]
        make_problem(theme="acces_droits")
        seen = _walk(
            api_client,
            _list_url(consultation),
            page_size=2,
            between=lambda _: None,
            theme="equipement",
        )
        assert seen == sorted(kept, reverse=True)

    @pytest.mark.parametrize(
        "cursor",
        [
            "nope",
            "!!!",
            base64.urlsafe_b64encode(b"not json").decode(),
            base64.urlsafe_b64encode(b'{"a": 1}').decode(),
            base64.urlsafe_b64encode(b'["2026-01-01T00:00:00", 3]').decode(),
            base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", "3"]').decode(),
            base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", 1e400]').decode(),
            base64.urlsafe_b64encode(
                b'["2026-01-01T00:00:00+00:00", 99999999999999999999]'
            ).decode(),
            base64.urlsafe_b64encode(b'["0001-01-01T00:00:00+14:00", 3]').decode(),
            base64.urlsafe_b64encode(b'["9999-12-31T23:59:59-12:00", 3]').decode(),
            base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", true]').decode(),
            base64.urlsafe_b64encode(b"[null, 3]").decode(),
            base64.urlsafe_b64encode('["é", 3]'.encode()).decode(),
            base64.urlsafe_b64encode(b"\xff\xfe").decode(),
            "A" * 500,
            "",
        ],
    )
    def test_tampered_cursor_is_a_validation_error(
        self, consultation: Consultation, api_client: APIClient, cursor: str
    ) -> None:
        response = api_client.get(
            _list_url(consultation), {"pagination": "cursor", "cursor": cursor}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert response.json()["fields"]["cursor"][0]["code"] == "invalid_cursor"

    def test_a_malformed_cursor_is_refused_in_page_mode_too(
        self, consultation: Consultation, api_client: APIClient
    ) -> None:
        """Found by schemathesis: a cursor over its documented length was ignored (200)."""
        response = api_client.get(_list_url(consultation), {"cursor": "0" * 201})
        assert response.status_code == 400
        assert response.json()["fields"]["cursor"][0]["code"] == "invalid_cursor"

    def test_cursor_needs_the_recent_order(
        self, consultation: Consultation, api_client: APIClient
    ) -> None:
        for params in ({"ordering": "endorsed"}, {"ordering": "random", "seed": "x"}):
            response = api_client.get(_list_url(consultation), {"pagination": "cursor", **params})
            assert response.status_code == 400
            assert response.json()["fields"]["pagination"][0]["code"] == (
                "cursor_needs_recent_order"
            )
        unknown = api_client.get(_list_url(consultation), {"pagination": "offset"})
        assert unknown.status_code == 400
        assert unknown.json()["code"] == "validation_error"

    def test_a_well_formed_cursor_from_elsewhere_is_harmless(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
        in_diagnostic: None,
    ) -> None:
        problem = make_problem()
        cursor = cursor_encode(problem.published_at or problem.created_at, problem.pk + 1)
        response = api_client.get(
            _list_url(consultation), {"pagination": "cursor", "cursor": cursor}
        )
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["results"]] == [problem.pk]

    def test_page_size_is_capped_and_queries_constant(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
        in_diagnostic: None,
    ) -> None:
        for index in range(4):
            make_problem(title=f"Constat {index}")

        def count(page_size: int, cursor: str | None = None) -> tuple[int, dict[str, Any]]:
            params: dict[str, Any] = {"pagination": "cursor", "page_size": page_size}
            if cursor:
                params["cursor"] = cursor
            with CaptureQueriesContext(connection) as queries:
                response = api_client.get(_list_url(consultation), params)
            assert response.status_code == 200
            return len(queries), response.json()

        small, first = count(1)
        assert len(first["results"]) == 1
        large, _ = count(3, first["next_cursor"])
        assert small == large
        for index in range(110):
            make_problem(title=f"Autre {index}")
        capped, body = count(1000)
        assert len(body["results"]) == 100
        assert capped == small


@pytest.mark.usefixtures("in_diagnostic")
class TestDeferredPages:
    """endorsed and random pages sort ids first, then read the page's rows."""

    @pytest.mark.parametrize(
        "ordering", [{"ordering": "random", "seed": "s"}, {"ordering": "endorsed"}]
    )
    def test_pages_follow_the_order_with_constant_queries(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
        ordering: dict[str, str],
    ) -> None:
        for index in range(7):
            make_problem(title=f"Constat {index}")

        def page(number: int, size: int) -> tuple[int, list[int]]:
            params: dict[str, str | int] = {**ordering, "page": number, "page_size": size}
            with CaptureQueriesContext(connection) as queries:
                response = api_client.get(_list_url(consultation), params)
            assert response.status_code == 200
            assert response.json()["count"] == 7
            return len(queries), [item["id"] for item in response.json()["results"]]

        small, whole = page(1, 100)
        walked: list[int] = []
        for number in (1, 2, 3):
            queries, ids = page(number, 3)
            assert queries == small
            walked += ids
        assert walked == whole
        assert len(set(whole)) == 7
