"""The role x phase matrix of the consultation gate, with frozen time."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.consultations.domain import GateCode, PhaseKind, Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import (
    can_create_consultation,
    can_view_consultation,
    consultation_gate,
    consultation_permissions,
    ensure_allowed,
)
from backend.consultations.services import consultation_archive
from backend.core import errors
from tests.fixtures.personas import Personas
from tests.fixtures.phases import ROUND_STARTS_AT, in_phase

pytestmark = pytest.mark.django_db

PERSONAS = ["organizer", "facilitator", "moderator", "participant", "outsider", "anonymous"]

# ok: allowed; 401 not_authenticated; 403 permission_denied; closed: phase_closed;
# not_open: consultation_not_open.
EXPECTED = {
    PhaseKind.DIAGNOSTIC: """
        submit_problem   ok     ok     ok     ok     ok     401
        submit_proposal  closed closed closed closed closed 401
        comment          ok     ok     ok     ok     ok     401
        support          ok     ok     ok     ok     ok     401
        vote             closed closed closed closed closed 401
        moderate         ok     403    ok     403    403    401
        merge            closed closed 403    403    403    401
        publish_plan     closed 403    403    403    403    401
        answer           closed 403    403    403    403    401
        enter_on_behalf  403    ok     403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
    PhaseKind.PROPOSALS: """
        submit_problem   ok     ok     ok     ok     ok     401
        submit_proposal  ok     ok     ok     ok     ok     401
        comment          ok     ok     ok     ok     ok     401
        support          ok     ok     ok     ok     ok     401
        vote             closed closed closed closed closed 401
        moderate         ok     403    ok     403    403    401
        merge            closed closed 403    403    403    401
        publish_plan     closed 403    403    403    403    401
        answer           closed 403    403    403    403    401
        enter_on_behalf  403    ok     403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
    PhaseKind.DELIBERATION: """
        submit_problem   closed closed closed closed closed 401
        submit_proposal  closed closed closed closed closed 401
        comment          ok     ok     ok     ok     ok     401
        support          ok     ok     ok     ok     ok     401
        vote             closed closed closed closed closed 401
        moderate         ok     403    ok     403    403    401
        merge            closed closed 403    403    403    401
        publish_plan     closed 403    403    403    403    401
        answer           closed 403    403    403    403    401
        enter_on_behalf  403    ok     403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
    PhaseKind.VOTE: """
        submit_problem   closed closed closed closed closed 401
        submit_proposal  closed closed closed closed closed 401
        comment          closed closed closed closed closed 401
        support          closed closed closed closed closed 401
        vote             ok     ok     ok     ok     ok     401
        moderate         ok     403    ok     403    403    401
        merge            closed closed 403    403    403    401
        publish_plan     closed 403    403    403    403    401
        answer           closed 403    403    403    403    401
        enter_on_behalf  403    ok     403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
    PhaseKind.SYNTHESIS: """
        submit_problem   closed closed closed closed closed 401
        submit_proposal  closed closed closed closed closed 401
        comment          closed closed closed closed closed 401
        support          closed closed closed closed closed 401
        vote             closed closed closed closed closed 401
        moderate         ok     403    ok     403    403    401
        merge            ok     ok     403    403    403    401
        publish_plan     closed 403    403    403    403    401
        answer           ok     403    403    403    403    401
        enter_on_behalf  403    closed 403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
    PhaseKind.RESTITUTION: """
        submit_problem   closed closed closed closed closed 401
        submit_proposal  closed closed closed closed closed 401
        comment          closed closed closed closed closed 401
        support          closed closed closed closed closed 401
        vote             closed closed closed closed closed 401
        moderate         ok     403    ok     403    403    401
        merge            closed closed 403    403    403    401
        publish_plan     ok     403    403    403    403    401
        answer           ok     403    403    403    403    401
        enter_on_behalf  403    closed 403    403    403    401
        manage           ok     403    403    403    403    401
        replicate        ok     403    403    403    403    401
    """,
}

