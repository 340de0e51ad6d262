"""The e-mail digest through Django's mail framework (locmem outbox in tests): who gets one,
when, in which language, with the RFC 8058 one-click unsubscribe headers."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backend.consultations.domain import PhaseKind
from backend.notifications.models import Notification, NotificationPreference
from backend.notifications.services import digests_send, notification_preference_update
from backend.synthesis.services import candidate_action_decide
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Committed, Region

pytestmark = pytest.mark.django_db


def _decide(region: Region, people: Personas, committed: Committed) -> None:
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer,
            action=region.actions["g_help"],
            decision="not_retained",
            public_answer="Le Département finance déjà ces permanences.",
        )


def test_digest_groups_unread_news_in_each_persons_language_with_one_click_unsubscribe(
    region: Region, people: Personas, committed: Committed
) -> None:
    notification_preference_update(by=people.participant, email_digest="daily", language="en")
    _decide(region, people, committed)
    now = timezone.now()
    run = digests_send(now=now)
    assert (run.people, run.notifications, run.failed) == (2, 2, 0)
    by_address = {message.to[0]: message for message in mail.outbox}
    english = by_address[people.participant.email]
    french = by_address[people.outsider.email]
    assert english.subject == "Le numérique pour tous: 1 update on your contributions"
    assert "not retained" in english.body
    assert "Le Département finance déjà ces permanences." in english.body
    assert french.subject == "Le numérique pour tous : 1 nouvelle de vos contributions"
    assert "non retenue" in french.body
    for message in (english, french):
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(
            r"<(http://127\.0\.0\.1:8000(/api/v1/\S+/))>", message.extra_headers["List-Unsubscribe"]
        )
        assert link is not None
        assert link.group(1) in message.body
        # The link works as a mail provider calls it: a bare POST, no cookie, no CSRF token.
        response = Client(enforce_csrf_checks=True).post(
            link.group(2),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
    assert set(NotificationPreference.objects.values_list("email_digest", flat=True)) == {"never"}
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_nothing_twice_nothing_early_nothing_after_unsubscribing(
    region: Region, people: Personas, committed: Committed
) -> None:
    notification_preference_update(by=people.outsider, email_digest="never")
    _decide(region, people, committed)
    now = timezone.now()
    assert digests_send(now=now).people == 1  # the participant (weekly by default)
    assert digests_send(now=now + timedelta(days=1)).people == 0  # nothing new
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer, action=region.actions["g_pc"], decision="retained"
        )
    assert digests_send(now=now + timedelta(days=2)).people == 0  # weekly: not yet
    out = StringIO()
    with time_machine.travel(now + timedelta(days=7), tick=False):
        call_command("send_digests", stdout=out)
    assert out.getvalue().strip() == "digests sent: 1 (1 notifications), failed: 0"
    assert [m.to[0] for m in mail.outbox] == [people.participant.email] * 2
    # Read news is no news: nothing is e-mailed about what the person already saw.
    Notification.objects.filter(recipient=people.outsider).update(read_at=now)
    assert digests_send(now=now + timedelta(days=30)).people == 0
