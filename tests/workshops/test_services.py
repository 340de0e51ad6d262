"""Workshop services: the room's life cycle, answers through the engines, ideas, timers."""

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from backend.core import errors
from backend.proposals.models import Contribution
from backend.votes.models import BallotLine
from backend.workshops import selectors, services
from backend.workshops.models import Activity, Participant, Workshop, WorkshopEvent
from tests.workshops.conftest import Room

pytestmark = pytest.mark.django_db


def test_open_gives_a_join_code_and_logs_sequenced_events(room: Room, workshop: Workshop) -> None:
    assert workshop.status == "open"
    assert len(workshop.join_code) == 6
    anonymous = AnonymousUser()
    assert selectors.workshop_by_code(code=workshop.join_code.lower(), user=anonymous).pk == (
        workshop.pk
    )
    events = list(WorkshopEvent.objects.filter(workshop=workshop).values_list("seq", "type"))
    assert events == [(1, "workshop.opened")]
    workshop.refresh_from_db()
    assert workshop.last_seq == 1


def test_one_activity_open_at_a_time(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    first = make_activity("poll")
    second = make_activity("idea_capture", title="Vos difficultés")
    services.activity_start(by=room.facilitator, activity=first)
    services.activity_start(by=room.facilitator, activity=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("closed", "open")
    types = list(WorkshopEvent.objects.filter(workshop=workshop).values_list("type", flat=True))
    assert types[-3:] == ["activity.started", "activity.stopped", "activity.started"]
    stopped = WorkshopEvent.objects.get(workshop=workshop, type="activity.stopped")
    assert stopped.payload["reason"] == "next_activity"


def test_poll_answer_can_change_while_open_and_is_refused_after(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    poll = make_activity("poll")
    services.activity_start(by=room.facilitator, activity=poll)
    participant, token = services.participant_join(workshop=workshop, user=None)
    assert token is not None
    choices = [choice.pk for choice in poll.choices.all()]
    services.workshop_poll_answer(activity=poll, participant=participant, choices=[choices[0]])
    services.workshop_poll_answer(activity=poll, participant=participant, choices=[choices[1]])
    results = selectors.activity_results(
        activity=selectors.activity_get(workshop=workshop, activity_id=poll.pk)
    )
    assert [c["count"] for c in results["results"]["choices"]] == [0, 1, 0]
    assert results["answered"] == 1
    with pytest.raises(errors.ValidationFailed) as raised:
        services.workshop_poll_answer(activity=poll, participant=participant, choices=choices[:2])
    assert "choices" in (raised.value.fields or {})
    services.activity_stop(by=room.facilitator, activity=poll)
    with pytest.raises(errors.ActivityClosed):
        services.workshop_poll_answer(activity=poll, participant=participant, choices=[choices[0]])


def test_resume_token_gives_back_the_same_card(room: Room, workshop: Workshop) -> None:
    first, token = services.participant_join(workshop=workshop, user=None, display_name="Fatou")
    assert token is not None
    assert first.card is not None
    again, no_token = services.participant_join(workshop=workshop, user=None, resume_token=token)
    assert (again.pk, again.card_id, no_token) == (first.pk, first.card_id, None)
    assert first.card.label == "Fatou"
    with pytest.raises(errors.AuthenticationFailed):
        services.participant_join(workshop=workshop, user=None, resume_token="x" * 43)


def test_vote_activity_takes_engine_ballots_outside_the_vote_phase(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    vote = make_activity("vote")
    assert vote.vote is not None
    services.activity_start(by=room.facilitator, activity=vote)
    phone, _token = services.participant_join(workshop=workshop, user=None)
    member, _none = services.participant_join(workshop=workshop, user=room.participant)
    items = [p.pk for p in room.proposals]
    services.workshop_ballot_submit(activity=vote, participant=phone, choices={items[0]: 1})
    answer = services.workshop_ballot_submit(
        activity=vote, participant=member, choices={items[0]: 1, items[1]: 1}
    )
    assert answer["choices"] == {str(items[0]): 1, str(items[1]): 1}
    lines = BallotLine.objects.filter(vote=vote.vote)
    assert lines.count() == 3
    assert set(lines.values_list("origin", flat=True)) == {"workshop"}
    assert set(lines.values_list("paper_reference", flat=True)) == {f"workshop:{workshop.pk}"}
    results = selectors.activity_results(
        activity=selectors.activity_get(workshop=workshop, activity_id=vote.pk)
    )
    assert results["answered"] == 2
    services.workshop_close(by=room.facilitator, workshop=workshop)
    vote.vote.refresh_from_db()
    assert vote.vote.closed_at is not None


def test_timer_is_enforced_and_expiry_emits_the_stop(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    poll = make_activity("poll", duration_seconds=30)
    services.activity_start(by=room.facilitator, activity=poll)
    participant, _token = services.participant_join(workshop=workshop, user=None)
    choice = poll.choices.first()
    assert choice is not None
    later = timezone.now() + timedelta(seconds=31)
    with time_machine.travel(later, tick=False):
        with pytest.raises(errors.ActivityClosed):
            services.workshop_poll_answer(
                activity=poll, participant=participant, choices=[choice.pk]
            )
        assert services.activity_expire(activity_id=poll.pk) is True
        assert services.activity_expire(activity_id=poll.pk) is False
    stopped = WorkshopEvent.objects.get(workshop=workshop, type="activity.stopped")
    assert stopped.payload["reason"] == "timer"
    poll.refresh_from_db()
    assert poll.status == "closed"


def test_approved_idea_becomes_a_workshop_contribution(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    capture = make_activity("idea_capture", title="Vos propositions")
    services.activity_start(by=room.facilitator, activity=capture)
    phone, _token = services.participant_join(workshop=workshop, user=None, display_name="Karim")
    idea = services.idea_submit(
        activity=capture, participant=phone, kind="proposal", text="des ateliers caf le samedi"
    )
    approved = services.idea_moderate(
        by=room.facilitator,
        idea=idea,
        decision="approve",
        text="Des ateliers CAF le samedi matin",
    )
    assert approved.contribution_id is not None
    contribution = Contribution.objects.get(pk=approved.contribution_id)
    assert contribution.origin == "workshop"
    assert contribution.author_card_id == phone.card_id
    assert contribution.status == "published"
    assert contribution.body == "Des ateliers CAF le samedi matin"
    with pytest.raises(errors.IdeaAlreadyModerated):
        services.idea_moderate(by=room.facilitator, idea=idea, decision="reject")
    audiences = dict(
        WorkshopEvent.objects.filter(workshop=workshop).values_list("type", "audience")
    )
    assert audiences["idea.submitted"] == "facilitators"
    assert audiences["idea.approved"] == "all"


def test_facilitator_answers_for_a_card(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    from backend.proposals.services import participant_card_create

    card = participant_card_create(
        by=room.facilitator,
        consultation=room.consultation,
        label="Mme R.",
        consent_given=True,
        consent_note="oral",
    )
    vote = make_activity("vote")
    services.activity_start(by=room.facilitator, activity=vote)
    participant = services.participant_for_card(
        by=room.facilitator, workshop=workshop, card_id=card.pk
    )
    services.workshop_ballot_submit(
        activity=vote,
        participant=participant,
        choices={room.proposals[0].pk: 1},
        entered_by=room.facilitator,
    )
    line = BallotLine.objects.get(vote=vote.vote)
    assert (line.voter_card_id, line.entered_by_id) == (card.pk, room.facilitator.pk)
    with pytest.raises(errors.PermissionDenied):
        services.participant_for_card(by=room.participant, workshop=workshop, card_id=card.pk)
    assert Participant.objects.filter(workshop=workshop, card=card).count() == 1


def test_closed_workshop_refuses_answers_and_cannot_reopen(
    room: Room, workshop: Workshop, make_activity: Callable[..., Activity]
) -> None:
    poll = make_activity("poll")
    services.activity_start(by=room.facilitator, activity=poll)
    participant, _token = services.participant_join(workshop=workshop, user=None)
    closed = services.workshop_close(by=room.facilitator, workshop=workshop)
    assert closed.status == "closed"
    choice = poll.choices.first()
    assert choice is not None
    with pytest.raises(errors.WorkshopNotOpen):
        services.workshop_poll_answer(activity=poll, participant=participant, choices=[choice.pk])
    with pytest.raises(errors.WorkshopNotOpen):
        services.workshop_open(by=room.facilitator, workshop=workshop)
    types = list(WorkshopEvent.objects.filter(workshop=workshop).values_list("type", flat=True))
    assert types[-2:] == ["activity.stopped", "workshop.closed"]
    seqs = list(WorkshopEvent.objects.filter(workshop=workshop).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
