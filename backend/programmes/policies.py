"""Who may do what on a regional programme, and when: the role x stage gate every write calls.

Roles: programme organizers (ProgrammeOrganizer), territorial organizers (organizers of one of
its rounds), platform staff. Stages: preparation, consolidation, adopted, closed. The matrix
itself is pure (`domain/stages.py`); this module resolves the caller's roles (two queries at
most) and turns refusals into application errors.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from backend.accounts.models import User
from backend.consultations.models import ConsultationRole, RoleKind
from backend.core import errors
from backend.core.users import AnyUser, is_signed_in
from backend.programmes.domain.stages import GateCode, Role, Verb, decide
from backend.programmes.models import Programme, ProgrammeOrganizer, ProgrammeStatus


@dataclass(frozen=True)
class ProgrammeGate:
    verb: Verb
    allowed: bool
    code: GateCode | None
    allowed_in: tuple[str, ...]
    stage: str


def territorial_rounds_of(*, user: AnyUser, programme: Programme) -> frozenset[int]:
    """Consultation ids of the programme's rounds the caller organizes (one query)."""
    if not is_signed_in(user):
        return frozenset()
    if not isinstance(user, User):
        return frozenset()
    return frozenset(
        ConsultationRole.objects.filter(
            user=user,
            role=RoleKind.ORGANIZER,
            consultation__programme_round__programme=programme,
        ).values_list("consultation_id", flat=True)
    )


def programme_roles_of(*, user: AnyUser, programme: Programme) -> frozenset[Role]:
    """The caller's roles on the programme (two queries at most, none when anonymous)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return frozenset()
    roles: set[Role] = set()
    if user.is_staff:
        roles.add(Role.STAFF)
    if ProgrammeOrganizer.objects.filter(programme=programme, user=user).exists():
        roles.add(Role.PROGRAMME_ORGANIZER)
    if territorial_rounds_of(user=user, programme=programme):
        roles.add(Role.TERRITORIAL_ORGANIZER)
    return frozenset(roles)


def programme_gate(
    *,
    user: AnyUser,
    programme: Programme,
    verb: Verb | str,
    roles: Iterable[Role] | None = None,
) -> ProgrammeGate:
    verb = Verb(verb)
    held = (
        frozenset(roles)
        if roles is not None
        else programme_roles_of(user=user, programme=programme)
    )
    decision = decide(
        verb=verb, is_authenticated=is_signed_in(user), roles=held, stage=programme.stage
    )
    return ProgrammeGate(
        verb=verb,
        allowed=decision.allowed,
        code=decision.code,
        allowed_in=decision.allowed_in,
        stage=programme.stage,
    )


def raise_for(gate: ProgrammeGate) -> None:
    if gate.allowed:
        return
    if gate.code == GateCode.NOT_AUTHENTICATED:
        raise errors.NotAuthenticated()
    if gate.code == GateCode.PERMISSION_DENIED:
        raise errors.PermissionDenied()
    raise errors.ProgrammeStageClosed(
        details={"stage": gate.stage, "allowed_in": list(gate.allowed_in)}
    )


def ensure_allowed(*, user: AnyUser, programme: Programme, verb: Verb | str) -> frozenset[Role]:
    """The gate, raising on refusal; returns the caller's roles (for per-object checks)."""
    roles = programme_roles_of(user=user, programme=programme)
    raise_for(programme_gate(user=user, programme=programme, verb=verb, roles=roles))
    return roles


def _can(verb: Verb, user: AnyUser, obj: Programme) -> bool:
    return programme_gate(user=user, programme=obj, verb=verb).allowed


def can_create_programme(*, user: AnyUser) -> bool:
    """Region staff: staff accounts or holders of the add_programme permission."""
    return isinstance(user, User) and (user.is_staff or user.has_perm("programmes.add_programme"))


def can_view_programme(*, user: AnyUser, obj: Programme) -> bool:
    """Published programmes are public; drafts for their organizers (either kind) and staff."""
    if obj.status == ProgrammeStatus.PUBLISHED:
        return True
    return bool(programme_roles_of(user=user, programme=obj))


def can_view_programme_dashboard(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.VIEW_DASHBOARD, user, obj)


def can_manage_programme(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.MANAGE, user, obj)


def can_add_programme_round(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.ADD_ROUND, user, obj)


def can_edit_regional_action(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.CONSOLIDATE, user, obj)


def can_link_regional_source(
    *, user: AnyUser, obj: Programme, consultation_id: int | None = None
) -> bool:
    """Programme organizers link any round's material; a territorial organizer links (and
    unlinks) only their own round's actions and contributions. Consolidation stage."""
    roles = programme_roles_of(user=user, programme=obj)
    gate = programme_gate(user=user, programme=obj, verb=Verb.LINK_SOURCE, roles=roles)
    if not gate.allowed:
        return False
    if Role.PROGRAMME_ORGANIZER in roles or consultation_id is None:
        return True
    return consultation_id in territorial_rounds_of(user=user, programme=obj)


def can_decide_regional_action(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.DECIDE, user, obj)


def can_fund_regional_action(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.FUND, user, obj)


def can_publish_regional_plan(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.PUBLISH, user, obj)


def can_follow_up_regional_action(*, user: AnyUser, obj: Programme) -> bool:
    return _can(Verb.FOLLOW_UP, user, obj)
