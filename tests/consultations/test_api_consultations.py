"""Consultation endpoints: status codes, error codes, output shape, query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation, ConsultationRole, PhaseKind, RoleKind
from backend.consultations.policies import ensure_allowed
from tests.fixtures.personas import Personas
from tests.fixtures.phases import ROUND_STARTS_AT, in_phase
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], APIClient]
URL = "/api/v1/consultations/"


def url(consultation: Consultation, suffix: str = "") -> str:
    return f"{URL}{consultation.pk}/{suffix}"


def iso(value: Any) -> str:
    return value.isoformat()


def plan_payload() -> list[dict[str, str]]:
    start = ROUND_STARTS_AT
    return [
        {
            "kind": "diagnostic",
            "title": "Constats",
            "starts_at": iso(start),
            "ends_at": "2026-05-11T09:00:00+02:00",
        },
        {
            "kind": "proposals",
            "starts_at": "2026-05-11T09:00:00+02:00",
            "ends_at": "2026-05-18T09:00:00+02:00",
        },
    ]


class TestList:
    def test_public_list_is_paginated_and_hides_drafts(
        self, api_client: APIClient, make_consultation: Callable[..., Consultation]
    ) -> None:
        published = make_consultation(title="Publiée")
        make_consultation(title="Brouillon", publish=False)
        response = api_client.get(URL)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        (item,) = body["results"]
        assert item["id"] == published.pk
        assert item["my_roles"] == []
        assert item["territory"]["name"] == "Grenoble"
        assert item["territory"]["kind"] == "commune"
        assert [p["kind"] for p in item["phases"]] == list(PhaseKind.values)

    def test_filters_and_ordering(
        self, api_client: APIClient, make_consultation: Callable[..., Consultation], tree: Tree
    ) -> None:
        make_consultation(title="B Grenoble", territory=tree.grenoble)
        make_consultation(title="A Lyon", territory=tree.lyon)
        make_consultation(title="C Isère", territory=tree.isere)
        params: dict[str, str | int] = {"territory_covering": tree.grenoble.pk, "ordering": "title"}
        response = api_client.get(URL, params)
        assert [item["title"] for item in response.json()["results"]] == ["B Grenoble", "C Isère"]

    def test_a_bad_filter_is_a_validation_error(self, api_client: APIClient) -> None:
        response = api_client.get(URL, {"open_phase": "apero"})
        assert response.status_code == 400
        assert response.json()["code"] == "validation_error"
        assert "open_phase" in response.json()["fields"]

    @pytest.mark.parametrize("count", [2, 7])
    def test_query_count_does_not_grow_with_the_page(
        self,
        count: int,
        client_for: ClientFor,
        people: Personas,
        make_consultation: Callable[..., Consultation],
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for index in range(count):
            make_consultation(title=f"Concertation {index}")
        client = client_for(people.facilitator)
        # count, the page with territories and roles, the phases
        with django_assert_num_queries(3):
            params: dict[str, str | int] = {"page_size": 100, "theme": "equipement"}
            response = client.get(URL, params)
        assert len(response.json()["results"]) == count
        assert {tuple(item["my_roles"]) for item in response.json()["results"]} == {
            ("facilitator",)
        }


class TestCreate:
    def payload(self, tree: Tree, **extra: Any) -> dict[str, Any]:
        return {
            "title": "Le numérique pour tous à Échirolles",
            "territory": tree.echirolles.pk,
            "themes": ["acces_droits"],
            "phases": plan_payload(),
            **extra,
        }

    def test_an_organizer_creates_a_draft(
        self, client_for: ClientFor, people: Personas, tree: Tree
    ) -> None:
        response = client_for(people.organizer).post(URL, self.payload(tree))
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "draft"
        assert body["slug"] == "le-numerique-pour-tous-a-echirolles"
        assert body["my_roles"] == ["organizer"]
        assert body["territory"] == {
            "id": tree.echirolles.pk,
            "name": "Échirolles",
            "kind": "commune",
        }
        assert [p["title"] for p in body["phases"]] == ["Constats", ""]

    def test_anonymous_gets_401(self, api_client: APIClient, tree: Tree) -> None:
        response = api_client.post(URL, self.payload(tree))
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_an_ordinary_person_gets_403(
        self, client_for: ClientFor, people: Personas, tree: Tree
    ) -> None:
        response = client_for(people.participant).post(URL, self.payload(tree))
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"

    def test_unknown_fields_are_rejected(
        self, client_for: ClientFor, people: Personas, tree: Tree
    ) -> None:
        client = client_for(people.organizer)
        response = client.post(URL, self.payload(tree, status="published"))
        assert response.status_code == 400
        assert response.json()["fields"]["status"][0]["code"] == "unknown_field"
        payload = self.payload(tree)
        payload["phases"][0]["colour"] = "red"
        response = client.post(URL, payload)
        assert response.json()["fields"]["phases.0.colour"][0]["code"] == "unknown_field"

    def test_overlapping_phases_are_field_errors(
        self, client_for: ClientFor, people: Personas, tree: Tree
    ) -> None:
        phases = plan_payload()
        phases[1]["starts_at"] = "2026-05-10T09:00:00+02:00"
        response = client_for(people.organizer).post(URL, self.payload(tree, phases=phases))
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "validation_error"
        assert body["fields"]["phases.1.starts_at"][0]["code"] == "phase_overlap"
        assert not Consultation.objects.exists()

    def test_an_unknown_theme_and_territory(
        self, client_for: ClientFor, people: Personas, tree: Tree
    ) -> None:
        payload = self.payload(tree, themes=["astrologie"], territory=999999)
        response = client_for(people.organizer).post(URL, payload)
        assert response.status_code == 400
        fields = response.json()["fields"]
        assert fields["themes.0"][0]["code"] == "invalid_choice"
        assert fields["territory"][0]["code"] == "does_not_exist"


class TestDetail:
    def test_shows_the_open_and_next_phase(
        self, api_client: APIClient, consultation: Consultation
    ) -> None:
        with in_phase(PhaseKind.DELIBERATION):
            body = api_client.get(url(consultation)).json()
        assert body["current_phase"]["kind"] == "deliberation"
        assert body["next_phase"]["kind"] == "vote"
        assert body["themes"] == ["acces_droits", "equipement"]

    def test_my_roles(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        body = client_for(people.moderator).get(url(consultation)).json()
        assert body["my_roles"] == ["moderator"]

    def test_a_draft_is_not_found_for_outsiders(
        self,
        api_client: APIClient,
        client_for: ClientFor,
        people: Personas,
        make_consultation: Callable[..., Consultation],
    ) -> None:
        draft = make_consultation(publish=False)
        assert api_client.get(url(draft)).json()["code"] == "not_found"
        assert client_for(people.outsider).get(url(draft)).status_code == 404
        assert client_for(people.facilitator).get(url(draft)).status_code == 200

    def test_patch_by_the_organizer(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).patch(
            url(consultation), {"title": "Titre revu", "themes": ["sante"]}
        )
        assert response.status_code == 200
        assert (response.json()["title"], response.json()["themes"]) == ("Titre revu", ["sante"])

    @pytest.mark.parametrize(
        ("persona", "status", "code"),
        [
            ("anonymous", 401, "not_authenticated"),
            ("facilitator", 403, "permission_denied"),
            ("outsider", 403, "permission_denied"),
        ],
    )
    def test_patch_refused(
        self,
        persona: str,
        status: int,
        code: str,
        api_client: APIClient,
        client_for: ClientFor,
        people: Personas,
        consultation: Consultation,
    ) -> None:
        client = api_client if persona == "anonymous" else client_for(getattr(people, persona))
        response = client.patch(url(consultation), {"title": "Non"})
        assert (response.status_code, response.json()["code"]) == (status, code)

    def test_phases_cannot_be_patched(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).patch(url(consultation), {"phases": []})
        assert response.status_code == 400
        assert response.json()["fields"]["phases"][0]["code"] == "unknown_field"


class TestPhasesAndStatus:
    def test_put_replaces_the_plan(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).put(
            url(consultation, "phases/"), {"phases": plan_payload()}
        )
        assert response.status_code == 200
        assert [p["kind"] for p in response.json()["phases"]] == ["diagnostic", "proposals"]

    def test_put_reports_each_bad_phase(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        phases = plan_payload()
        phases[1]["ends_at"] = phases[1]["starts_at"]
        response = client_for(people.organizer).put(
            url(consultation, "phases/"), {"phases": phases}
        )
        assert response.status_code == 400
        assert response.json()["fields"] == {
            "phases.1.ends_at": [
                {
                    "code": "phase_ends_before_start",
                    "message": "Une phase doit finir après son début.",
                }
            ]
        }

    @pytest.mark.parametrize(
        ("starts_at", "code"),
        [("0001-01-01T00:00:00", "overflow"), ("2300-01-01T00:00:00+01:00", "phase_out_of_range")],
    )
    def test_put_with_absurd_dates(
        self,
        starts_at: str,
        code: str,
        client_for: ClientFor,
        people: Personas,
        consultation: Consultation,
    ) -> None:
        phases = [{"kind": "vote", "starts_at": starts_at, "ends_at": "2300-01-02T00:00:00+01:00"}]
        response = client_for(people.organizer).put(
            url(consultation, "phases/"), {"phases": phases}
        )
        assert response.status_code == 400
        assert response.json()["fields"]["phases.0.starts_at"][0]["code"] == code

    def test_put_by_a_facilitator_is_refused(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.facilitator).put(
            url(consultation, "phases/"), {"phases": plan_payload()}
        )
        assert response.status_code == 403

    def test_publish_needs_phases(
        self,
        client_for: ClientFor,
        people: Personas,
        make_consultation: Callable[..., Consultation],
    ) -> None:
        draft = make_consultation(phases=[], publish=False)
        client = client_for(people.organizer)
        response = client.post(url(draft, "publish/"))
        assert (response.status_code, response.json()["code"]) == (409, "no_phases")
        client.put(url(draft, "phases/"), {"phases": plan_payload()})
        response = client.post(url(draft, "publish/"))
        assert (response.status_code, response.json()["status"]) == (200, "published")

    def test_archive(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).post(url(consultation, "archive/"))
        assert (response.status_code, response.json()["status"]) == (200, "archived")

    def test_archive_by_a_moderator_is_refused(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.moderator).post(url(consultation, "archive/"))
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


class TestRoles:
    def test_list_for_organizers(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).get(url(consultation, "roles/"))
        assert response.status_code == 200
        rows = {(r["user"], r["display_name"], r["role"]) for r in response.json()["results"]}
        assert rows == {
            (people.organizer.pk, "Olga Organisatrice", "organizer"),
            (people.facilitator.pk, "Fatou Animatrice", "facilitator"),
            (people.moderator.pk, "Marc Modérateur", "moderator"),
        }

    def test_list_is_refused_to_others(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        assert client_for(people.facilitator).get(url(consultation, "roles/")).status_code == 403

    @pytest.mark.parametrize("extra_roles", [0, 8])
    def test_list_query_count(
        self,
        extra_roles: int,
        client_for: ClientFor,
        make_user: Callable[..., User],
        people: Personas,
        consultation: Consultation,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for _ in range(extra_roles):
            ConsultationRole.objects.create(
                consultation=consultation, user=make_user(), role=RoleKind.MODERATOR
            )
        client = client_for(people.organizer)
        # consultation, its phases, the caller's roles, count, the page with users
        with django_assert_num_queries(5):
            response = client.get(url(consultation, "roles/"), {"page_size": 100})
        assert response.json()["count"] == 3 + extra_roles

    def test_grant_and_revoke(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        client = client_for(people.organizer)
        response = client.post(
            url(consultation, "roles/"), {"user": people.participant.pk, "role": "facilitator"}
        )
        assert response.status_code == 201
        assert response.json()["display_name"] == "Paul Participant"
        response = client.delete(url(consultation, f"roles/{response.json()['id']}/"))
        assert response.status_code == 204

    def test_grant_to_an_unknown_person(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).post(
            url(consultation, "roles/"), {"user": 999999, "role": "facilitator"}
        )
        assert response.status_code == 400
        assert response.json()["fields"]["user"][0]["code"] == "does_not_exist"

    def test_the_last_organizer_stays(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        own = ConsultationRole.objects.get(consultation=consultation, role=RoleKind.ORGANIZER)
        response = client_for(people.organizer).delete(url(consultation, f"roles/{own.pk}/"))
        assert (response.status_code, response.json()["code"]) == (409, "last_organizer")

    def test_unknown_role_id(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        response = client_for(people.organizer).delete(url(consultation, "roles/999999/"))
        assert response.status_code == 404


class TestReplicate:
    def test_replicate_on_two_communes(
        self, client_for: ClientFor, people: Personas, consultation: Consultation, tree: Tree
    ) -> None:
        response = client_for(people.organizer).post(
            url(consultation, "replicate/"),
            {
                "territories": [tree.echirolles.pk, tree.lyon.pk],
                "first_phase_starts_at": "2026-10-05T09:00:00+02:00",
                "copy_roles": True,
            },
        )
        assert response.status_code == 201
        body = response.json()
        assert [r["territory"]["name"] for r in body] == ["Échirolles", "Lyon"]
        assert {r["status"] for r in body} == {"draft"}
        assert {r["replicated_from"] for r in body} == {consultation.pk}
        assert body[0]["phases"][0]["starts_at"] == "2026-10-05T09:00:00+02:00"
        assert body[0]["my_roles"] == ["organizer"]

    def test_unknown_territory(
        self, client_for: ClientFor, people: Personas, consultation: Consultation, tree: Tree
    ) -> None:
        response = client_for(people.organizer).post(
            url(consultation, "replicate/"),
            {"territories": [tree.lyon.pk, 999999], "first_phase_starts_at": "2026-10-05T09:00"},
        )
        assert response.status_code == 400
        assert response.json()["fields"]["territories.1"][0]["code"] == "does_not_exist"

    def test_a_start_too_far_away(
        self, client_for: ClientFor, people: Personas, consultation: Consultation, tree: Tree
    ) -> None:
        response = client_for(people.organizer).post(
            url(consultation, "replicate/"),
            {"territories": [tree.lyon.pk], "first_phase_starts_at": "9999-12-31T00:00:00Z"},
        )
        assert response.status_code == 400
        assert response.json()["fields"]["first_phase_starts_at"][0]["code"] == "plan_out_of_range"

    def test_refused_to_a_facilitator(
        self, client_for: ClientFor, people: Personas, consultation: Consultation, tree: Tree
    ) -> None:
        response = client_for(people.facilitator).post(
            url(consultation, "replicate/"),
            {"territories": [tree.lyon.pk], "first_phase_starts_at": "2026-10-05T09:00"},
        )
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


class TestPermissions:
    def test_anonymous_sees_every_verb_needs_an_account(
        self, api_client: APIClient, consultation: Consultation
    ) -> None:
        response = api_client.get(url(consultation, "permissions/"))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {verb.value for verb in Verb}
        assert {entry["code"] for entry in body.values()} == {"not_authenticated"}

    def test_a_participant_during_the_diagnostic(
        self, client_for: ClientFor, people: Personas, consultation: Consultation
    ) -> None:
        with in_phase(PhaseKind.DIAGNOSTIC):
            body = client_for(people.participant).get(url(consultation, "permissions/")).json()
        assert body["submit_problem"] == {
            "allowed": True,
            "code": None,
            "open_phase": {
                "kind": "diagnostic",
                "title": "Phase 1",
                "starts_at": "2026-05-04T09:00:00+02:00",
                "ends_at": "2026-05-11T09:00:00+02:00",
            },
            "allowed_in": ["diagnostic", "proposals"],
        }
        assert body["vote"]["code"] == "phase_closed"
        assert body["vote"]["allowed_in"] == ["vote"]
        assert body["merge"]["code"] == "permission_denied"

    def test_query_count(
        self,
        client_for: ClientFor,
        people: Personas,
        consultation: Consultation,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        client = client_for(people.facilitator)
        with django_assert_num_queries(2):
            client.get(url(consultation, "permissions/"))


class VoteProbeView(APIView):
    """Stands in for a later vote endpoint: it calls the gate as every endpoint will."""

    permission_classes = [AllowAny]

    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = Consultation.objects.get(pk=consultation_id)
        ensure_allowed(user=request.user, consultation=consultation, verb=Verb.VOTE)
        return Response({"ok": True})


def test_phase_closed_is_a_409_naming_the_open_phase(
    people: Personas, consultation: Consultation
) -> None:
    from rest_framework.test import force_authenticate

    request = APIRequestFactory().post("/probe/", {}, format="json")
    force_authenticate(request, user=people.participant)
    with in_phase(PhaseKind.PROPOSALS):
        response = VoteProbeView.as_view()(request, consultation_id=consultation.pk)
    assert response.status_code == 409
    assert response.data["code"] == "phase_closed"
    assert response.data["details"] == {
        "open_phase": {
            "kind": "proposals",
            "title": "Phase 2",
            "starts_at": "2026-05-11T09:00:00+02:00",
            "ends_at": "2026-05-18T09:00:00+02:00",
        },
        "allowed_in": ["vote"],
    }


def test_themes(api_client: APIClient, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        response = api_client.get("/api/v1/themes/")
    assert response.status_code == 200
    assert response.json()[0] == {"value": "emploi", "label": "Emploi"}
    assert len(response.json()) == 11
