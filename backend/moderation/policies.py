"""Who may moderate a consultation: its moderators and organizers, through the phase gate."""

from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, consultation_gate, is_signed_in


def can_report_content(*, user: AnyUser) -> bool:
    """Anyone signed in may report what they can read."""
    return is_signed_in(user)


def can_moderate_consultation(*, user: AnyUser, obj: Consultation) -> bool:
    return consultation_gate(user=user, consultation=obj, verb=Verb.MODERATE).allowed
