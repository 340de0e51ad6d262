"""Phase schedule, phase-plan checks, plan shifting and the verb x phase matrix (pure)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

# Phase dates outside this window are typing mistakes (and would overflow when shifted).
EARLIEST_PHASE_AT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_PHASE_AT = datetime(2200, 1, 1, tzinfo=UTC)


class PhaseKind(StrEnum):
    DIAGNOSTIC = "diagnostic"
    PROPOSALS = "proposals"
    DELIBERATION = "deliberation"
    VOTE = "vote"
    SYNTHESIS = "synthesis"
    RESTITUTION = "restitution"


class Role(StrEnum):
    ORGANIZER = "organizer"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Verb(StrEnum):
    SUBMIT_PROBLEM = "submit_problem"
    SUBMIT_PROPOSAL = "submit_proposal"
    COMMENT = "comment"
    SUPPORT = "support"
    VOTE = "vote"
    MODERATE = "moderate"
    MERGE = "merge"
    PUBLISH_PLAN = "publish_plan"
    ANSWER = "answer"
    ENTER_ON_BEHALF = "enter_on_behalf"
    MANAGE = "manage"
    REPLICATE = "replicate"


class PlanProblemCode(StrEnum):
    UNKNOWN_KIND = "phase_unknown_kind"
    ENDS_BEFORE_START = "phase_ends_before_start"
    OUT_OF_ORDER = "phase_out_of_order"
    OVERLAP = "phase_overlap"
    OUT_OF_RANGE = "phase_out_of_range"


class GateCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    CONSULTATION_NOT_OPEN = "consultation_not_open"
    PHASE_CLOSED = "phase_closed"


@dataclass(frozen=True)
class PhaseSpec:
    """One dated phase of a plan; open on the half-open interval [starts_at, ends_at)."""

    kind: str
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    description: str = ""

    def is_open_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class Schedule:
    """Where `now` falls in a plan: the open phase (if any) and the next one to open."""

    open_phase: PhaseSpec | None
    open_index: int | None
    next_phase: PhaseSpec | None
    next_index: int | None


@dataclass(frozen=True)
class PlanProblem:
    index: int
    field: str
    code: PlanProblemCode


@dataclass(frozen=True)
class VerbRule:
    """Who may use a verb and when.

    `phases` None: not tied to a phase. `roles` None: any signed-in person.
    """

    phases: frozenset[PhaseKind] | None
    roles: frozenset[Role] | None
    needs_published: bool
    staff_allowed: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: GateCode | None
    open_phase: PhaseSpec | None
    allowed_in: tuple[PhaseKind, ...]


_PARTICIPATION_PHASES = frozenset(
    {PhaseKind.DIAGNOSTIC, PhaseKind.PROPOSALS, PhaseKind.DELIBERATION, PhaseKind.VOTE}
)

MATRIX: dict[Verb, VerbRule] = {
    Verb.SUBMIT_PROBLEM: VerbRule(
        phases=frozenset({PhaseKind.DIAGNOSTIC, PhaseKind.PROPOSALS}),
        roles=None,
        needs_published=True,
    ),
    Verb.SUBMIT_PROPOSAL: VerbRule(
        phases=frozenset({PhaseKind.PROPOSALS}), roles=None, needs_published=True
    ),
    Verb.COMMENT: VerbRule(
        phases=frozenset({PhaseKind.DIAGNOSTIC, PhaseKind.PROPOSALS, PhaseKind.DELIBERATION}),
        roles=None,
        needs_published=True,
    ),
    Verb.SUPPORT: VerbRule(
        phases=frozenset({PhaseKind.DIAGNOSTIC, PhaseKind.PROPOSALS, PhaseKind.DELIBERATION}),
        roles=None,
        needs_published=True,
    ),
    Verb.VOTE: VerbRule(phases=frozenset({PhaseKind.VOTE}), roles=None, needs_published=True),
    Verb.MODERATE: VerbRule(
        phases=None, roles=frozenset({Role.MODERATOR, Role.ORGANIZER}), needs_published=True
    ),
    Verb.MERGE: VerbRule(
        phases=frozenset({PhaseKind.SYNTHESIS}),
        roles=frozenset({Role.ORGANIZER, Role.FACILITATOR}),
        needs_published=True,
    ),
    Verb.PUBLISH_PLAN: VerbRule(
        phases=frozenset({PhaseKind.RESTITUTION}),
        roles=frozenset({Role.ORGANIZER}),
        needs_published=True,
    ),
    # Deciding on candidate actions and answering contributions: from synthesis on, and
    # still in restitution, where the plan is published once every contribution has an
    # answer (a late answer goes into the next version of the plan).
    Verb.ANSWER: VerbRule(
        phases=frozenset({PhaseKind.SYNTHESIS, PhaseKind.RESTITUTION}),
        roles=frozenset({Role.ORGANIZER}),
        needs_published=True,
    ),
    # A facilitator speaks for someone in any phase where a participation verb is open;
    # the caller also checks the underlying verb (submit_problem, vote, ...).
    Verb.ENTER_ON_BEHALF: VerbRule(
        phases=_PARTICIPATION_PHASES,
        roles=frozenset({Role.FACILITATOR}),
        needs_published=True,
    ),
    Verb.MANAGE: VerbRule(
        phases=None, roles=frozenset({Role.ORGANIZER}), needs_published=False, staff_allowed=True
    ),
    Verb.REPLICATE: VerbRule(
        phases=None, roles=frozenset({Role.ORGANIZER}), needs_published=False, staff_allowed=True
    ),
}


def ordered_kinds(kinds: Collection[PhaseKind]) -> tuple[PhaseKind, ...]:
    """Phase kinds in the canonical order of a round."""
    return tuple(kind for kind in PhaseKind if kind in kinds)


def schedule_at(phases: Sequence[PhaseSpec], now: datetime) -> Schedule:
    """The phase open at `now` and the next one to open (phases in any order)."""
    open_index: int | None = None
    next_index: int | None = None
    for index, phase in enumerate(phases):
        if phase.is_open_at(now) and open_index is None:
            open_index = index
        elif phase.starts_at > now and (
            next_index is None or phase.starts_at < phases[next_index].starts_at
        ):
            next_index = index
    return Schedule(
        open_phase=phases[open_index] if open_index is not None else None,
        open_index=open_index,
        next_phase=phases[next_index] if next_index is not None else None,
        next_index=next_index,
    )


def plan_problems(phases: Sequence[PhaseSpec]) -> list[PlanProblem]:
    """Every problem of a plan: known kinds, sane dates, each ends after it starts, ordered,
    no overlap.

    Phases are half-open intervals, so one may start the instant the previous one ends.
    """
    known = {kind.value for kind in PhaseKind}
    problems: list[PlanProblem] = []
    previous_start: datetime | None = None
    latest_end: datetime | None = None
    for index, phase in enumerate(phases):
        if phase.kind not in known:
            problems.append(PlanProblem(index, "kind", PlanProblemCode.UNKNOWN_KIND))
        for field in ("starts_at", "ends_at"):
            if not EARLIEST_PHASE_AT <= getattr(phase, field) <= LATEST_PHASE_AT:
                problems.append(PlanProblem(index, field, PlanProblemCode.OUT_OF_RANGE))
        if phase.ends_at <= phase.starts_at:
            problems.append(PlanProblem(index, "ends_at", PlanProblemCode.ENDS_BEFORE_START))
        if previous_start is not None and phase.starts_at < previous_start:
            problems.append(PlanProblem(index, "starts_at", PlanProblemCode.OUT_OF_ORDER))
        elif latest_end is not None and phase.starts_at < latest_end:
            problems.append(PlanProblem(index, "starts_at", PlanProblemCode.OVERLAP))
        previous_start = phase.starts_at
        latest_end = phase.ends_at if latest_end is None else max(latest_end, phase.ends_at)
    return problems


def shift_plan(phases: Sequence[PhaseSpec], first_starts_at: datetime) -> list[PhaseSpec]:
    """The same plan moved so its earliest phase starts at `first_starts_at`.

    Durations and gaps are kept as exact elapsed time (a phase moved across a
    daylight-saving change keeps its length, not its wall-clock hours). Raises
    OverflowError if a date would leave the calendar.
    """
    if not phases:
        return []
    delta = first_starts_at - min(phase.starts_at for phase in phases)
    return [
        replace(phase, starts_at=phase.starts_at + delta, ends_at=phase.ends_at + delta)
        for phase in phases
    ]


def decide(
    *,
    verb: Verb,
    is_authenticated: bool,
    is_staff: bool,
    roles: Collection[str],
    status: str,
    phases: Sequence[PhaseSpec],
    now: datetime,
) -> Decision:
    """May this person use `verb` on a consultation now? Checks in order:
    signed in, role, consultation published, phase open."""
    rule = MATRIX[verb]
    open_phase = schedule_at(phases, now).open_phase
    allowed_in = ordered_kinds(rule.phases) if rule.phases is not None else ()

    def deny(code: GateCode) -> Decision:
        return Decision(allowed=False, code=code, open_phase=open_phase, allowed_in=allowed_in)

    if not is_authenticated:
        return deny(GateCode.NOT_AUTHENTICATED)
    if rule.roles is not None:
        has_role = any(role in rule.roles for role in roles)
        if not has_role and not (rule.staff_allowed and is_staff):
            return deny(GateCode.PERMISSION_DENIED)
    if rule.needs_published and status != Status.PUBLISHED:
        return deny(GateCode.CONSULTATION_NOT_OPEN)
    if rule.phases is not None and (open_phase is None or open_phase.kind not in rule.phases):
        return deny(GateCode.PHASE_CLOSED)
    return Decision(allowed=True, code=None, open_phase=open_phase, allowed_in=allowed_in)
