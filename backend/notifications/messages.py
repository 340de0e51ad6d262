"""The sentence a person reads for a notification, in the active language (French by
default): shared by the REST output, the websocket frame and the e-mail digest."""

from django.utils.translation import gettext as _

from backend.notifications.models import Notification, NotificationKind
from backend.programmes.models import FollowUpStatus, RegionalDecision
from backend.synthesis.models import Decision

Choices = type[Decision] | type[RegionalDecision] | type[FollowUpStatus]


def _label(choices: Choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def notification_message(notification: Notification) -> str:
    title = notification.action_title
    kind = notification.kind
    if kind == NotificationKind.CONTRIBUTION_MERGED:
        return _("Your contribution was taken up in the candidate action “%(title)s”.") % {
            "title": title
        }
    if kind == NotificationKind.CANDIDATE_ACTION_DECIDED:
        return _("The candidate action “%(title)s” that your contribution fed: %(decision)s.") % {
            "title": title,
            "decision": _label(Decision, notification.decision).lower(),
        }
    if kind == NotificationKind.REGIONAL_ACTION_DECIDED:
        return _("The regional action “%(title)s” that your contribution fed: %(decision)s.") % {
            "title": title,
            "decision": _label(RegionalDecision, notification.decision).lower(),
        }
    return _("The regional action “%(title)s” that your contribution fed is now: %(status)s.") % {
        "title": title,
        "status": _label(FollowUpStatus, notification.status).lower(),
    }
