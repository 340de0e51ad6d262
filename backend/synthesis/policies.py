"""Who may merge, build candidate actions and decide (on top of the consultation's phase gate)."""

from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import (
    AnyUser,
    GateDecision,
    consultation_gate,
    raise_for,
)


def can_merge_contributions(*, user: AnyUser, obj: Consultation) -> bool:
    """Organizers and facilitators, during the synthesis phase (the gate's `merge` verb)."""
    return consultation_gate(user=user, consultation=obj, verb=Verb.MERGE).allowed


def can_edit_candidate_action(*, user: AnyUser, obj: Consultation) -> bool:
    """Building candidate actions is part of merging: same people, same phase."""
    return can_merge_contributions(user=user, obj=obj)


def _decide_gate(*, user: AnyUser, obj: Consultation) -> GateDecision:
    """The `answer` verb: organizers, in synthesis and restitution (a facilitator drafts
    actions during synthesis, an organizer decides and answers)."""
    return consultation_gate(user=user, consultation=obj, verb=Verb.ANSWER)


def can_decide_candidate_action(*, user: AnyUser, obj: Consultation) -> bool:
    """Organizers only (not facilitators), in the synthesis and restitution phases; also for
    answering a contribution that no action takes up."""
    return _decide_gate(user=user, obj=obj).allowed


def ensure_can_merge(*, user: AnyUser, consultation: Consultation) -> None:
    raise_for(consultation_gate(user=user, consultation=consultation, verb=Verb.MERGE))


def ensure_can_decide(*, user: AnyUser, consultation: Consultation) -> None:
    raise_for(_decide_gate(user=user, obj=consultation))
