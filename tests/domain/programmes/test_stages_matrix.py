"""The role x stage matrix of every programme verb, written out in full."""

import pytest

from backend.programmes.domain.stages import GateCode, Role, Stage, Verb, can_move, decide

ORG, TERR, STAFF = Role.PROGRAMME_ORGANIZER, Role.TERRITORIAL_ORGANIZER, Role.STAFF
PREP, CONS, ADOP, CLOS = Stage.PREPARATION, Stage.CONSOLIDATION, Stage.ADOPTED, Stage.CLOSED
ALL = {PREP, CONS, ADOP, CLOS}

# verb -> {role: stages where allowed}
EXPECTED: dict[Verb, dict[Role | None, set[Stage]]] = {
    Verb.VIEW_DASHBOARD: {ORG: ALL, TERR: ALL, STAFF: ALL, None: set()},
    Verb.MANAGE: {ORG: {PREP, CONS, ADOP}, TERR: set(), STAFF: {PREP, CONS, ADOP}, None: set()},
    Verb.ADD_ROUND: {ORG: {PREP, CONS}, TERR: set(), STAFF: set(), None: set()},
    Verb.CONSOLIDATE: {ORG: {CONS}, TERR: set(), STAFF: set(), None: set()},
    Verb.LINK_SOURCE: {ORG: {CONS}, TERR: {CONS}, STAFF: set(), None: set()},
    Verb.DECIDE: {ORG: {CONS}, TERR: set(), STAFF: set(), None: set()},
    Verb.FUND: {ORG: {CONS}, TERR: set(), STAFF: set(), None: set()},
    Verb.PUBLISH: {ORG: {CONS, ADOP}, TERR: set(), STAFF: set(), None: set()},
    Verb.FOLLOW_UP: {ORG: {ADOP}, TERR: set(), STAFF: set(), None: set()},
}


def test_every_verb_is_in_the_expected_table() -> None:
    assert set(EXPECTED) == set(Verb)


@pytest.mark.parametrize("verb", list(Verb))
@pytest.mark.parametrize("role", [ORG, TERR, STAFF, None])
@pytest.mark.parametrize("stage", [PREP, CONS, ADOP, CLOS])
def test_matrix(verb: Verb, role: Role | None, stage: Stage) -> None:
    decision = decide(
        verb=verb, is_authenticated=True, roles=[role] if role else [], stage=str(stage)
    )
    expected = stage in EXPECTED[verb][role]
    assert decision.allowed is expected
    if not expected:
        allowed_somewhere = bool(EXPECTED[verb][role])
        code = GateCode.STAGE_CLOSED if allowed_somewhere else GateCode.PERMISSION_DENIED
        assert decision.code == code


@pytest.mark.parametrize("verb", list(Verb))
def test_anonymous_callers_must_sign_in(verb: Verb) -> None:
    decision = decide(verb=verb, is_authenticated=False, roles=[], stage="consolidation")
    assert decision.code == GateCode.NOT_AUTHENTICATED


def test_stages_move_forward_one_step_and_back_only_for_a_revision() -> None:
    assert can_move("preparation", "consolidation")
    assert not can_move("preparation", "adopted")
    assert can_move("adopted", "consolidation")
    assert not can_move("closed", "adopted")
    assert not can_move("consolidation", "consolidation")
