"""The demo's regional programme: three rounds consolidated, costed within the pilot's
envelopes, published once, followed up; loading twice adds nothing."""

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.demo.loader import demo_load
from backend.demo.programme import PROGRAMME_TITLE
from backend.notifications.models import Notification, NotificationPreference
from backend.programmes.models import FollowUpEntry, Programme, RegionalAction


@pytest.mark.django_db
def test_the_demo_regional_plan() -> None:
    demo_load()
    programme = Programme.objects.get(title=PROGRAMME_TITLE)
    assert programme.stage == "adopted"
    assert programme.rounds.count() == 3
    assert {f.name: f.envelope_eur for f in programme.funders.all()} == {
        "Région Auvergne-Rhône-Alpes": 28000,
        "Ville de Grenoble": 11000,
    }
    version = programme.plan_versions.get()
    snapshot = version.snapshot
    assert not version.is_over_budget
    assert snapshot["actions"][0]["figures"]["territories_raised"] == 3
    assert [f["remaining_eur"] for f in snapshot["budget"]["funders"]] == [0, 0]
    assert len(snapshot["annexes"]) == 3
    assert FollowUpEntry.objects.filter(action__programme=programme).count() >= 5
    # Each replicated round speaks of its own neighbourhood, not of Grenoble's actors.
    replicas = [r.consultation for r in programme.rounds.filter(is_pilot=False)]
    assert len(replicas) == 2
    for replica in replicas:
        assert replica.territory.name in replica.description
        assert "acteurs de terrain grenoblois" not in replica.description
    before = RegionalAction.objects.count()
    assert "regional_actions" not in demo_load().created
    assert RegionalAction.objects.count() == before


@pytest.mark.django_db
def test_the_demo_tells_contributors_and_discusses_a_regional_action(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    nadia = User.objects.get(email__startswith="participant@")
    kinds = set(Notification.objects.filter(recipient=nadia).values_list("kind", flat=True))
    assert {"contribution_merged", "regional_action_status_changed"} <= kinds
    assert NotificationPreference.objects.get(user=nadia).email_digest == "daily"
    assert Comment.objects.filter(target_kind="regional_action").count() == 2
