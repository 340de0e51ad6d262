"""Who may erase what (on top of a person erasing their own account)."""

from backend.consultations.models import RoleKind
from backend.consultations.policies import AnyUser, consultation_roles_of
from backend.proposals.models import ParticipantCard


def can_erase_participant_card(*, user: AnyUser, obj: ParticipantCard) -> bool:
    """The organizers of the card's consultation, at the person's request (a card has no
    account to ask with), and staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return RoleKind.ORGANIZER in consultation_roles_of(user=user, consultation=obj.consultation)
