"""Who may do what on contributions and participant cards (on top of the phase gate)."""

from backend.consultations.models import Consultation, RoleKind
from backend.consultations.policies import AnyUser, consultation_roles_of, is_signed_in
from backend.proposals.models import Contribution, ContributionStatus, Origin

# Origins a person may claim for their own text; the others are a facilitator's.
SELF_ORIGINS = frozenset({Origin.WEB, Origin.MOBILE})
CARD_READER_ROLES = frozenset({RoleKind.FACILITATOR, RoleKind.ORGANIZER})


def is_self_origin(origin: str) -> bool:
    return origin in SELF_ORIGINS


def can_manage_contribution(*, user: AnyUser, obj: Contribution) -> bool:
    """The author (an account) or the person who typed it may edit, publish or withdraw it."""
    if not is_signed_in(user):
        return False
    return obj.author_id == user.pk or obj.entered_by_id == user.pk


def can_view_contribution(*, user: AnyUser, obj: Contribution) -> bool:
    """Drafts only for their author and the person who typed them; the rest is public."""
    if obj.status != ContributionStatus.DRAFT:
        return True
    return can_manage_contribution(user=user, obj=obj)


def can_list_participant_cards(*, user: AnyUser, obj: Consultation) -> bool:
    """Cards are never public: facilitators and organizers of the consultation only."""
    return bool(consultation_roles_of(user=user, consultation=obj) & CARD_READER_ROLES)
