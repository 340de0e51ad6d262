"""Who may look up similar contributions and run the suggested clusters."""

from backend.consultations.models import Consultation, RoleKind
from backend.consultations.policies import (
    AnyUser,
    can_view_consultation,
    consultation_roles_of,
    is_signed_in,
)

RUNNER_ROLES = frozenset({RoleKind.ORGANIZER, RoleKind.FACILITATOR})


def can_look_up_similar(*, user: AnyUser, obj: Consultation) -> bool:
    """Anyone who may see the consultation: the lookup only shows published contributions."""
    return can_view_consultation(user=user, obj=obj)


def can_run_suggestions(*, user: AnyUser, obj: Consultation) -> bool:
    """The consultation's organizers and facilitators (and staff), in any phase: organizers
    look for duplicates while contributions still come in, not only at synthesis time."""
    if not is_signed_in(user):
        return False
    if user.is_staff:
        return True
    return bool(consultation_roles_of(user=user, consultation=obj) & RUNNER_ROLES)
