"""Who may run a workshop, see it, and what a participant may do in it."""

from backend.consultations.domain import Role
from backend.consultations.models import Consultation, ConsultationStatus
from backend.consultations.policies import (
    AnyUser,
    can_view_consultation,
    consultation_roles_of,
    is_signed_in,
)
from backend.workshops.models import Workshop, WorkshopStatus

RUNNING_ROLES = frozenset({Role.FACILITATOR, Role.ORGANIZER})


def can_run_workshops_of(*, user: AnyUser, consultation: Consultation) -> bool:
    """The consultation's facilitators and organizers (and staff), while it is not archived."""
    if not is_signed_in(user):
        return False
    if consultation.status == ConsultationStatus.ARCHIVED:
        return False
    if user.is_staff:
        return True
    return bool(RUNNING_ROLES & consultation_roles_of(user=user, consultation=consultation))


def can_run_workshop(*, user: AnyUser, obj: Workshop) -> bool:
    """Who runs the workshops of its consultation (see can_run_workshops_of)."""
    return can_run_workshops_of(user=user, consultation=obj.consultation)


def can_view_workshop(*, user: AnyUser, obj: Workshop) -> bool:
    """Workshops are as public as their consultation once opened; drafts for their runners."""
    if not can_view_consultation(user=user, obj=obj.consultation):
        return False
    return obj.status != WorkshopStatus.DRAFT or can_run_workshop(user=user, obj=obj)


def can_join_workshop(*, obj: Workshop) -> bool:
    """Anyone with the code, signed in or not, while the workshop is open."""
    return obj.status == WorkshopStatus.OPEN
