"""The loop back to contributors, driven by the real synthesis and programme services and
their domain events: who is told what, once."""

from collections.abc import Callable

import pytest

from backend.accounts.models import User
from backend.consultations.domain import PhaseKind
from backend.core import errors
from backend.notifications import services
from backend.notifications.models import Notification, NotificationKind, NotificationPreference
from backend.privacy.selectors import personal_data_export
from backend.privacy.services import user_erase
from backend.programmes.services import (
    regional_action_create,
    regional_action_decide,
    regional_action_set_status,
    regional_plan_publish,
)
from backend.proposals.services import contribution_create
from backend.synthesis.services import (
    action_source_add,
    candidate_action_create,
    candidate_action_decide,
    contributions_merge,
)
from tests.fixtures.personas import Personas
from tests.fixtures.phases import in_phase
from tests.notifications.conftest import Committed, Region

pytestmark = pytest.mark.django_db


def _of(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_one_notification_per_person_and_action_however_many_contributions(
    region: Region, people: Personas, committed: Committed
) -> None:
    c = region.contributions
    with in_phase(PhaseKind.SYNTHESIS), committed():
        action = candidate_action_create(
            by=people.organizer,
            consultation=region.grenoble,
            title="Un guichet numérique au CCAS",
            contribution_ids=[c["g_caf"].pk, c["g_ordi"].pk],
        )
    (mine,) = _of(people.participant)
    assert mine.kind == NotificationKind.CONTRIBUTION_MERGED
    assert (mine.candidate_action_id, mine.consultation_id) == (action.pk, region.grenoble.pk)
    assert mine.contributions == sorted([c["g_caf"].pk, c["g_ordi"].pk])
    assert mine.action_title == "Un guichet numérique au CCAS"
    assert _of(people.outsider) == []
    # A new source reaches the newcomer only; the edit it causes is no news for the others.
    with in_phase(PhaseKind.SYNTHESIS), committed():
        action_source_add(
            by=people.organizer,
            action=action,
            relation="answers_problem",
            contribution_id=c["g_pref"].pk,
        )
    assert len(_of(people.participant)) == 1
    (theirs,) = _of(people.outsider)
    assert theirs.contributions == [c["g_pref"].pk]


def test_a_merge_into_a_cluster_an_action_draws_on_reaches_the_new_author(
    region: Region,
    people: Personas,
    make_user: Callable[..., User],
    committed: Committed,
) -> None:
    c = region.contributions
    late = make_user(display_name="Nadia")
    with in_phase(PhaseKind.DIAGNOSTIC):
        extra = contribution_create(
            by=late,
            consultation=region.grenoble,
            kind="problem",
            title="La CAF ne répond plus au téléphone",
            body="Tout passe par le site.",
            origin="web",
            theme="logement",
        )
    with in_phase(PhaseKind.SYNTHESIS):
        merge = contributions_merge(
            by=people.organizer,
            consultation=region.grenoble,
            contribution_ids=[c["g_caf"].pk, c["g_ordi"].pk],
            reason="Même besoin",
        )
        with committed():
            action = candidate_action_create(
                by=people.organizer,
                consultation=region.grenoble,
                title="Aide aux démarches CAF",
                cluster_ids=[merge.cluster_id],
            )
        assert [n.candidate_action_id for n in _of(people.participant)] == [action.pk]
        assert _of(late) == []
        with committed():
            contributions_merge(
                by=people.organizer,
                consultation=region.grenoble,
                contribution_ids=[extra.pk],
                reason="Même besoin",
                into_cluster=merge.cluster,
            )
    (news,) = _of(late)
    assert (news.kind, news.candidate_action_id, news.contributions) == (
        NotificationKind.CONTRIBUTION_MERGED,
        action.pk,
        [extra.pk],
    )
    assert len(_of(people.participant)) == 1


def test_decisions_reach_every_contributor_with_the_public_answer(
    region: Region, people: Personas, committed: Committed
) -> None:
    action = region.actions["g_help"]
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(by=people.organizer, action=action, decision="pending")
    assert Notification.objects.count() == 0
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer,
            action=action,
            decision="not_retained",
            public_answer="Le Département finance déjà ces permanences.",
        )
    for person in (people.participant, people.outsider):
        (news,) = [n for n in _of(person) if n.kind == NotificationKind.CANDIDATE_ACTION_DECIDED]
        assert news.decision == "not_retained"
        assert news.answer == "Le Département finance déjà ces permanences."
    # The same event delivered twice (a retried subscriber) writes nothing more.
    services.candidate_action_notify_decided(action_id=action.pk)
    assert Notification.objects.filter(kind=NotificationKind.CANDIDATE_ACTION_DECIDED).count() == 2


