"""Publishing the plan: the gate, the answer check, numbering, frozen snapshots, the event."""

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.core import errors
from backend.core.realtime import consultation_group
from backend.plans.domain.snapshot import snapshot_digest
from backend.plans.models import PlanVersion
from backend.plans.policies import can_publish_plan
from backend.plans.services import plan_publish
from backend.plans.snapshot import plan_state
from backend.proposals.services import contribution_create
from backend.synthesis.services import (
    candidate_action_create,
    candidate_action_update,
    contributions_merge,
)
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.plans.conftest import Built

pytestmark = pytest.mark.django_db

ROLES = ["organizer", "facilitator", "moderator", "participant", "outsider", "staff"]


@pytest.mark.parametrize("kind", list(PhaseKind))
@pytest.mark.parametrize("role", ROLES)
def test_only_organizers_publish_and_only_in_restitution(
    consultation: Consultation, people: Personas, role: str, kind: PhaseKind
) -> None:
    user: User = getattr(people, role)
    expected = role == "organizer" and kind == PhaseKind.RESTITUTION
    with in_phase(kind):
        assert can_publish_plan(user=user, obj=consultation) is expected
        if expected:
            assert plan_publish(by=user, consultation=consultation, force=True).number == 1
        else:
            code = "permission_denied" if role != "organizer" else "phase_closed"
            with pytest.raises(errors.ApplicationError) as raised:
                plan_publish(by=user, consultation=consultation, force=True)
            assert raised.value.code == code
    assert PlanVersion.objects.count() == (1 if expected else 0)


def test_missing_answers_refuse_publication_unless_forced(
    build: Callable[..., Built], people: Personas, in_restitution: None
) -> None:
    state = build(decide=False)
    with pytest.raises(errors.PlanIncomplete) as raised:
        plan_publish(by=people.organizer, consultation=state.consultation)
    details: Any = raised.value.details
    fed_pending = [state.problem.pk, *(p.pk for p in state.proposals)]
    assert details == {
        "missing_answers": sorted(fed_pending),
        "pending_actions": [state.retained.pk, state.rejected.pk],
    }
    assert not PlanVersion.objects.exists()

    version = plan_publish(by=people.organizer, consultation=state.consultation, force=True)
    assert version.is_forced
    assert version.snapshot["missing_answers"] == sorted(fed_pending)
    assert version.snapshot["pending_actions"] == [state.retained.pk, state.rejected.pk]
    assert not any(row["is_answered"] for row in version.snapshot["contributions"])


def test_snapshot_content(built: Built, people: Personas, in_restitution: None) -> None:
    version = plan_publish(by=people.organizer, consultation=built.consultation, note="Première")
    snapshot = version.snapshot
    p1, p2, p3, p4 = built.proposals
    assert not version.is_forced
    assert version.snapshot_sha256 == snapshot_digest(snapshot)
    assert snapshot["version"]["number"] == 1
    assert snapshot["version"]["note"] == "Première"
    assert snapshot["consultation"]["id"] == built.consultation.pk
    assert [phase["kind"] for phase in snapshot["consultation"]["phases"]] == list(PhaseKind)
    assert snapshot["missing_answers"] == []
    assert snapshot["pending_actions"] == []

    retained, rejected = snapshot["actions"]
    assert retained["decision"]["status"] == "retained"
    assert retained["decision"]["label"] == "Retenue"
    assert retained["summary_easy_read"].startswith("Quelqu'un vous aide")
    assert [t["name"] for t in retained["territories"]] == ["Grenoble", "Villeneuve"]
    sources = {source["contribution"]: source for source in retained["sources"]}
    assert set(sources) == {built.problem.pk, p1.pk, p2.pk}
    assert sources[p1.pk]["via_cluster"] == built.cluster.pk
    assert sources[built.problem.pk]["via_cluster"] is None
    assert sources[built.problem.pk]["relation"] == "answers_problem"
    # Merit profiles: the MJ entries of the sources that were put to the vote (p1, p2).
    profiles = {entry["contribution"]: entry["profile"] for entry in retained["majority_judgment"]}
    assert profiles == {p1.pk: [1, 1, 2, 0, 0, 0, 1], p2.pk: [1, 2, 1, 1, 0, 0, 0]}
    assert all(entry["is_final"] for entry in retained["majority_judgment"])
    assert retained["majority_judgment"][0]["majority_grade_label"] == "Bien"
    scores = {score["name"]: score for score in retained["scores"]}
    assert {"distinct_supporters", "consensus", "territories_covered"} <= set(scores)
    assert all(score["method"] for score in scores.values())

    assert rejected["decision"]["status"] == "not_retained"
    assert rejected["decision"]["public_answer"] == "Déjà proposé par les médiathèques."

    answers = {row["id"]: row for row in snapshot["contributions"]}
    assert set(answers) == {built.problem.pk, p1.pk, p2.pk, p3.pk, p4.pk}  # not the hidden one
    assert all(row["is_answered"] for row in answers.values())
    assert [a["id"] for a in answers[p1.pk]["actions"]] == [built.retained.pk]
    assert answers[p1.pk]["merged_into_cluster"] == built.cluster.pk
    assert [a["decision"] for a in answers[p3.pk]["actions"]] == ["not_retained"]
    assert answers[p4.pk]["actions"] == []
    assert answers[p4.pk]["organizer_answer"].startswith("Relève du plan")


