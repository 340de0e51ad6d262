"""Reads on live workshops: lists, the join lookup, results, snapshots and the event log."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from backend.accounts.models import AccessToken
from backend.accounts.tokens import token_digest
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser
from backend.core import errors
from backend.proposals.models import Contribution
from backend.votes.models import BallotLine
from backend.votes.selectors import vote_results
from backend.workshops.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    EventAudience,
    Idea,
    IdeaStatus,
    Participant,
    PollAnswer,
    PollChoice,
    Workshop,
    WorkshopEvent,
    WorkshopStatus,
)
from backend.workshops.policies import can_run_workshop, can_view_workshop
from backend.workshops.realtime import activity_data, idea_data, workshop_data


def workshop_list(*, consultation: Consultation, user: AnyUser) -> QuerySet[Workshop]:
    """The consultation's workshops, newest first; drafts only for those who run them."""
    workshops = Workshop.objects.filter(consultation=consultation).select_related("consultation")
    probe = Workshop(consultation=consultation)
    if not can_run_workshop(user=user, obj=probe):
        workshops = workshops.exclude(status=WorkshopStatus.DRAFT)
    return workshops.order_by("-created_at", "-id")


def workshop_get(*, workshop_id: int, user: AnyUser) -> Workshop:
    """One workshop the caller may see (NotFound otherwise)."""
    workshop = (
        Workshop.objects.select_related("consultation", "consultation__territory")
        .filter(pk=workshop_id)
        .first()
    )
    if workshop is None or not can_view_workshop(user=user, obj=workshop):
        raise errors.NotFound()
    return workshop


def workshop_by_code(*, code: str, user: AnyUser) -> Workshop:
    """The open workshop of a join code (case and spaces forgiven) of a consultation the
    caller may see (a draft consultation's workshop only for its role holders); NotFound
    otherwise."""
    normalized = "".join(code.split()).upper()
    workshop = (
        Workshop.objects.select_related("consultation")
        .filter(join_code=normalized, status=WorkshopStatus.OPEN)
        .first()
    )
    if workshop is None or not normalized or not can_view_workshop(user=user, obj=workshop):
        raise errors.NotFound()
    return workshop


def _activities() -> QuerySet[Activity]:
    return Activity.objects.select_related("vote", "workshop").prefetch_related(
        Prefetch("vote__items", queryset=Contribution.objects.only("id", "title")),
        Prefetch("choices", queryset=PollChoice.objects.order_by("position")),
    )


def activity_list(*, workshop: Workshop) -> list[Activity]:
    """The workshop's activities in order, votes' items and polls' choices prefetched."""
    return list(_activities().filter(workshop=workshop).order_by("position"))


def activity_get(*, workshop: Workshop, activity_id: int) -> Activity:
    activity = _activities().filter(workshop=workshop, pk=activity_id).first()
    if activity is None:
        raise errors.NotFound()
    return activity


def idea_list(*, workshop: Workshop, status: str | None = None) -> QuerySet[Idea]:
    ideas = Idea.objects.filter(activity__workshop=workshop).select_related("participant__card")
    if status:
        ideas = ideas.filter(status=status)
    return ideas.order_by("created_at", "id")


def idea_get(*, workshop: Workshop, idea_id: int) -> Idea:
    idea = idea_list(workshop=workshop).filter(pk=idea_id).first()
    if idea is None:
        raise errors.NotFound()
    return idea


