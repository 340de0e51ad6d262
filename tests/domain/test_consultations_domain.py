"""Phase schedule, plan checks, plan shifting and the verb matrix, without a database."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from backend.consultations.domain import (
    MATRIX,
    GateCode,
    PhaseKind,
    PhaseSpec,
    PlanProblem,
    PlanProblemCode,
    Role,
    Status,
    Verb,
    decide,
    plan_problems,
    schedule_at,
    shift_plan,
)

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def phase(kind: str, start_day: float, end_day: float) -> PhaseSpec:
    return PhaseSpec(kind=kind, starts_at=T0 + start_day * DAY, ends_at=T0 + end_day * DAY)


PLAN = [
    phase("diagnostic", 0, 7),
    phase("proposals", 7, 14),
    # a gap of two days between proposals and vote
    phase("vote", 16, 20),
]


class TestSchedule:
    def test_before_the_plan_nothing_is_open_and_the_first_phase_is_next(self) -> None:
        schedule = schedule_at(PLAN, T0 - DAY)
        assert schedule.open_phase is None
        assert schedule.next_phase == PLAN[0]
        assert schedule.next_index == 0

    def test_inside_a_phase(self) -> None:
        schedule = schedule_at(PLAN, T0 + 3 * DAY)
        assert schedule.open_phase == PLAN[0]
        assert schedule.open_index == 0
        assert schedule.next_phase == PLAN[1]

    def test_a_phase_opens_at_its_start_and_is_closed_at_its_end(self) -> None:
        at_boundary = schedule_at(PLAN, T0 + 7 * DAY)
        assert at_boundary.open_phase == PLAN[1]
        assert schedule_at(PLAN, T0).open_phase == PLAN[0]
        assert schedule_at(PLAN, T0 + 20 * DAY).open_phase is None

    def test_in_a_gap_nothing_is_open_and_the_next_phase_is_known(self) -> None:
        schedule = schedule_at(PLAN, T0 + 15 * DAY)
        assert schedule.open_phase is None
        assert schedule.next_phase == PLAN[2]

    def test_after_the_plan_nothing_is_open_or_next(self) -> None:
        schedule = schedule_at(PLAN, T0 + 30 * DAY)
        assert schedule.open_phase is None
        assert schedule.next_phase is None

    def test_phases_may_be_given_in_any_order(self) -> None:
        shuffled = [PLAN[2], PLAN[0], PLAN[1]]
        schedule = schedule_at(shuffled, T0 + DAY)
        assert schedule.open_phase == PLAN[0]
        assert schedule.next_phase == PLAN[1]
        assert schedule.next_index == 2

    def test_empty_plan(self) -> None:
        schedule = schedule_at([], T0)
        assert schedule.open_phase is None
        assert schedule.next_phase is None


class TestPlanProblems:
    def test_a_good_plan_with_back_to_back_phases_and_gaps_has_no_problem(self) -> None:
        assert plan_problems(PLAN) == []

    def test_an_empty_plan_has_no_problem(self) -> None:
        assert plan_problems([]) == []

    def test_a_phase_ending_before_or_when_it_starts(self) -> None:
        plan = [phase("diagnostic", 0, 7), phase("proposals", 9, 8), phase("vote", 10, 10)]
        assert plan_problems(plan) == [
            PlanProblem(1, "ends_at", PlanProblemCode.ENDS_BEFORE_START),
            PlanProblem(2, "ends_at", PlanProblemCode.ENDS_BEFORE_START),
        ]

    def test_an_overlap_is_reported_on_the_later_phase_start(self) -> None:
        plan = [phase("diagnostic", 0, 7), phase("proposals", 6, 14)]
        assert plan_problems(plan) == [PlanProblem(1, "starts_at", PlanProblemCode.OVERLAP)]

    def test_an_overlap_with_an_earlier_long_phase_is_found(self) -> None:
        plan = [phase("diagnostic", 0, 30), phase("proposals", 7, 14), phase("vote", 20, 25)]
        codes = [(problem.index, problem.code) for problem in plan_problems(plan)]
        assert codes == [(1, PlanProblemCode.OVERLAP), (2, PlanProblemCode.OVERLAP)]

    def test_phases_out_of_order(self) -> None:
        plan = [phase("proposals", 7, 14), phase("diagnostic", 0, 7)]
        assert plan_problems(plan) == [PlanProblem(1, "starts_at", PlanProblemCode.OUT_OF_ORDER)]

    def test_dates_outside_the_years_2000_to_2200(self) -> None:
        far = datetime(2250, 1, 1, tzinfo=UTC)
        plan = [
            PhaseSpec("vote", datetime(1999, 12, 31, tzinfo=UTC), T0),
            PhaseSpec("vote", far, far + DAY),
        ]
        assert plan_problems(plan) == [
            PlanProblem(0, "starts_at", PlanProblemCode.OUT_OF_RANGE),
            PlanProblem(1, "starts_at", PlanProblemCode.OUT_OF_RANGE),
            PlanProblem(1, "ends_at", PlanProblemCode.OUT_OF_RANGE),
        ]

    def test_unknown_kind(self) -> None:
        plan = [phase("brainstorm", 0, 7)]
        assert plan_problems(plan) == [PlanProblem(0, "kind", PlanProblemCode.UNKNOWN_KIND)]


class TestShiftPlan:
    def test_first_phase_moves_to_the_new_date_keeping_durations_and_gaps(self) -> None:
        new_start = datetime(2026, 9, 14, 7, 0, tzinfo=UTC)
        shifted = shift_plan(PLAN, new_start)
        assert shifted[0].starts_at == new_start
        assert [p.kind for p in shifted] == [p.kind for p in PLAN]
        for before, after in zip(PLAN, shifted, strict=True):
            assert after.ends_at - after.starts_at == before.ends_at - before.starts_at
        gaps_before = [b.starts_at - a.ends_at for a, b in itertools.pairwise(PLAN)]
        gaps_after = [b.starts_at - a.ends_at for a, b in itertools.pairwise(shifted)]
        assert gaps_after == gaps_before == [timedelta(0), 2 * DAY]
        assert plan_problems(shifted) == []

    def test_shifting_back_in_time_works_too(self) -> None:
        shifted = shift_plan(PLAN, T0 - 100 * DAY)
        assert shifted[2].ends_at == T0 - 80 * DAY

    def test_the_earliest_phase_is_the_anchor_whatever_the_order(self) -> None:
        shifted = shift_plan([PLAN[1], PLAN[0]], T0 + DAY)
        assert shifted[1].starts_at == T0 + DAY
        assert shifted[0].starts_at == T0 + 8 * DAY

    def test_titles_and_descriptions_are_kept(self) -> None:
        source = [PhaseSpec("vote", T0, T0 + DAY, title="Vote final", description="Gommettes")]
        (shifted,) = shift_plan(source, T0 + DAY)
        assert (shifted.title, shifted.description) == ("Vote final", "Gommettes")

    def test_empty_plan(self) -> None:
        assert shift_plan([], T0) == []

    def test_leaving_the_calendar_raises_overflow(self) -> None:
        with pytest.raises(OverflowError):
            shift_plan(PLAN, datetime(9999, 12, 31, tzinfo=UTC))


class TestMatrix:
    def test_every_verb_has_a_rule(self) -> None:
        assert set(MATRIX) == set(Verb)

    def test_enter_on_behalf_is_open_wherever_a_participation_verb_is(self) -> None:
        participation = {Verb.SUBMIT_PROBLEM, Verb.SUBMIT_PROPOSAL, Verb.COMMENT, Verb.SUPPORT}
        participation.add(Verb.VOTE)
        union: set[PhaseKind] = set()
        for verb in participation:
            union |= MATRIX[verb].phases or set()
        assert MATRIX[Verb.ENTER_ON_BEHALF].phases == union

    def test_manage_and_replicate_work_on_drafts(self) -> None:
        assert not MATRIX[Verb.MANAGE].needs_published
        assert not MATRIX[Verb.REPLICATE].needs_published


def decide_now(
    verb: Verb,
    *,
    roles: frozenset[str] = frozenset(),
    status: str = Status.PUBLISHED,
    is_authenticated: bool = True,
    is_staff: bool = False,
    at: datetime = T0 + DAY,
) -> tuple[bool, GateCode | None]:
    decision = decide(
        verb=verb,
        is_authenticated=is_authenticated,
        is_staff=is_staff,
        roles=roles,
        status=status,
        phases=PLAN,
        now=at,
    )
    return decision.allowed, decision.code


class TestDecide:
    def test_a_participant_submits_a_problem_during_the_diagnostic(self) -> None:
        assert decide_now(Verb.SUBMIT_PROBLEM) == (True, None)

    def test_anonymous_comes_first(self) -> None:
        assert decide_now(Verb.MANAGE, is_authenticated=False, status=Status.DRAFT) == (
            False,
            GateCode.NOT_AUTHENTICATED,
        )

    def test_role_before_status_and_phase(self) -> None:
        assert decide_now(Verb.MERGE, status=Status.DRAFT) == (False, GateCode.PERMISSION_DENIED)

    def test_status_before_phase(self) -> None:
        for status in (Status.DRAFT, Status.ARCHIVED):
            assert decide_now(Verb.VOTE, status=status) == (False, GateCode.CONSULTATION_NOT_OPEN)

    def test_phase_closed_reports_the_open_phase_and_where_the_verb_is_allowed(self) -> None:
        decision = decide(
            verb=Verb.VOTE,
            is_authenticated=True,
            is_staff=False,
            roles=frozenset(),
            status=Status.PUBLISHED,
            phases=PLAN,
            now=T0 + DAY,
        )
        assert decision.code == GateCode.PHASE_CLOSED
        assert decision.open_phase == PLAN[0]
        assert decision.allowed_in == (PhaseKind.VOTE,)

    def test_in_a_gap_every_phase_bound_verb_is_closed(self) -> None:
        gap = T0 + 15 * DAY
        assert decide_now(Verb.COMMENT, at=gap) == (False, GateCode.PHASE_CLOSED)
        assert decide_now(Verb.MODERATE, roles=frozenset({Role.MODERATOR}), at=gap) == (True, None)

    def test_staff_may_manage_and_replicate_but_not_moderate(self) -> None:
        assert decide_now(Verb.MANAGE, is_staff=True, status=Status.DRAFT) == (True, None)
        assert decide_now(Verb.REPLICATE, is_staff=True) == (True, None)
        assert decide_now(Verb.MODERATE, is_staff=True) == (False, GateCode.PERMISSION_DENIED)

    @pytest.mark.parametrize("status", list(Status))
    def test_organizer_manages_in_every_status(self, status: Status) -> None:
        roles = frozenset({Role.ORGANIZER})
        assert decide_now(Verb.MANAGE, roles=roles, status=status) == (True, None)
