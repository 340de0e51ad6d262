"""The demo's loop back to contributors: notifications themselves come from the domain events
of the synthesis and the programme (written after the demo's transaction commits); here, one
person's digest preferences and comments on a regional action."""

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.demo.programme import PROGRAMME_TITLE
from backend.notifications.services import (
    notification_preference_update,
    regional_action_comment_create,
)
from backend.programmes.models import RegionalAction


def load_notifications(*, people: dict[str, User]) -> int:
    """Nadia reads her news every day; two people discuss the regional help desk. Returns
    the number of comments written (0 when they exist already)."""
    notification_preference_update(by=people["participant"], email_digest="daily")
    action = RegionalAction.objects.filter(programme__title=PROGRAMME_TITLE).order_by("id").first()
    if action is None or Comment.objects.filter(regional_action=action).exists():
        return 0
    first = regional_action_comment_create(
        by=people["participant"],
        action=action,
        body="Super ! Est-ce qu'il y aura une permanence le samedi à la Villeneuve ?",
        stance="for",
    )
    regional_action_comment_create(
        by=people["mediatrice"],
        action=action,
        body="Oui, à la maison des habitants, un samedi sur deux à partir du mois prochain.",
        parent=first,
    )
    return 2
