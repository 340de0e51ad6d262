"""The programme's stages and the role x stage matrix deciding every programme verb."""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    PREPARATION = "preparation"  # territorial rounds run; nothing regional is written yet
    CONSOLIDATION = "consolidation"  # regional actions are built, costed and funded
    ADOPTED = "adopted"  # a plan version is published; follow-up is open
    CLOSED = "closed"  # read-only


STAGE_ORDER = (Stage.PREPARATION, Stage.CONSOLIDATION, Stage.ADOPTED, Stage.CLOSED)


class Role(StrEnum):
    PROGRAMME_ORGANIZER = "programme_organizer"  # Region staff running the programme
    TERRITORIAL_ORGANIZER = "territorial_organizer"  # organizer of one of its rounds
    STAFF = "staff"  # platform staff (admin site)


class Verb(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE = "manage"  # texts, partners, funders and envelopes, organizers, stage
    ADD_ROUND = "add_round"
    CONSOLIDATE = "consolidate"  # write regional actions
    LINK_SOURCE = "link_source"  # link a territorial action or contribution to one
    DECIDE = "decide"  # retain or not, with a public answer
    FUND = "fund"  # cost, funding lines, lead structure, partners, dates
    PUBLISH = "publish"  # freeze a numbered plan version
    FOLLOW_UP = "follow_up"  # status, progress, milestones, indicators


class GateCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    STAGE_CLOSED = "programme_stage_closed"


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    stages: frozenset[Stage]


_ORG = Role.PROGRAMME_ORGANIZER
_TERR = Role.TERRITORIAL_ORGANIZER
_STAFF = Role.STAFF
_OPEN = frozenset({Stage.PREPARATION, Stage.CONSOLIDATION, Stage.ADOPTED})

# Territorial organizers follow the programme and bring their own round's actions in (the
# source check that they link only their own round's material is the policy's, per object);
# programme organizers write, decide, fund, publish and follow up.
MATRIX: dict[Verb, Rule] = {
    Verb.VIEW_DASHBOARD: Rule(frozenset({_ORG, _TERR, _STAFF}), frozenset(STAGE_ORDER)),
    Verb.MANAGE: Rule(frozenset({_ORG, _STAFF}), _OPEN),
    Verb.ADD_ROUND: Rule(frozenset({_ORG}), frozenset({Stage.PREPARATION, Stage.CONSOLIDATION})),
    Verb.CONSOLIDATE: Rule(frozenset({_ORG}), frozenset({Stage.CONSOLIDATION})),
    Verb.LINK_SOURCE: Rule(frozenset({_ORG, _TERR}), frozenset({Stage.CONSOLIDATION})),
    Verb.DECIDE: Rule(frozenset({_ORG}), frozenset({Stage.CONSOLIDATION})),
    Verb.FUND: Rule(frozenset({_ORG}), frozenset({Stage.CONSOLIDATION})),
    Verb.PUBLISH: Rule(frozenset({_ORG}), frozenset({Stage.CONSOLIDATION, Stage.ADOPTED})),
    Verb.FOLLOW_UP: Rule(frozenset({_ORG}), frozenset({Stage.ADOPTED})),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: GateCode | None
    allowed_in: tuple[str, ...]


def decide(*, verb: Verb, is_authenticated: bool, roles: Collection[Role], stage: str) -> Decision:
    """Signed in, then a role of the verb's rule, then the stage (in that order)."""
    rule = MATRIX[verb]
    allowed_in = tuple(str(s) for s in STAGE_ORDER if s in rule.stages)
    if not is_authenticated:
        return Decision(False, GateCode.NOT_AUTHENTICATED, allowed_in)
    if not any(role in rule.roles for role in roles):
        return Decision(False, GateCode.PERMISSION_DENIED, allowed_in)
    if stage not in rule.stages:
        return Decision(False, GateCode.STAGE_CLOSED, allowed_in)
    return Decision(True, None, allowed_in)


def can_move(current: str, target: str) -> bool:
    """Stages move one step forward; `adopted` may go back to `consolidation` (a revision
    of the plan) and nothing leaves `closed`."""
    if current == target or current == Stage.CLOSED:
        return False
    order = [str(s) for s in STAGE_ORDER]
    if target not in order or current not in order:
        return False
    step = order.index(target) - order.index(current)
    return step == 1 or (current == Stage.ADOPTED and target == Stage.CONSOLIDATION)
