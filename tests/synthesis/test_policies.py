"""Who may merge, build actions and decide: a role x phase matrix with frozen time."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.consultations.services import consultation_archive
from backend.core import errors
from backend.core.users import AnyUser
from backend.synthesis.policies import (
    can_decide_candidate_action,
    can_edit_candidate_action,
    can_merge_contributions,
    ensure_can_decide,
)
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase

pytestmark = pytest.mark.django_db

PERSONAS = ["organizer", "facilitator", "moderator", "participant", "outsider", "anonymous"]

# Rows: merge (and edit actions), decide. Columns: PERSONAS.
IN_SYNTHESIS = {"merge": "yes yes no no no no", "decide": "yes no no no no no"}
# Publishing the plan (restitution) needs every contribution answered: answering goes on.
IN_RESTITUTION = {"merge": "no no no no no no", "decide": "yes no no no no no"}
ELSEWHERE = {"merge": "no no no no no no", "decide": "no no no no no no"}


def _users(people: Personas) -> dict[str, AnyUser]:
    users: dict[str, AnyUser] = {name: getattr(people, name) for name in PERSONAS[:-1]}
    users["anonymous"] = AnonymousUser()
    return users


def _actual(consultation: Consultation, people: Personas) -> dict[str, str]:
    users = _users(people)

    def row(check: object) -> str:
        return " ".join(
            "yes" if check(user=users[name], obj=consultation) else "no"  # type: ignore[operator]
            for name in PERSONAS
        )

    merge = row(can_merge_contributions)
    assert row(can_edit_candidate_action) == merge
    return {"merge": merge, "decide": row(can_decide_candidate_action)}


@pytest.mark.parametrize("kind", list(PhaseKind))
def test_matrix_in_each_phase(
    kind: PhaseKind, consultation: Consultation, people: Personas
) -> None:
    with in_phase(kind):
        expected = {PhaseKind.SYNTHESIS: IN_SYNTHESIS, PhaseKind.RESTITUTION: IN_RESTITUTION}.get(
            kind, ELSEWHERE
        )
        assert _actual(consultation, people) == expected


def test_an_archived_round_takes_no_synthesis_work(
    consultation: Consultation, people: Personas
) -> None:
    consultation = consultation_archive(by=people.organizer, consultation=consultation)
    with in_phase(PhaseKind.SYNTHESIS):
        assert _actual(consultation, people) == ELSEWHERE


@pytest.mark.parametrize(
    ("persona", "kind", "error"),
    [
        ("facilitator", PhaseKind.SYNTHESIS, errors.PermissionDenied),
        ("participant", PhaseKind.SYNTHESIS, errors.PermissionDenied),
        ("organizer", PhaseKind.VOTE, errors.PhaseClosed),
        ("anonymous", PhaseKind.SYNTHESIS, errors.NotAuthenticated),
    ],
)
def test_decide_refusals_carry_the_right_error(
    consultation: Consultation,
    people: Personas,
    persona: str,
    kind: PhaseKind,
    error: type[errors.ApplicationError],
) -> None:
    with in_phase(kind), pytest.raises(error):
        ensure_can_decide(user=_users(people)[persona], consultation=consultation)