def test_versions_are_numbered_and_frozen(built: Built, people: Personas) -> None:
    with in_phase(PhaseKind.RESTITUTION):
        first = plan_publish(by=people.organizer, consultation=built.consultation)
    with in_phase(PhaseKind.SYNTHESIS):
        candidate_action_update(
            by=people.organizer, action=built.retained, title="Un titre revu après v1"
        )
    with in_phase(PhaseKind.RESTITUTION):
        second = plan_publish(by=people.organizer, consultation=built.consultation)
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    original = "Des permanences numériques dans chaque quartier"
    assert first.snapshot["actions"][0]["title"] == original
    assert second.snapshot["actions"][0]["title"] == "Un titre revu après v1"
    assert first.snapshot_sha256 == snapshot_digest(first.snapshot)
    assert first.snapshot_sha256 != second.snapshot_sha256


@pytest.mark.usefixtures("in_memory_channel_layer")
def test_publication_is_announced_after_commit(
    built: Built,
    people: Personas,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    layer: Any = get_channel_layer()
    with in_phase(PhaseKind.RESTITUTION):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(consultation_group(built.consultation.pk), channel)
        with django_capture_on_commit_callbacks(execute=True):
            plan_publish(by=people.organizer, consultation=built.consultation)
        message = async_to_sync(layer.receive)(channel)
    assert message["event"] == "plan.published"
    assert message["data"] == {"consultation": built.consultation.pk, "number": 1}


def test_snapshot_queries_do_not_grow_with_the_consultation(built: Built, people: Personas) -> None:
    with CaptureQueriesContext(connection) as few:
        plan_state(consultation=built.consultation)
    with in_phase(PhaseKind.PROPOSALS):
        extra = [
            contribution_create(
                by=people.participant,
                consultation=built.consultation,
                kind="proposal",
                title=f"Idée {n}",
                body="Un atelier numérique de plus.",
                origin="web",
                theme="equipement",
            )
            for n in range(4)
        ]
    with in_phase(PhaseKind.SYNTHESIS):
        entry = contributions_merge(
            by=people.organizer,
            consultation=built.consultation,
            contribution_ids=[extra[0].pk, extra[1].pk],
            reason="Doublons",
            title="Ateliers",
        )
        for contribution in extra[2:]:
            candidate_action_create(
                by=people.organizer,
                consultation=built.consultation,
                title=f"Action pour {contribution.title}",
                contribution_ids=[contribution.pk],
                cluster_ids=[entry.cluster_id],
            )
    with CaptureQueriesContext(connection) as many:
        state = plan_state(consultation=built.consultation)
    assert len(state.actions) == 4
    assert len(many) == len(few)
