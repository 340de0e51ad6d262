"""Contribution endpoints: status and error codes, outputs, filters, orderings, query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.proposals.models import Contribution, ParticipantCard
from backend.proposals.services import endorsement_add
from backend.structures.services import structure_create
from tests.fixtures.personas import Personas
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def _list_url(consultation: Consultation) -> str:
    return f"/api/v1/consultations/{consultation.pk}/contributions/"


def _problem(**extra: Any) -> dict[str, Any]:
    return {"kind": "problem", "title": "Pas d'ordi", "body": "jpeu pas fer mes demarches", **extra}


@pytest.mark.usefixtures("in_diagnostic")
class TestCreate:
    def test_participant_creates_a_problem(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation), _problem(publics=["seniors"]), format="json"
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["author"] == {
            "kind": "user",
            "id": people.participant.pk,
            "display_name": "Paul Participant",
        }
        assert body["entered_by"] is None
        assert body["origin"] == "web"
        assert "email" not in str(body)

    def test_participant_cannot_claim_paper(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation), _problem(origin="paper"), format="json"
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_participant_cannot_act_on_behalf(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation),
            _problem(on_behalf_of_user=people.outsider.pk),
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_facilitator_enters_paper_for_a_card(
        self,
        consultation: Consultation,
        people: Personas,
        card: ParticipantCard,
        client_for: Callable[[User], APIClient],
    ) -> None:
        response = client_for(people.facilitator).post(
            _list_url(consultation),
            _problem(
                origin="paper",
                on_behalf_of_card=card.pk,
                captured_at="2026-05-05T10:00:00+02:00",
            ),
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["author"] == {"kind": "card", "label": "Mme R., 72 ans"}
        assert body["entered_by"] == {"display_name": "Fatou Animatrice"}
        assert body["captured_at"].startswith("2026-05-05T10:00:00")

    def test_proposal_refused_in_diagnostic(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation), _problem(kind="proposal"), format="json"
        )
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "phase_closed"
        assert body["details"]["open_phase"]["kind"] == "diagnostic"
        assert body["details"]["allowed_in"] == ["proposals"]

    def test_territory_outside_refused(
        self,
        consultation: Consultation,
        people: Personas,
        tree: Tree,
        client_for: Callable[[User], APIClient],
    ) -> None:
        response = client_for(people.participant).post(
            _list_url(consultation), _problem(territory=tree.lyon.pk), format="json"
        )
        assert response.status_code == 400
        assert response.json()["fields"]["territory"][0]["code"] == "not_in_consultation_territory"

    def test_unknown_fields_and_limits(
        self, consultation: Consultation, people: Personas, client_for: Callable[[User], APIClient]
    ) -> None:
        client = client_for(people.participant)
        response = client.post(_list_url(consultation), _problem(votes=3), format="json")
        assert response.status_code == 400
        assert response.json()["fields"]["votes"][0]["code"] == "unknown_field"
        response = client.post(_list_url(consultation), _problem(title="x" * 141), format="json")
        assert response.status_code == 400
        error = response.json()["fields"]["title"][0]
        assert error["code"] == "max_length"
        assert "140" in error["message"]
        response = client.post(
            _list_url(consultation), _problem(estimated_cost_eur=10**12), format="json"
        )
        assert response.status_code == 400

    def test_anonymous_cannot_post(self, consultation: Consultation, api_client: APIClient) -> None:
        response = api_client.post(_list_url(consultation), _problem(), format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.usefixtures("in_diagnostic")
class TestReading:
    def test_drafts_invisible_to_others(
        self,
        consultation: Consultation,
        people: Personas,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
        api_client: APIClient,
    ) -> None:
        draft = make_problem(publish=False)
        url = f"/api/v1/contributions/{draft.pk}/"
        assert client_for(people.participant).get(url).status_code == 200
        assert client_for(people.outsider).get(url).status_code == 404
        assert api_client.get(url).status_code == 404
        assert api_client.get(_list_url(consultation)).json()["count"] == 0
        mine = client_for(people.participant).get(_list_url(consultation), {"status": "draft"})
        assert mine.json()["count"] == 1
        theirs = client_for(people.outsider).get(_list_url(consultation), {"status": "draft"})
        assert theirs.json()["count"] == 0

    def test_versions_after_edit(
        self,
        people: Personas,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
        api_client: APIClient,
    ) -> None:
        problem = make_problem()
        client = client_for(people.participant)
        response = client.patch(
            f"/api/v1/contributions/{problem.pk}/", {"title": "Titre corrigé"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Titre corrigé"
        versions = api_client.get(f"/api/v1/contributions/{problem.pk}/versions/").json()
        assert versions["count"] == 1
        assert versions["results"][0]["title"] == "Renouveler son titre de séjour en ligne"
        refused = client_for(people.outsider).patch(
            f"/api/v1/contributions/{problem.pk}/", {"title": "Pirate"}, format="json"
        )
        assert refused.status_code == 403

    def test_search_without_accents(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
    ) -> None:
        wanted = make_problem(title="Démarches en préfecture", body="Les démarches sont dures.")
        make_problem(title="Pas de réseau", body="Aucune connexion au quartier.")
        for text in ("demarches", "démarche", "PREFECTURE"):
            found = api_client.get(_list_url(consultation), {"q": text}).json()
            assert [item["id"] for item in found["results"]] == [wanted.pk], text

    def test_random_order_stable_per_seed(
        self,
        consultation: Consultation,
        make_problem: Callable[..., Contribution],
        api_client: APIClient,
    ) -> None:
        for index in range(12):
            make_problem(title=f"Constat {index}")

        def order(seed: str) -> list[int]:
            params: dict[str, str | int] = {"ordering": "random", "seed": seed, "page_size": 50}
            response = api_client.get(_list_url(consultation), params)
            return [item["id"] for item in response.json()["results"]]

        assert order("abc") == order("abc")
        assert order("abc") != order("xyz")
        assert sorted(order("abc")) == sorted(order("xyz"))

    def test_filters_and_endorsed_ordering(
        self,
        consultation: Consultation,
        people: Personas,
        tree: Tree,
        make_problem: Callable[..., Contribution],
        card: ParticipantCard,
        api_client: APIClient,
    ) -> None:
        in_villeneuve = make_problem(territory=tree.villeneuve, theme="equipement")
        on_paper = make_problem(by=people.facilitator, origin="paper", on_behalf_of_card=card)
        endorsement_add(by=people.outsider, contribution=on_paper)

        def ids(**params: Any) -> list[int]:
            response = api_client.get(_list_url(consultation), params)
            assert response.status_code == 200, response.json()
            return [item["id"] for item in response.json()["results"]]

        assert ids(territory_within=tree.villeneuve.pk) == [in_villeneuve.pk]
        assert set(ids(territory_within=tree.grenoble.pk)) == {in_villeneuve.pk, on_paper.pk}
        assert ids(theme="equipement") == [in_villeneuve.pk]
        assert ids(origin="paper") == [on_paper.pk]
        assert ids(kind="proposal") == []
        assert ids(has_problem="true") == []
        assert ids(ordering="endorsed")[0] == on_paper.pk
        bad = api_client.get(_list_url(consultation), {"kind": "nope"})
        assert bad.status_code == 400

    def test_query_count_constant_whatever_the_page_size(
        self,
        consultation: Consultation,
        people: Personas,
        make_problem: Callable[..., Contribution],
        card: ParticipantCard,
        client_for: Callable[[User], APIClient],
    ) -> None:
        client = client_for(people.outsider)
        for index in range(3):
            make_problem(title=f"Constat {index}")
        make_problem(by=people.facilitator, origin="paper", on_behalf_of_card=card)

        def count(page_size: int) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(_list_url(consultation), {"page_size": page_size})
            assert response.status_code == 200
            assert len(response.json()["results"]) == page_size
            return len(queries)

        small = count(1)
        for index in range(10):
            make_problem(title=f"Autre {index}")
        assert count(12) == small
        assert small <= 5


@pytest.mark.usefixtures("in_diagnostic")
class TestEndorsementAndCards:
    def test_endorse_twice_is_idempotent(
        self,
        people: Personas,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
    ) -> None:
        problem = make_problem()
        client = client_for(people.outsider)
        url = f"/api/v1/contributions/{problem.pk}/endorsement/"
        assert client.post(url, {}, format="json").json()["endorsement_count"] == 1
        again = client.post(url, {}, format="json").json()
        assert again["endorsement_count"] == 1
        assert again["endorsed_by_me"] is True
        assert client.delete(url, {}, format="json").json()["endorsement_count"] == 0

    def test_a_structure_s_endorsement_is_withdrawn_through_the_query_string(
        self,
        people: Personas,
        tree: Tree,
        make_problem: Callable[..., Contribution],
        client_for: Callable[[User], APIClient],
    ) -> None:
        problem = make_problem()
        structure = structure_create(
            creator=people.outsider,
            name="Emmaüs Connect",
            type="association",
            territory=tree.grenoble,
        )
        client = client_for(people.outsider)
        url = f"/api/v1/contributions/{problem.pk}/endorsement/"
        added = client.post(url, {"structure": structure.pk}, format="json")
        assert added.json()["endorsement_count"] == 1
        # In a JSON body an id is a number: its text is refused, and nothing is withdrawn.
        as_text = client.delete(url, {"structure": str(structure.pk)}, format="json")
        assert as_text.status_code == 400
        assert list(as_text.json()["fields"]) == ["structure"]
        # A query string is all text: the same id is read as a number there.
        withdrawn = client.delete(f"{url}?structure={structure.pk}")
        assert withdrawn.status_code == 200, withdrawn.json()
        assert withdrawn.json()["endorsement_count"] == 0

    def test_cards_for_facilitators_only(
        self,
        consultation: Consultation,
        people: Personas,
        card: ParticipantCard,
        client_for: Callable[[User], APIClient],
        api_client: APIClient,
    ) -> None:
        url = f"/api/v1/consultations/{consultation.pk}/participant-cards/"
        listed = client_for(people.facilitator).get(url).json()
        assert listed["results"] == [{"id": card.pk, "label": "Mme R., 72 ans"}]
        assert client_for(people.participant).get(url).status_code == 403
        assert api_client.get(url).status_code == 401
        created = client_for(people.facilitator).post(
            url, {"label": "M. B.", "consent_given": True, "consent_note": "written"}, format="json"
        )
        assert created.status_code == 201
        refused = client_for(people.participant).post(
            url, {"label": "M. B.", "consent_given": True, "consent_note": "written"}, format="json"
        )
        assert refused.status_code == 403
        no_consent = client_for(people.facilitator).post(
            url, {"label": "M. C.", "consent_given": False, "consent_note": "oral"}, format="json"
        )
        assert no_consent.json()["fields"]["consent_given"][0]["code"] == "consent_required"