# Before the first phase and after the last one, nothing phase-bound is open.
OUTSIDE_THE_PLAN = """
    submit_problem   closed closed closed closed closed 401
    submit_proposal  closed closed closed closed closed 401
    comment          closed closed closed closed closed 401
    support          closed closed closed closed closed 401
    vote             closed closed closed closed closed 401
    moderate         ok     403    ok     403    403    401
    merge            closed closed 403    403    403    401
    publish_plan     closed 403    403    403    403    401
    answer           closed 403    403    403    403    401
    enter_on_behalf  403    closed 403    403    403    401
    manage           ok     403    403    403    403    401
    replicate        ok     403    403    403    403    401
"""

# An archived round during its vote week: only management is left.
ARCHIVED = """
    submit_problem   not_open not_open not_open not_open not_open 401
    submit_proposal  not_open not_open not_open not_open not_open 401
    comment          not_open not_open not_open not_open not_open 401
    support          not_open not_open not_open not_open not_open 401
    vote             not_open not_open not_open not_open not_open 401
    moderate         not_open 403      not_open 403      403      401
    merge            not_open not_open 403      403      403      401
    publish_plan     not_open 403      403      403      403      401
    answer           not_open 403      403      403      403      401
    enter_on_behalf  403      not_open 403      403      403      401
    manage           ok       403      403      403      403      401
    replicate        ok       403      403      403      403      401
"""

CODES = {
    "ok": None,
    "401": GateCode.NOT_AUTHENTICATED,
    "403": GateCode.PERMISSION_DENIED,
    "closed": GateCode.PHASE_CLOSED,
    "not_open": GateCode.CONSULTATION_NOT_OPEN,
}


def parse(table: str) -> dict[tuple[Verb, str], GateCode | None]:
    expected: dict[tuple[Verb, str], GateCode | None] = {}
    for line in table.strip().splitlines():
        verb, *cells = line.split()
        assert len(cells) == len(PERSONAS), line
        for persona, cell in zip(PERSONAS, cells, strict=True):
            expected[Verb(verb), persona] = CODES[cell]
    assert {verb for verb, _ in expected} == set(Verb)
    return expected


def actual(consultation: Consultation, people: Personas) -> dict[tuple[Verb, str], GateCode | None]:
    users = {name: getattr(people, name) for name in PERSONAS if name != "anonymous"}
    users["anonymous"] = AnonymousUser()
    return {
        (verb, name): consultation_gate(user=user, consultation=consultation, verb=verb).code
        for verb in Verb
        for name, user in users.items()
    }


@pytest.mark.parametrize("kind", list(PhaseKind))
def test_matrix_in_each_phase(
    kind: PhaseKind, consultation: Consultation, people: Personas
) -> None:
    with in_phase(kind):
        assert actual(consultation, people) == parse(EXPECTED[kind])


@pytest.mark.parametrize(
    "moment",
    [ROUND_STARTS_AT - timedelta(seconds=1), ROUND_STARTS_AT + timedelta(weeks=6)],
    ids=["before", "after"],
)
def test_matrix_outside_the_plan(
    moment: datetime, consultation: Consultation, people: Personas
) -> None:
    with time_machine.travel(moment, tick=False):
        assert actual(consultation, people) == parse(OUTSIDE_THE_PLAN)


def test_matrix_of_an_archived_round(consultation: Consultation, people: Personas) -> None:
    consultation = consultation_archive(by=people.organizer, consultation=consultation)
    with in_phase(PhaseKind.VOTE):
        assert actual(consultation, people) == parse(ARCHIVED)


def test_a_draft_is_not_open_to_participation_but_can_be_managed(
    make_consultation: Callable[..., Consultation], people: Personas
) -> None:
    draft = make_consultation(publish=False)
    with in_phase(PhaseKind.DIAGNOSTIC):
        gate = consultation_gate(user=people.participant, consultation=draft, verb=Verb.COMMENT)
        assert gate.code == GateCode.CONSULTATION_NOT_OPEN
        assert consultation_gate(
            user=people.organizer, consultation=draft, verb=Verb.MANAGE
        ).allowed