def activity_results(*, activity: Activity) -> dict[str, Any]:
    """The full current results of an activity: the `results` message (two queries)."""
    results: dict[str, Any]
    if activity.kind == ActivityKind.POLL:
        counts = dict(
            PollAnswer.objects.filter(activity=activity)
            .values_list("choice_id")
            .annotate(n=Count("id"))
            .values_list("choice_id", "n")
        )
        answered = (
            PollAnswer.objects.filter(activity=activity).values("participant_id").distinct().count()
        )
        results = {
            "choices": [
                {"id": choice.pk, "label": choice.label, "count": counts.get(choice.pk, 0)}
                for choice in sorted(activity.choices.all(), key=lambda choice: choice.position)
            ]
        }
    elif activity.kind == ActivityKind.VOTE and activity.vote is not None:
        results = vote_results(vote=activity.vote)
        results = {key: value for key, value in results.items() if key != "computed_at"}
        answered = int(results.get("voter_count") or 0)
        if "voter_count" not in results:
            answered = (
                BallotLine.objects.filter(vote=activity.vote)
                .values("voter_user_id", "voter_card_id")
                .distinct()
                .count()
            )
    else:
        by_status = dict(
            Idea.objects.filter(activity=activity)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        answered = (
            Idea.objects.filter(activity=activity).values("participant_id").distinct().count()
        )
        results = {status: by_status.get(status, 0) for status in IdeaStatus.values}
    anonymous = _anonymous_answered(activity=activity)
    return {
        "type": "results",
        "activity": activity.pk,
        "kind": activity.kind,
        "answered": answered,
        "participation": {
            "policy": activity.workshop.participation,
            "identified": max(0, answered - anonymous),
            "anonymous": anonymous,
        },
        "final": activity.status == ActivityStatus.CLOSED,
        "visible": activity.results_visible,
        "results": results,
        "computed_at": timezone.localtime().isoformat(),
    }


def _anonymous_answered(*, activity: Activity) -> int:
    """How many of those who answered are anonymous cards (phones that joined by themselves,
    see realtime.participant_is_anonymous): one query."""
    anonymous = Participant.objects.filter(
        workshop_id=activity.workshop_id, user__isnull=True
    ).exclude(resume_token_digest="")
    if activity.kind == ActivityKind.VOTE and activity.vote is not None:
        return (
            BallotLine.objects.filter(
                vote=activity.vote, voter_card_id__in=anonymous.values("card_id")
            )
            .values("voter_card_id")
            .distinct()
            .count()
        )
    if activity.kind == ActivityKind.POLL:
        polled = PollAnswer.objects.filter(activity=activity, participant__in=anonymous)
        return polled.values("participant_id").distinct().count()
    ideas = Idea.objects.filter(activity=activity, participant__in=anonymous)
    return ideas.values("participant_id").distinct().count()


def participant_list(*, workshop: Workshop) -> QuerySet[Participant]:
    """The workshop's participants in joining order (facilitators' view)."""
    return (
        Participant.objects.filter(workshop=workshop)
        .select_related("card")
        .order_by("created_at", "id")
    )


def my_answer(*, activity: Activity | None, participant: Participant | None) -> Any:
    """The participant's own answer to the activity, as the `answer` shape (None if none)."""
    if activity is None or participant is None:
        return None
    if activity.kind == ActivityKind.POLL:
        chosen = sorted(
            PollAnswer.objects.filter(activity=activity, participant=participant).values_list(
                "choice_id", flat=True
            )
        )
        return {"activity": activity.pk, "kind": "poll", "choices": chosen} if chosen else None
    if activity.kind == ActivityKind.VOTE and activity.vote is not None:
        lines = BallotLine.objects.filter(vote=activity.vote)
        lines = (
            lines.filter(voter_user_id=participant.user_id)
            if participant.user_id is not None
            else lines.filter(voter_card_id=participant.card_id)
        )
        choices = {str(item): value for item, value in lines.values_list("item_id", "value")}
        return {"activity": activity.pk, "kind": "vote", "choices": choices} if choices else None
    ideas = [
        idea_data(idea)
        for idea in Idea.objects.filter(activity=activity, participant=participant)
        .select_related("participant__card")
        .order_by("created_at", "id")
    ]
    return {"activity": activity.pk, "kind": "idea_capture", "ideas": ideas} if ideas else None


def workshop_snapshot(
    *, workshop_id: int, participant: Participant | None, is_facilitator: bool
) -> dict[str, Any]:
    """The `snapshot` message: the whole state this caller may see. `seq` is read first, so
    an event committed meanwhile is delivered again after it (events carry full objects:
    applying one twice is harmless)."""
    workshop = Workshop.objects.get(pk=workshop_id)
    activities = activity_list(workshop=workshop)
    ideas = idea_list(workshop=workshop)
    if not is_facilitator:
        ideas = ideas.filter(status=IdeaStatus.APPROVED)
    current = next((a for a in activities if a.pk == workshop.current_activity_id), None)
    return {
        "type": "snapshot",
        "seq": workshop.last_seq,
        "workshop": workshop_data(workshop),
        "activities": [activity_data(activity) for activity in activities],
        "ideas": [idea_data(idea) for idea in ideas],
        "my_answer": my_answer(activity=current, participant=participant),
    }


def events_after(
    *, workshop_id: int, after: int, until: int | None = None, is_facilitator: bool
) -> list[WorkshopEvent]:
    """The logged events with after < seq (<= until), in order, that this caller may see."""
    events = WorkshopEvent.objects.filter(workshop_id=workshop_id, seq__gt=after)
    if until is not None:
        events = events.filter(seq__lte=until)
    if not is_facilitator:
        events = events.filter(audience=EventAudience.ALL)
    return list(events.order_by("seq"))


def event_message(event: WorkshopEvent) -> dict[str, Any]:
    return {
        "type": "event",
        "seq": event.seq,
        "event": event.type,
        "data": event.payload,
        "sent_at": timezone.localtime(event.created_at).isoformat(),
    }


# For the websocket consumer and the hub (they run no query themselves) ---------------------


def workshop_exists(*, workshop_id: int) -> bool:
    return Workshop.objects.filter(pk=workshop_id).exists()


def workshop_for_join(*, workshop_id: int) -> Workshop | None:
    return Workshop.objects.select_related("consultation").filter(pk=workshop_id).first()


def user_for_access_token(*, raw: str) -> Any:
    """The active account of a personal access token (as `join.token`), or None."""
    token = AccessToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def results_activity_id(*, workshop: Workshop) -> int | None:
    """The activity whose results a joining client sees: the current one, or the last one
    stopped (revealed at the end)."""
    if workshop.current_activity_id is not None:
        return int(workshop.current_activity_id)
    return (
        Activity.objects.filter(workshop=workshop, status=ActivityStatus.CLOSED)
        .order_by("-stopped_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )


def activity_results_by_id(*, activity_id: int) -> dict[str, Any] | None:
    """The `results` message of an activity (None if it is gone)."""
    activity = _activities().filter(pk=activity_id).first()
    return activity_results(activity=activity) if activity is not None else None


def activity_of_workshop(*, workshop_id: int, activity_id: int) -> Activity:
    activity = Activity.objects.filter(pk=activity_id, workshop_id=workshop_id).first()
    if activity is None:
        raise errors.NotFound()
    return activity


def workshop_with_consultation(*, workshop_id: int) -> Workshop:
    return Workshop.objects.select_related("consultation").get(pk=workshop_id)


def idea_of_workshop(*, workshop_id: int, idea_id: int) -> Idea:
    idea = Idea.objects.filter(pk=idea_id, activity__workshop_id=workshop_id).first()
    if idea is None:
        raise errors.NotFound()
    return idea


def workshop_seq_and_timer(*, workshop_id: int) -> tuple[int, int | None, datetime | None]:
    """The workshop's last sequence number, and its open activity's id and end (hub start)."""
    workshop = Workshop.objects.filter(pk=workshop_id).values("last_seq").first()
    current = (
        Activity.objects.filter(workshop_id=workshop_id, status=ActivityStatus.OPEN)
        .values("pk", "ends_at")
        .first()
    )
    return (
        int(workshop["last_seq"]) if workshop else 0,
        current["pk"] if current else None,
        current["ends_at"] if current else None,
    )
