"""Consultation reads: who sees drafts, the filters, constant query counts."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from backend.accounts.models import User
from backend.consultations.models import Consultation, PhaseKind
from backend.consultations.selectors import consultation_get, consultation_list
from backend.consultations.services import consultation_archive
from backend.core import errors
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase, middle_of, six_phase_plan
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def titles(user: User | AnonymousUser, **filters: Any) -> set[str]:
    return {c.title for c in consultation_list(user=user, filters=filters)}


@pytest.fixture
def rounds(make_consultation: Callable[..., Consultation], tree: Tree, people: Personas) -> None:
    make_consultation(title="Grenoble", territory=tree.grenoble, themes=("emploi",))
    make_consultation(title="Villeneuve", territory=tree.villeneuve, themes=("sante", "emploi"))
    make_consultation(title="Isère", territory=tree.isere, themes=("connexion",))
    make_consultation(title="Région", territory=tree.region, themes=())
    make_consultation(title="Lyon", territory=tree.lyon, themes=("emploi",))
    make_consultation(title="Brouillon Échirolles", territory=tree.echirolles, publish=False)
    archived = make_consultation(title="Archivée Métropole", territory=tree.metro)
    consultation_archive(by=people.organizer, consultation=archived)


PUBLIC = {"Grenoble", "Villeneuve", "Isère", "Région", "Lyon", "Archivée Métropole"}


@pytest.mark.usefixtures("rounds")
class TestVisibility:
    def test_anonymous_and_ordinary_people_see_published_and_archived(
        self, people: Personas
    ) -> None:
        assert titles(AnonymousUser()) == PUBLIC
        assert titles(people.participant) == PUBLIC

    @pytest.mark.parametrize("persona", ["organizer", "facilitator", "moderator", "staff"])
    def test_role_holders_and_staff_also_see_drafts(self, persona: str, people: Personas) -> None:
        assert titles(getattr(people, persona)) == PUBLIC | {"Brouillon Échirolles"}

    def test_a_hidden_draft_is_not_found(self, people: Personas) -> None:
        draft = Consultation.objects.get(title="Brouillon Échirolles")
        with pytest.raises(errors.NotFound):
            consultation_get(consultation_id=draft.pk, user=people.outsider)
        found = consultation_get(consultation_id=draft.pk, user=people.facilitator)
        assert found.my_roles == ["facilitator"]  # type: ignore[attr-defined]

    def test_my_roles_are_annotated(self, people: Personas) -> None:
        consultations = list(consultation_list(user=people.organizer, filters={}))
        assert {tuple(c.my_roles) for c in consultations} == {("organizer",)}  # type: ignore[attr-defined]


@pytest.mark.usefixtures("rounds")
class TestFilters:
    def test_territory_is_an_exact_match(self, tree: Tree) -> None:
        assert titles(AnonymousUser(), territory=tree.grenoble.pk) == {"Grenoble"}

    def test_territory_within(self, tree: Tree) -> None:
        assert titles(AnonymousUser(), territory_within=tree.isere.pk) == {
            "Grenoble",
            "Villeneuve",
            "Isère",
            "Archivée Métropole",
        }
        assert titles(AnonymousUser(), territory_within=tree.grenoble.pk) == {
            "Grenoble",
            "Villeneuve",
        }

    def test_territory_covering_a_commune(self, tree: Tree) -> None:
        assert titles(AnonymousUser(), territory_covering=tree.grenoble.pk) == {
            "Grenoble",
            "Isère",
            "Région",
            "Archivée Métropole",
        }
        assert titles(AnonymousUser(), territory_covering=tree.lyon.pk) == {"Lyon", "Région"}

    def test_status(self) -> None:
        assert titles(AnonymousUser(), status="archived") == {"Archivée Métropole"}

    def test_theme(self) -> None:
        assert titles(AnonymousUser(), theme="emploi") == {"Grenoble", "Villeneuve", "Lyon"}

    def test_search_on_the_title(self) -> None:
        assert titles(AnonymousUser(), search="GRENO") == {"Grenoble"}

    def test_filters_combine(self, tree: Tree) -> None:
        assert titles(AnonymousUser(), territory_within=tree.isere.pk, theme="sante") == {
            "Villeneuve"
        }

    def test_an_unknown_territory_matches_nothing(self) -> None:
        # A well-formed id is never a 400 (frontend-contract/openapi.md, query strings).
        found = consultation_list(user=AnonymousUser(), filters={"territory_within": 999999})
        assert list(found) == []

    def test_a_malformed_territory_is_a_validation_error(self) -> None:
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_list(user=AnonymousUser(), filters={"territory_within": "abc"})
        assert raised.value.fields is not None
        assert raised.value.fields["territory_within"][0]["code"] == "invalid"

    def test_an_unknown_theme_is_a_validation_error(self) -> None:
        with pytest.raises(errors.ValidationFailed):
            consultation_list(user=AnonymousUser(), filters={"theme": "astrologie"})


def test_open_phase_filter(
    make_consultation: Callable[..., Consultation], people: Personas
) -> None:
    make_consultation(title="En avance")
    later_plan = six_phase_plan(middle_of(PhaseKind.VOTE))
    make_consultation(title="En retard", phases=later_plan)
    with in_phase(PhaseKind.DIAGNOSTIC):
        assert titles(AnonymousUser(), open_phase="diagnostic") == {"En avance"}
        assert titles(AnonymousUser(), open_phase="vote") == set()
    # Wednesday of the vote week: the second round has just opened its diagnostic.
    with in_phase(PhaseKind.VOTE):
        assert titles(AnonymousUser(), open_phase="vote") == {"En avance"}
        assert titles(AnonymousUser(), open_phase="diagnostic") == {"En retard"}


@pytest.mark.parametrize("count", [1, 6])
def test_constant_query_count(
    count: int,
    make_consultation: Callable[..., Consultation],
    people: Personas,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for index in range(count):
        make_consultation(title=f"Concertation {index}")
    with django_assert_num_queries(2):
        consultations = list(consultation_list(user=people.participant, filters={}))
        for consultation in consultations:
            list(consultation.phases.all())
            _ = consultation.territory.name
    assert len(consultations) == count
