"""The e-mail digest: its text in the person's language, and the one-click unsubscribe
(RFC 8058) headers and signed link."""

from collections.abc import Sequence

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.accounts.models import User
from backend.notifications.messages import notification_message
from backend.notifications.models import Notification

UNSUBSCRIBE_SALT = "notifications.digest.unsubscribe"


def unsubscribe_token(*, user_id: int) -> str:
    """A signed, non-expiring token naming the person (RFC 8058 links must keep working)."""
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_user_id(token: str) -> int | None:
    """The person a token names, or None if the server did not sign it."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(*, user_id: int) -> str:
    path = reverse("notification-unsubscribe", kwargs={"token": unsubscribe_token(user_id=user_id)})
    return settings.SITE_URL.rstrip("/") + path


def digest_message(
    *, user: User, language: str, notifications: Sequence[Notification]
) -> EmailMessage:
    """One plain-text e-mail listing the notifications, with the List-Unsubscribe headers."""
    url = unsubscribe_url(user_id=user.pk)
    with translation.override(language):
        count = len(notifications)
        subject = ngettext(
            "Le numérique pour tous: %(count)d update on your contributions",
            "Le numérique pour tous: %(count)d updates on your contributions",
            count,
        ) % {"count": count}
        lines = [_("Hello %(name)s,") % {"name": user.display_name}, ""]
        lines.append(_("Here is what happened to the actions your contributions fed:"))
        lines.append("")
        for notification in notifications:
            lines.append(f"- {notification_message(notification)}")
            if notification.answer:
                lines.append("  " + _("Answer: %(answer)s") % {"answer": notification.answer})
        lines += [
            "",
            _("You receive this digest because you contributed to “le numérique pour tous”."),
            _("Stop these e-mails: %(url)s") % {"url": url},
        ]
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
