"""The notifications admin reads in French and writes nothing."""

from collections.abc import Callable

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.synthesis.services import candidate_action_decide
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Committed, Region

pytestmark = pytest.mark.django_db


def test_changelist_in_french_and_read_only(
    region: Region, people: Personas, make_user: Callable[..., User], committed: Committed
) -> None:
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer, action=region.actions["g_pc"], decision="retained"
        )
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(
        "/admin/notifications/notification/", headers={"accept-language": "fr"}
    ).content.decode()
    assert "Prêter des ordinateurs reconditionnés" in page
    assert "Décision sur une action candidate" in page
    assert "destinataire" in page.lower()
    add = client.get("/admin/notifications/notification/add/")
    assert add.status_code == 403
    preferences = client.get(
        "/admin/notifications/notificationpreference/", headers={"accept-language": "fr"}
    )
    assert "récapitulatif par e-mail" in preferences.content.decode().lower()
