"""The Django admin of consultations: lists, change page, the plan checked as a whole."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import User
from backend.consultations.models import Consultation, Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_fr(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_list_and_change_pages_read_in_french(
    admin_client_fr: Client, consultation: Consultation
) -> None:
    listing = admin_client_fr.get("/admin/consultations/consultation/")
    assert listing.status_code == 200
    assert "Concertations" in listing.content.decode()
    change = admin_client_fr.get(f"/admin/consultations/consultation/{consultation.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert "Rôles dans les concertations" in page or "rôles dans les concertations" in page
    assert "Diagnostic (constats)" in page


def change_form_data(consultation: Consultation, **overrides: Any) -> dict[str, Any]:
    phases = list(consultation.phases.order_by("position"))
    local = timezone.localtime
    data: dict[str, Any] = {
        "title": consultation.title,
        "slug": consultation.slug,
        "territory": consultation.territory_id,
        "themes": consultation.themes,
        "status": consultation.status,
        "description": consultation.description,
        "summary_easy_read": consultation.summary_easy_read,
        "phases-TOTAL_FORMS": len(phases),
        "phases-INITIAL_FORMS": len(phases),
        "phases-MIN_NUM_FORMS": 0,
        "phases-MAX_NUM_FORMS": 1000,
        "roles-TOTAL_FORMS": 0,
        "roles-INITIAL_FORMS": 0,
        "roles-MIN_NUM_FORMS": 0,
        "roles-MAX_NUM_FORMS": 1000,
    }
    for index, phase in enumerate(phases):
        data.update(
            {
                f"phases-{index}-id": phase.pk,
                f"phases-{index}-consultation": consultation.pk,
                f"phases-{index}-position": phase.position,
                f"phases-{index}-kind": phase.kind,
                f"phases-{index}-title": phase.title,
                f"phases-{index}-starts_at_0": local(phase.starts_at).strftime("%d/%m/%Y"),
                f"phases-{index}-starts_at_1": local(phase.starts_at).strftime("%H:%M:%S"),
                f"phases-{index}-ends_at_0": local(phase.ends_at).strftime("%d/%m/%Y"),
                f"phases-{index}-ends_at_1": local(phase.ends_at).strftime("%H:%M:%S"),
            }
        )
    data.update(overrides)
    return data


def test_saving_an_unchanged_plan_works(
    admin_client_fr: Client, consultation: Consultation
) -> None:
    before = list(consultation.phases.values_list("starts_at", "ends_at"))
    data = change_form_data(consultation, title="Titre changé dans l’admin")
    response = admin_client_fr.post(
        f"/admin/consultations/consultation/{consultation.pk}/change/", data
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Titre changé dans l’admin"
    assert list(consultation.phases.values_list("starts_at", "ends_at")) == before


def test_an_overlapping_plan_is_a_form_error_not_a_crash(
    admin_client_fr: Client, consultation: Consultation
) -> None:
    # The second phase now starts on the first day of the first one.
    data = change_form_data(consultation, **{"phases-1-starts_at_0": "04/05/2026"})
    response = admin_client_fr.post(
        f"/admin/consultations/consultation/{consultation.pk}/change/", data
    )
    assert response.status_code == 200
    assert "Cette phase commence avant la fin de la précédente." in response.content.decode()
    assert Phase.objects.filter(consultation=consultation).count() == 6
