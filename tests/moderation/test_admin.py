"""The moderation admin reads in French and is read-only (decisions go through the services)."""

from collections.abc import Callable

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.moderation.services import content_hide, report_create
from backend.proposals.models import Contribution
from tests.fixtures.personas import Personas

pytestmark = pytest.mark.django_db


def test_admin_lists_reports_and_actions_in_french(
    problem: Contribution, people: Personas, make_user: Callable[..., User]
) -> None:
    report_create(by=people.outsider, contribution=problem, reason="spam")
    content_hide(by=people.moderator, contribution=problem, reason="Publicité")
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    reports = client.get("/admin/moderation/report/", HTTP_ACCEPT_LANGUAGE="fr")
    assert reports.status_code == 200
    assert "Spam ou publicité" in reports.content.decode()
    actions = client.get("/admin/moderation/moderationaction/", HTTP_ACCEPT_LANGUAGE="fr")
    assert actions.status_code == 200
    assert "actions de modération" in actions.content.decode().lower()
    assert client.get("/admin/moderation/report/add/").status_code == 403
