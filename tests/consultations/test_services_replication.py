"""Replicating a consultation on other territories."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from backend.consultations.models import (
    Consultation,
    ConsultationRole,
    ConsultationStatus,
    RoleKind,
)
from backend.consultations.services import consultation_replicate
from backend.core import errors
from tests.fixtures.personas import Personas
from tests.fixtures.phases import PARIS
from tests.fixtures.territories import Tree

pytestmark = pytest.mark.django_db

NEW_START = datetime(2026, 10, 5, 9, 0, tzinfo=PARIS)


def roles_of(consultation: Consultation) -> set[tuple[int, str]]:
    return set(
        ConsultationRole.objects.filter(consultation=consultation).values_list("user_id", "role")
    )


def test_one_draft_per_territory_with_the_plan_shifted(
    consultation: Consultation, people: Personas, tree: Tree
) -> None:
    replicas = consultation_replicate(
        by=people.organizer,
        source=consultation,
        territories=[tree.echirolles, tree.lyon],
        first_phase_starts_at=NEW_START,
    )
    assert [r.territory_id for r in replicas] == [tree.echirolles.pk, tree.lyon.pk]
    assert [r.title for r in replicas] == [
        "Le numérique pour tous à Grenoble — Échirolles",
        "Le numérique pour tous à Grenoble — Lyon",
    ]
    source_phases = list(consultation.phases.order_by("position"))
    delta = NEW_START - source_phases[0].starts_at
    for replica in replicas:
        replica.refresh_from_db()
        assert replica.status == ConsultationStatus.DRAFT
        assert replica.replicated_from_id == consultation.pk
        assert replica.themes == consultation.themes
        assert replica.description == consultation.description
        assert replica.summary_easy_read == consultation.summary_easy_read
        assert replica.slug != consultation.slug
        phases = list(replica.phases.order_by("position"))
        assert [(p.kind, p.title, p.position) for p in phases] == [
            (p.kind, p.title, p.position) for p in source_phases
        ]
        assert [(p.starts_at, p.ends_at) for p in phases] == [
            (p.starts_at + delta, p.ends_at + delta) for p in source_phases
        ]
        assert phases[0].starts_at == NEW_START


def test_roles_are_not_copied_unless_asked(
    consultation: Consultation, people: Personas, tree: Tree
) -> None:
    (replica,) = consultation_replicate(
        by=people.organizer,
        source=consultation,
        territories=[tree.lyon],
        first_phase_starts_at=NEW_START,
    )
    assert roles_of(replica) == {(people.organizer.pk, RoleKind.ORGANIZER)}


def test_roles_are_copied_on_request(
    consultation: Consultation, people: Personas, tree: Tree
) -> None:
    (replica,) = consultation_replicate(
        by=people.organizer,
        source=consultation,
        territories=[tree.lyon],
        first_phase_starts_at=NEW_START,
        copy_roles=True,
    )
    assert roles_of(replica) == roles_of(consultation)


def test_staff_replicating_become_organizers_of_the_replicas(
    consultation: Consultation, people: Personas, tree: Tree
) -> None:
    (replica,) = consultation_replicate(
        by=people.staff,
        source=consultation,
        territories=[tree.lyon],
        first_phase_starts_at=NEW_START,
        copy_roles=True,
    )
    assert roles_of(replica) == roles_of(consultation) | {(people.staff.pk, RoleKind.ORGANIZER)}


def test_title_template_and_repeated_territories(
    consultation: Consultation, people: Personas, tree: Tree
) -> None:
    replicas = consultation_replicate(
        by=people.organizer,
        source=consultation,
        territories=[tree.lyon, tree.lyon],
        first_phase_starts_at=NEW_START,
        title_template="Numérique pour tous ({territory})",
    )
    assert [r.title for r in replicas] == ["Numérique pour tous (Lyon)"]


def test_a_long_title_is_cut(consultation: Consultation, people: Personas, tree: Tree) -> None:
    (replica,) = consultation_replicate(
        by=people.organizer,
        source=consultation,
        territories=[tree.lyon],
        first_phase_starts_at=NEW_START,
        title_template="{title} " * 20,
    )
    assert len(replica.title) == 200
    assert replica.title.endswith("…")


def test_a_draft_can_be_replicated(
    make_consultation: Callable[..., Consultation], people: Personas, tree: Tree
) -> None:
    draft = make_consultation(publish=False)
    replicas = consultation_replicate(
        by=people.organizer, source=draft, territories=[tree.lyon], first_phase_starts_at=NEW_START
    )
    assert len(replicas) == 1


@pytest.mark.parametrize("persona", ["facilitator", "moderator", "participant"])
def test_only_organizers_and_staff_replicate(
    persona: str, consultation: Consultation, people: Personas, tree: Tree
) -> None:
    with pytest.raises(errors.PermissionDenied):
        consultation_replicate(
            by=getattr(people, persona),
            source=consultation,
            territories=[tree.lyon],
            first_phase_starts_at=NEW_START,
        )
    assert not Consultation.objects.filter(replicated_from=consultation).exists()


def test_all_or_nothing(
    consultation: Consultation, people: Personas, tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure on the last territory leaves no replica behind (one transaction)."""
    from backend.consultations import services

    real = services._replica_title

    def fail_on_lyon(template: str, *, source: Consultation, territory: object) -> str:
        if territory == tree.lyon:
            raise errors.ValidationFailed()
        return real(template, source=source, territory=territory)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "_replica_title", fail_on_lyon)
    with pytest.raises(errors.ValidationFailed):
        consultation_replicate(
            by=people.organizer,
            source=consultation,
            territories=[tree.echirolles, tree.lyon],
            first_phase_starts_at=NEW_START - timedelta(days=1),
        )
    assert not Consultation.objects.filter(replicated_from=consultation).exists()
