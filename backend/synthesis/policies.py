"""Who may merge, build candidate actions and decide (on top of the consultation's phase gate)."""

from backend.consultations.domain import Role, Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import (
    AnyUser,
    GateDecision,
    consultation_gate,
    consultation_roles_of,
    raise_for,
)
from backend.core import errors


def can_merge_contributions(*, user: AnyUser, obj: Consultation) -> bool:
    """Organizers and facilitators, during the synthesis phase (the gate's `merge` verb)."""
    return consultation_gate(user=user, consultation=obj, verb=Verb.MERGE).allowed


def can_edit_candidate_action(*, user: AnyUser, obj: Consultation) -> bool:
    """Building candidate actions is part of merging: same people, same phase."""
    return can_merge_contributions(user=user, obj=obj)


def _decide_gate(*, user: AnyUser, obj: Consultation) -> GateDecision:
    """The merge gate, then the organizer role: a facilitator drafts, an organizer decides."""
    roles = consultation_roles_of(user=user, consultation=obj)
    gate = consultation_gate(user=user, consultation=obj, verb=Verb.MERGE, roles=roles)
    if gate.allowed and Role.ORGANIZER not in roles:
        return GateDecision(
            verb=gate.verb,
            allowed=False,
            code=None,
            open_phase=gate.open_phase,
            allowed_in=gate.allowed_in,
            status=gate.status,
        )
    return gate


def can_decide_candidate_action(*, user: AnyUser, obj: Consultation) -> bool:
    """Organizers only (not facilitators), during the synthesis phase; also for answering a
    contribution that no action takes up."""
    return _decide_gate(user=user, obj=obj).allowed


def ensure_can_merge(*, user: AnyUser, consultation: Consultation) -> None:
    raise_for(consultation_gate(user=user, consultation=consultation, verb=Verb.MERGE))


def ensure_can_decide(*, user: AnyUser, consultation: Consultation) -> None:
    gate = _decide_gate(user=user, obj=consultation)
    if not gate.allowed and gate.code is None:
        raise errors.PermissionDenied()
    raise_for(gate)
