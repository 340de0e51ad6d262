"""Who may comment on actions, as matrices: persona x phase for candidate actions (the
round's clock), persona x stage for regional actions (the programme's stage)."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.notifications import policies
from backend.notifications.domain import action_comment_refusal
from backend.programmes.models import Programme, RegionalAction
from backend.programmes.services import regional_action_create
from backend.synthesis.models import CandidateAction
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Region

pytestmark = pytest.mark.django_db

OPEN_PHASES = {PhaseKind.SYNTHESIS, PhaseKind.RESTITUTION}
OPEN_STAGES = {"consolidation", "adopted"}


def _personas(people: Personas) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(),
        "participant": people.participant,
        "outsider": people.outsider,
        "facilitator": people.facilitator,
        "moderator": people.moderator,
        "organizer": people.organizer,
        "staff": people.staff,
    }


@pytest.mark.parametrize("phase", list(PhaseKind))
def test_candidate_action_comments_persona_x_phase(
    region: Region, people: Personas, phase: PhaseKind
) -> None:
    action = CandidateAction.objects.select_related("consultation").get(
        pk=region.actions["g_help"].pk
    )
    with in_phase(phase):
        got = {
            name: policies.can_comment_candidate_action(user=user, obj=action)
            for name, user in _personas(people).items()
        }
    expected = {name: name != "anonymous" and phase in OPEN_PHASES for name in got}
    assert got == expected


def test_candidate_action_comments_closed_once_the_round_is_archived(
    region: Region, people: Personas
) -> None:
    Consultation.objects.filter(pk=region.grenoble.pk).update(status="archived")
    action = CandidateAction.objects.select_related("consultation").get(
        pk=region.actions["g_help"].pk
    )
    with in_phase(PhaseKind.SYNTHESIS):
        assert not policies.can_comment_candidate_action(user=people.participant, obj=action)


@pytest.mark.parametrize("stage", ["preparation", "consolidation", "adopted", "closed"])
def test_regional_action_comments_persona_x_stage(
    region: Region, people: Personas, stage: str
) -> None:
    created = regional_action_create(
        by=region.organizer, programme=region.programme, title="Un réseau de permanences"
    )
    Programme.objects.filter(pk=region.programme.pk).update(stage=stage)
    action = RegionalAction.objects.select_related("programme").get(pk=created.pk)
    personas = {**_personas(people), "programme organizer": region.organizer}
    got = {
        name: policies.can_comment_regional_action(user=user, obj=action)
        for name, user in personas.items()
    }
    assert got == {name: name != "anonymous" and stage in OPEN_STAGES for name in got}


def test_a_draft_programme_takes_no_comment(region: Region, people: Personas) -> None:
    created = regional_action_create(
        by=region.organizer, programme=region.programme, title="Un réseau de permanences"
    )
    Programme.objects.filter(pk=region.programme.pk).update(status="draft")
    action = RegionalAction.objects.select_related("programme").get(pk=created.pk)
    assert not policies.can_comment_regional_action(user=region.organizer, obj=action)


@pytest.mark.parametrize(
    ("signed_in", "is_open", "moment", "refusal"),
    [
        (False, True, "synthesis", "not_authenticated"),
        (True, False, "synthesis", "not_open"),
        (True, True, "vote", "closed"),
        (True, True, None, "closed"),
        (True, True, "restitution", None),
    ],
)
def test_the_rule_in_order(
    signed_in: bool, is_open: bool, moment: str | None, refusal: str | None
) -> None:
    allowed = frozenset({"synthesis", "restitution"})
    assert (
        action_comment_refusal(
            is_signed_in=signed_in, is_open=is_open, moment=moment, allowed=allowed
        )
        == refusal
    )
