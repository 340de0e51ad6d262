"""Consultation writes: creation, phase plans, publication, archiving, roles."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from backend.consultations import domain, services
from backend.consultations.models import (
    Consultation,
    ConsultationRole,
    ConsultationStatus,
    Phase,
    PhaseKind,
    RoleKind,
    Theme,
)
from backend.consultations.services import (
    consultation_archive,
    consultation_create,
    consultation_publish,
    consultation_set_phases,
    consultation_update,
    role_grant,
    role_revoke,
)
from backend.core import errors
from tests.fixtures.personas import Personas
from tests.fixtures.phases import ROUND_STARTS_AT, six_phase_plan
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db


def field_codes(error: errors.ApplicationError) -> dict[str, list[str]]:
    return {name: [item["code"] for item in items] for name, items in (error.fields or {}).items()}


def test_model_choices_match_the_domain() -> None:
    assert PhaseKind.values == [kind.value for kind in domain.PhaseKind]
    assert RoleKind.values == [role.value for role in domain.Role]
    assert ConsultationStatus.values == [status.value for status in domain.Status]


class TestCreate:
    def test_the_creator_becomes_organizer_of_a_draft_with_its_plan(
        self, tree: Tree, people: Personas
    ) -> None:
        consultation = consultation_create(
            by=people.organizer,
            title="Le numérique pour tous à Grenoble",
            territory=tree.grenoble,
            themes=["acces_droits", "equipement", "acces_droits"],
            phases=six_phase_plan(),
        )
        assert consultation.status == ConsultationStatus.DRAFT
        assert consultation.slug == "le-numerique-pour-tous-a-grenoble"
        assert consultation.themes == ["acces_droits", "equipement"]
        assert consultation.created_by == people.organizer
        roles = ConsultationRole.objects.filter(consultation=consultation)
        assert [(r.user_id, r.role) for r in roles] == [(people.organizer.pk, "organizer")]
        phases = list(consultation.phases.order_by("position"))
        assert [p.kind for p in phases] == list(PhaseKind.values)
        assert [p.position for p in phases] == [0, 1, 2, 3, 4, 5]

    def test_slugs_stay_unique(self, tree: Tree, people: Personas) -> None:
        slugs = [
            consultation_create(by=people.organizer, title="Atelier", territory=tree.grenoble).slug
            for _ in range(3)
        ]
        assert slugs == ["atelier", "atelier-2", "atelier-3"]

    def test_a_title_without_letters_still_gets_a_slug(self, tree: Tree, people: Personas) -> None:
        consultation = consultation_create(by=people.organizer, title="!!!", territory=tree.lyon)
        assert consultation.slug == "consultation"

    def test_an_ordinary_person_cannot_create(self, tree: Tree, people: Personas) -> None:
        with pytest.raises(errors.PermissionDenied):
            consultation_create(by=people.participant, title="Essai", territory=tree.grenoble)

    def test_an_unknown_theme_is_a_field_error(self, tree: Tree, people: Personas) -> None:
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_create(
                by=people.organizer, title="Essai", territory=tree.grenoble, themes=["sante", "x"]
            )
        assert field_codes(raised.value) == {"themes.1": ["invalid_choice"]}

    def test_a_bad_plan_creates_nothing(self, tree: Tree, people: Personas) -> None:
        plan = six_phase_plan()
        plan[1], plan[2] = plan[2], plan[1]
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_create(
                by=people.organizer, title="Essai", territory=tree.grenoble, phases=plan
            )
        assert field_codes(raised.value) == {"phases.2.starts_at": ["phase_out_of_order"]}
        assert not Consultation.objects.exists()


class TestSetPhases:
    def test_replaces_the_whole_plan(self, consultation: Consultation, people: Personas) -> None:
        plan = six_phase_plan(ROUND_STARTS_AT + timedelta(weeks=10))[:2]
        consultation_set_phases(by=people.organizer, consultation=consultation, phases=plan)
        phases = list(Phase.objects.filter(consultation=consultation).order_by("position"))
        assert [(p.kind, p.starts_at) for p in phases] == [(s.kind, s.starts_at) for s in plan]

    def test_overlap_and_inverted_dates_are_field_errors(
        self, consultation: Consultation, people: Personas
    ) -> None:
        plan = six_phase_plan()
        plan[1] = domain.PhaseSpec(
            kind="proposals",
            starts_at=plan[0].ends_at - timedelta(hours=1),
            ends_at=plan[1].ends_at,
        )
        plan[3] = domain.PhaseSpec(
            kind="vote", starts_at=plan[3].ends_at, ends_at=plan[3].starts_at
        )
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_set_phases(by=people.organizer, consultation=consultation, phases=plan)
        assert field_codes(raised.value) == {
            "phases.1.starts_at": ["phase_overlap"],
            "phases.3.ends_at": ["phase_ends_before_start"],
        }
        assert Phase.objects.filter(consultation=consultation).count() == 6

    def test_the_database_constraint_is_the_last_line_of_defence(
        self, consultation: Consultation, people: Personas, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Were the domain check skipped, the exclusion constraint still gives a field error."""
        monkeypatch.setattr(services, "plan_problems", lambda phases: [])
        plan = six_phase_plan()
        overlapping = [plan[0], domain.PhaseSpec("proposals", plan[0].starts_at, plan[1].ends_at)]
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_set_phases(
                by=people.organizer, consultation=consultation, phases=overlapping
            )
        assert field_codes(raised.value) == {"phases": ["phase_overlap"]}
        # The failed plan was rolled back to its savepoint and the old one is intact.
        assert Phase.objects.filter(consultation=consultation).count() == 6

    def test_the_check_constraint_is_caught_too(
        self, consultation: Consultation, people: Personas, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(services, "plan_problems", lambda phases: [])
        start = ROUND_STARTS_AT
        with pytest.raises(errors.ValidationFailed) as raised:
            consultation_set_phases(
                by=people.organizer,
                consultation=consultation,
                phases=[domain.PhaseSpec("vote", start, start - timedelta(days=1))],
            )
        assert field_codes(raised.value) == {"phases": ["phase_ends_before_start"]}

    def test_a_published_round_cannot_lose_all_its_phases(
        self, consultation: Consultation, people: Personas
    ) -> None:
        with pytest.raises(errors.NoPhases):
            consultation_set_phases(by=people.organizer, consultation=consultation, phases=[])

    @pytest.mark.parametrize("persona", ["facilitator", "moderator", "participant"])
    def test_only_organizers_set_phases(
        self, persona: str, consultation: Consultation, people: Personas
    ) -> None:
        with pytest.raises(errors.PermissionDenied):
            consultation_set_phases(
                by=getattr(people, persona), consultation=consultation, phases=six_phase_plan()
            )

    def test_staff_may_set_phases(self, consultation: Consultation, people: Personas) -> None:
        consultation_set_phases(by=people.staff, consultation=consultation, phases=six_phase_plan())


class TestStatus:
    def test_publishing_needs_a_phase(
        self, make_consultation: Callable[..., Consultation], people: Personas
    ) -> None:
        draft = make_consultation(phases=[], publish=False)
        with pytest.raises(errors.NoPhases) as raised:
            consultation_publish(by=people.organizer, consultation=draft)
        assert raised.value.code == "no_phases"

    def test_publish_then_archive(
        self, make_consultation: Callable[..., Consultation], people: Personas
    ) -> None:
        draft = make_consultation(publish=False)
        published = consultation_publish(by=people.organizer, consultation=draft)
        assert published.status == ConsultationStatus.PUBLISHED
        assert published.published_at is not None
        again = consultation_publish(by=people.organizer, consultation=published)
        assert again.published_at == published.published_at
        archived = consultation_archive(by=people.organizer, consultation=published)
        assert archived.status == ConsultationStatus.ARCHIVED
        with pytest.raises(errors.Conflict):
            consultation_publish(by=people.organizer, consultation=archived)

    def test_a_draft_cannot_be_archived(
        self, make_consultation: Callable[..., Consultation], people: Personas
    ) -> None:
        draft = make_consultation(publish=False)
        with pytest.raises(errors.Conflict):
            consultation_archive(by=people.organizer, consultation=draft)

    def test_a_facilitator_cannot_publish(
        self, make_consultation: Callable[..., Consultation], people: Personas
    ) -> None:
        draft = make_consultation(publish=False)
        with pytest.raises(errors.PermissionDenied):
            consultation_publish(by=people.facilitator, consultation=draft)


class TestUpdate:
    def test_changes_only_the_given_fields_and_keeps_the_slug(
        self, consultation: Consultation, people: Personas, tree: Tree
    ) -> None:
        slug = consultation.slug
        updated = consultation_update(
            by=people.organizer,
            consultation=consultation,
            title="Nouveau titre",
            territory=tree.metro,
            themes=[Theme.SANTE],
        )
        updated.refresh_from_db()
        assert (updated.title, updated.slug, updated.territory_id) == (
            "Nouveau titre",
            slug,
            tree.metro.pk,
        )
        assert updated.themes == ["sante"]
        assert updated.description == "Concertation sur l'inclusion numérique."

    def test_an_outsider_cannot_update(self, consultation: Consultation, people: Personas) -> None:
        with pytest.raises(errors.PermissionDenied):
            consultation_update(by=people.outsider, consultation=consultation, title="Piraté")


class TestRoles:
    def test_grant_is_idempotent(self, consultation: Consultation, people: Personas) -> None:
        first = role_grant(
            by=people.organizer,
            consultation=consultation,
            user=people.participant,
            role="moderator",
        )
        second = role_grant(
            by=people.organizer,
            consultation=consultation,
            user=people.participant,
            role="moderator",
        )
        assert first.pk == second.pk

    def test_an_unknown_role_is_a_field_error(
        self, consultation: Consultation, people: Personas
    ) -> None:
        with pytest.raises(errors.ValidationFailed):
            role_grant(
                by=people.organizer, consultation=consultation, user=people.participant, role="king"
            )

    def test_only_organizers_grant(self, consultation: Consultation, people: Personas) -> None:
        with pytest.raises(errors.PermissionDenied):
            role_grant(
                by=people.facilitator,
                consultation=consultation,
                user=people.participant,
                role="facilitator",
            )

    def test_the_last_organizer_cannot_be_removed(
        self, consultation: Consultation, people: Personas
    ) -> None:
        own = ConsultationRole.objects.get(
            consultation=consultation, user=people.organizer, role=RoleKind.ORGANIZER
        )
        with pytest.raises(errors.LastOrganizer) as raised:
            role_revoke(by=people.organizer, consultation=consultation, role=own)
        assert raised.value.code == "last_organizer"
        second = role_grant(
            by=people.organizer,
            consultation=consultation,
            user=people.participant,
            role="organizer",
        )
        role_revoke(by=people.participant, consultation=consultation, role=own)
        with pytest.raises(errors.LastOrganizer):
            role_revoke(by=people.participant, consultation=consultation, role=second)
        assert list(
            ConsultationRole.objects.filter(
                consultation=consultation, role=RoleKind.ORGANIZER
            ).values_list("user_id", flat=True)
        ) == [people.participant.pk]

    def test_a_role_of_another_consultation_is_not_found(
        self, make_consultation: Callable[..., Consultation], people: Personas
    ) -> None:
        first = make_consultation()
        second = make_consultation()
        foreign = ConsultationRole.objects.get(consultation=second, role=RoleKind.MODERATOR)
        with pytest.raises(errors.NotFound):
            role_revoke(by=people.organizer, consultation=first, role=foreign)
