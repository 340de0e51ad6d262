"""Erasure by anonymization: what a person wrote and voted stays counted, nothing links it to
them any more.

Deleting rows would break the public record of a consultation (a comment thread, a closed
vote's frozen result and published ballot file, a plan's sources) and, for ballots, change
results after the fact. So the account (or card) is kept as an empty shell: identity data
replaced, credentials and personal links removed. Public texts stay as published (the
consultation's record); a person who wants them gone withdraws them first.
"""

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from backend.accounts.models import AccessToken, User
from backend.consultations.models import ConsultationRole
from backend.core import errors
from backend.moderation.models import Report
from backend.notifications.services import notifications_erase
from backend.privacy.policies import can_erase_participant_card
from backend.proposals.models import AgeBracket, ParticipantCard
from backend.structures.models import Membership

ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.pk)


@transaction.atomic
def user_erase(*, user: User) -> User:
    """Anonymize an account (the person's own request, or staff through the admin).

    Kept and still counted: contributions, comments, ballots, endorsements (linked to the
    shell, shown as "Compte supprimé"). Replaced: e-mail, display name, territory, password
    (unusable: every session stops, as sessions are bound to the password). Deleted: access
    tokens, structure memberships, consultation roles, groups and permissions, the reports
    the person filed (never public), their notifications and notification preferences.
    Lock: the user row. Idempotent.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    AccessToken.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    ConsultationRole.objects.filter(user=user).delete()
    Report.objects.filter(reporter=user).delete()
    notifications_erase(user=user)
    user.email = erased_email(user.pk)
    user.display_name = str(_("Deleted account"))
    user.territory = None
    user.password = make_password(None)
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return user


@transaction.atomic
def participant_card_erase(*, by: User, card: ParticipantCard) -> ParticipantCard:
    """Anonymize a participant card at the person's request, through an organizer: its
    label, territory and age bracket go; what was entered for it stays counted. The record of
    consent stays (it says why the entries were lawful). Idempotent."""
    if not can_erase_participant_card(user=by, obj=card):
        raise errors.PermissionDenied()
    card = ParticipantCard.objects.select_for_update().get(pk=card.pk)
    card.label = str(_("Deleted card"))
    card.territory = None
    card.age_bracket = AgeBracket.UNKNOWN
    card.save(update_fields=["label", "territory", "age_bracket"])
    return card
