"""The notifications API through the shared clients (every response checked against the
OpenAPI document): the list and its filter, read marks, the count, preferences, and the
one-click unsubscribe without signing in."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.notifications.mail import unsubscribe_token
from backend.notifications.models import Notification, NotificationPreference
from backend.synthesis.services import candidate_action_decide
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Committed, Region

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/notifications/"


@pytest.fixture
def told(region: Region, people: Personas, committed: Committed) -> Region:
    """Both Grenoble actions decided: the participant has two notifications, the outsider one."""
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer,
            action=region.actions["g_help"],
            decision="retained_with_changes",
            public_answer="Retenue, avec des permanences mobiles.",
        )
        candidate_action_decide(
            by=people.organizer, action=region.actions["g_pc"], decision="retained"
        )
    return region


def test_the_list_is_mine_newest_first_in_my_language(
    told: Region,
    people: Personas,
    client_for: Callable[[User], APIClient],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(people.participant)
    with django_assert_num_queries(2):  # the count and the page
        response = client.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    newest, oldest = body["results"]
    assert (newest["action_id"], oldest["action_id"]) == (
        told.actions["g_pc"].pk,
        told.actions["g_help"].pk,
    )
    assert oldest["answer"] == "Retenue, avec des permanences mobiles."
    assert oldest["decision"] == "retained_with_changes"
    assert oldest["read_at"] is None
    assert "Des permanences d'aide aux démarches en ligne" in oldest["message"]
    assert "retenue avec modifications" in oldest["message"]
    english = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").json()["results"][1]["message"]
    assert "retained with changes" in english
    assert client_for(people.organizer).get(LIST).json()["count"] == 0


def test_read_one_then_all_and_the_unread_filter_and_count(
    told: Region, people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(people.participant)
    first = Notification.objects.filter(recipient=people.participant).order_by("id").first()
    assert first is not None
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 2}
    marked = client.post(f"{LIST}{first.pk}/read/")
    assert marked.status_code == 200
    assert marked.json()["read_at"] is not None
    assert client.post(f"{LIST}{first.pk}/read/").json() == marked.json()
    assert [n["id"] for n in client.get(LIST, {"unread": "false"}).json()["results"]] == [first.pk]
    unread = client.get(LIST, {"unread": "true"}).json()["results"]
    assert first.pk not in [n["id"] for n in unread]
    assert len(unread) == 1
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 1}
    assert client.post(f"{LIST}read-all/").json() == {"marked": 1, "unread": 0}
    assert client.get(f"{LIST}unread-count/").json() == {"unread": 0}


def test_someone_elses_notification_is_not_found_and_bad_filters_are_refused(
    told: Region, people: Personas, client_for: Callable[[User], APIClient], api_client: APIClient
) -> None:
    theirs = Notification.objects.filter(recipient=people.participant).first()
    assert theirs is not None
    response = client_for(people.outsider).post(f"{LIST}{theirs.pk}/read/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    bad = client_for(people.outsider).get(LIST, {"unread": "peut-être"})
    assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
    assert "unread" in bad.json()["fields"]
    assert api_client.get(LIST).status_code == 401


def test_preferences_default_to_a_weekly_french_digest_and_change(
    people: Personas, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(people.participant)
    url = "/api/v1/me/notification-preferences/"
    assert client.get(url).json() == {
        "in_app": True,
        "email_digest": "weekly",
        "language": "fr",
        "last_digest_at": None,
    }
    changed = client.patch(url, {"email_digest": "daily", "language": "en"})
    assert changed.status_code == 200
    assert (changed.json()["email_digest"], changed.json()["language"]) == ("daily", "en")
    for body, field in (
        ({"email_digest": "hourly"}, "email_digest"),
        ({"in_app": False}, "in_app"),
    ):
        refused = client.patch(url, body)
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
        assert list(refused.json()["fields"]) == [field]
    assert client.get(url).json()["email_digest"] == "daily"


def test_one_click_unsubscribe_needs_no_session_and_a_get_changes_nothing(
    people: Personas, csrf_client: APIClient
) -> None:
    url = f"/api/v1/notifications/unsubscribe/{unsubscribe_token(user_id=people.participant.pk)}/"
    looked = csrf_client.get(url)
    assert looked.json() == {"email_digest": "weekly"}
    assert not NotificationPreference.objects.filter(user=people.participant).exists()
    # As a mail client sends it (RFC 8058): form-encoded, no cookie, no CSRF token.
    response = csrf_client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.json()) == (200, {"email_digest": "never"})
    assert csrf_client.post(url).json() == {"email_digest": "never"}
    preference = NotificationPreference.objects.get(user=people.participant)
    assert preference.email_digest == "never"
    forged = csrf_client.post(f"/api/v1/notifications/unsubscribe/{people.outsider.pk}:x/")
    assert (forged.status_code, forged.json()["code"]) == (404, "unsubscribe_link_invalid")
