"""Who may publish and read the plan (on top of the consultation's phase gate)."""

from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, can_view_consultation, consultation_gate


def can_publish_plan(*, user: AnyUser, obj: Consultation) -> bool:
    """The consultation's organizers, during the restitution phase of a published round."""
    return consultation_gate(user=user, consultation=obj, verb=Verb.PUBLISH_PLAN).allowed


def can_view_plan(*, user: AnyUser, obj: Consultation) -> bool:
    """A published plan is public wherever its consultation is visible."""
    return can_view_consultation(user=user, obj=obj)