def test_regional_decision_and_follow_up_status_reach_contributors_of_every_round(
    region: Region, people: Personas, committed: Committed
) -> None:
    help_desk = regional_action_create(
        by=region.organizer,
        programme=region.programme,
        title="Un réseau régional de permanences",
        themes=["logement"],
        candidate_action_ids=[region.actions["g_help"].pk, region.actions["l_help"].pk],
    )
    with committed():
        regional_action_decide(by=region.organizer, action=help_desk, decision="retained")
    decided = Notification.objects.filter(kind=NotificationKind.REGIONAL_ACTION_DECIDED)
    assert {n.recipient_id for n in decided} == {people.participant.pk, people.outsider.pk}
    mine = decided.get(recipient=people.participant)
    # Grenoble's and Lyon's contributions of one person: one notification naming both.
    assert mine.contributions == sorted(
        [region.contributions["g_caf"].pk, region.contributions["l_caf"].pk]
    )
    assert (mine.regional_action_id, mine.programme_id) == (help_desk.pk, region.programme.pk)
    regional_plan_publish(by=region.organizer, programme=region.programme, force=True)
    with committed():
        regional_action_set_status(by=region.organizer, action=help_desk, status="in_progress")
    (moved,) = Notification.objects.filter(
        recipient=people.outsider, kind=NotificationKind.REGIONAL_ACTION_STATUS_CHANGED
    )
    assert (moved.status, moved.previous_status) == ("in_progress", "planned")


def test_erased_accounts_are_not_told_and_lose_their_notifications(
    region: Region, people: Personas, committed: Committed
) -> None:
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer, action=region.actions["g_pc"], decision="retained"
        )
    services.notification_preference_update(by=people.participant, email_digest="daily")
    export = personal_data_export(user=people.participant)
    assert [n["kind"] for n in export["notifications"]] == ["candidate_action_decided"]
    assert export["notification_preferences"][0]["email_digest"] == "daily"
    user_erase(user=people.participant)
    assert _of(people.participant) == []
    assert not NotificationPreference.objects.filter(user=people.participant).exists()
    with in_phase(PhaseKind.SYNTHESIS), committed():
        candidate_action_decide(
            by=people.organizer,
            action=region.actions["g_pc"],
            decision="not_retained",
            public_answer="Hors du champ du plan.",
        )
    assert _of(people.participant) == []


def test_marking_read_one_and_all(region: Region, people: Personas, committed: Committed) -> None:
    with in_phase(PhaseKind.SYNTHESIS), committed():
        for key in ("g_help", "g_pc"):
            candidate_action_decide(
                by=people.organizer, action=region.actions[key], decision="retained"
            )
    first, _second = _of(people.participant)
    with pytest.raises(errors.NotFound):
        services.notification_mark_read(by=people.outsider, notification=first)
    services.notification_mark_read(by=people.participant, notification=first)
    first.refresh_from_db()
    assert first.read_at is not None
    assert services.notifications_mark_all_read(by=people.participant) == 1
    assert services.notifications_mark_all_read(by=people.participant) == 0