def test_phase_boundaries_are_half_open(consultation: Consultation, people: Personas) -> None:
    proposals_start = ROUND_STARTS_AT + timedelta(weeks=1)
    with time_machine.travel(proposals_start - timedelta(microseconds=1), tick=False):
        gate = consultation_gate(user=people.participant, consultation=consultation, verb="vote")
        assert gate.open_phase is not None
        assert gate.open_phase.kind == PhaseKind.DIAGNOSTIC
    with time_machine.travel(proposals_start, tick=False):
        gate = consultation_gate(
            user=people.participant, consultation=consultation, verb=Verb.SUBMIT_PROPOSAL
        )
        assert gate.allowed


def test_staff_manage_and_replicate_any_round_but_do_not_moderate(
    consultation: Consultation, people: Personas
) -> None:
    with in_phase(PhaseKind.DIAGNOSTIC):
        decisions = consultation_permissions(user=people.staff, consultation=consultation)
    assert decisions[Verb.MANAGE].allowed
    assert decisions[Verb.REPLICATE].allowed
    assert decisions[Verb.MODERATE].code == GateCode.PERMISSION_DENIED


def test_ensure_allowed_raises_phase_closed_with_details(
    consultation: Consultation, people: Personas
) -> None:
    with (
        in_phase(PhaseKind.DIAGNOSTIC),
        pytest.raises(errors.PhaseClosed) as raised,
    ):
        ensure_allowed(user=people.participant, consultation=consultation, verb=Verb.VOTE)
    details = raised.value.details
    assert details is not None
    assert details["allowed_in"] == ["vote"]
    assert details["open_phase"]["kind"] == "diagnostic"
    assert details["open_phase"]["title"] == "Phase 1"


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("anonymous", errors.NotAuthenticated),
        ("participant", errors.PermissionDenied),
    ],
)
def test_ensure_allowed_raises_the_matching_error(
    persona: str, error: type[errors.ApplicationError], consultation: Consultation, people: Personas
) -> None:
    user = AnonymousUser() if persona == "anonymous" else getattr(people, persona)
    with pytest.raises(error):
        ensure_allowed(user=user, consultation=consultation, verb=Verb.MERGE)


def test_ensure_allowed_raises_consultation_not_open_on_a_draft(
    make_consultation: Callable[..., Consultation], people: Personas
) -> None:
    draft = make_consultation(publish=False)
    with pytest.raises(errors.ConsultationNotOpen) as raised:
        ensure_allowed(user=people.participant, consultation=draft, verb=Verb.COMMENT)
    assert raised.value.details == {"status": "draft"}


def test_the_gate_reads_roles_and_phases_in_two_queries(
    consultation: Consultation, people: Personas
) -> None:
    fresh = Consultation.objects.get(pk=consultation.pk)
    with CaptureQueriesContext(connection) as queries:
        consultation_permissions(user=people.facilitator, consultation=fresh)
    assert len(queries) == 2


def test_creation_needs_staff_or_the_add_permission(people: Personas) -> None:
    assert can_create_consultation(user=people.organizer)
    assert can_create_consultation(user=people.staff)
    assert not can_create_consultation(user=people.participant)
    assert not can_create_consultation(user=AnonymousUser())


def test_drafts_are_visible_to_role_holders_and_staff_only(
    make_consultation: Callable[..., Consultation], people: Personas
) -> None:
    draft = make_consultation(publish=False)
    for name in ("organizer", "facilitator", "moderator", "staff"):
        assert can_view_consultation(user=getattr(people, name), obj=draft), name
    for name in ("participant", "outsider"):
        assert not can_view_consultation(user=getattr(people, name), obj=draft), name
    assert not can_view_consultation(user=AnonymousUser(), obj=draft)
