"""The plan admin reads in French and never changes a published version."""

from collections.abc import Callable

from django.test import Client

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.consultations.models import Consultation
from backend.plans.services import plan_publish
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase


def test_versions_listed_in_french_and_read_only(
    consultation: Consultation, people: Personas, make_user: Callable[..., User]
) -> None:
    with in_phase(PhaseKind.RESTITUTION):
        version = plan_publish(by=people.organizer, consultation=consultation, force=True)
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client(headers={"Accept-Language": "fr"})
    client.force_login(admin)
    listed = client.get("/admin/plans/planversion/")
    assert listed.status_code == 200
    page = listed.content.decode()
    assert "Plan publié" in page
    assert "versions du plan" in page
    detail = client.get(f"/admin/plans/planversion/{version.pk}/change/")
    assert detail.status_code == 200
    assert "SHA-256 de l&#x27;instantané" in detail.content.decode()
    assert client.get("/admin/plans/planversion/add/").status_code == 403
    posted = client.post(f"/admin/plans/planversion/{version.pk}/change/", {"note": "changée"})
    assert posted.status_code == 403
    version.refresh_from_db()
    assert version.note == ""
