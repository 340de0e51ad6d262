"""Activities of a workshop: create, start, stop (by hand or by their timer), show results."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.proposals.models import (
    ContributionKind,
)
from backend.votes.services import vote_create
from backend.workshops.models import (
    TITLE_MAX_LENGTH,
    Activity,
    ActivityKind,
    ActivityStatus,
    PollChoice,
    Workshop,
    WorkshopStatus,
)
from backend.workshops.realtime import (
    activity_data,
    emit_tally_dirty,
)
from backend.workshops.services.events import emit_sequenced
from backend.workshops.services.rooms import (
    _full_activity,
    _lock_activity,
    _lock_workshop,
    _stop,
    _stop_open_activity,
    ensure_runs,
)

MAX_DURATION_SECONDS = 24 * 3600
MAX_POLL_CHOICES = 20


@transaction.atomic
def activity_create(
    *,
    by: User,
    workshop: Workshop,
    kind: str,
    title: str,
    duration_seconds: int | None = None,
    idea_kinds: Sequence[str] = (),
    vote: Mapping[str, Any] | None = None,
    poll: Mapping[str, Any] | None = None,
) -> Activity:
    """Add an activity at the end of the workshop's sequence.

    `vote`: {method, items, options?}: creates the consultation's vote through the engine
    (vote_create, items must be published proposals). `poll`: {multiple, choices: [labels]}.
    Lock: the workshop row (positions). Emits the sequenced `activity.created`.
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.CLOSED:
        raise errors.WorkshopNotOpen(details={"status": workshop.status})
    fields: FieldErrors = {}
    if kind not in ActivityKind.values:
        field_error(fields, "kind", "invalid_choice", _("Unknown kind of activity."))
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    if duration_seconds is not None and not 1 <= duration_seconds <= MAX_DURATION_SECONDS:
        field_error(
            fields,
            "duration_seconds",
            "invalid",
            _("Give a duration between 1 second and 24 hours."),
        )
    kinds = list(dict.fromkeys(idea_kinds))
    for name in kinds:
        if name not in ContributionKind.values:
            field_error(fields, "idea_kinds", "invalid_choice", _("Unknown kind of idea."))
    if kind == ActivityKind.VOTE and vote is None:
        field_error(fields, "vote", "required", _("A vote activity needs its vote."))
    if kind != ActivityKind.VOTE and vote is not None:
        field_error(fields, "vote", "wrong_kind", _("Only vote activities have a vote."))
    if kind == ActivityKind.POLL and poll is None:
        field_error(fields, "poll", "required", _("A poll needs its choices."))
    if kind != ActivityKind.POLL and poll is not None:
        field_error(fields, "poll", "wrong_kind", _("Only polls have choices."))
    if kind != ActivityKind.IDEA_CAPTURE and kinds:
        field_error(
            fields, "idea_kinds", "wrong_kind", _("Only idea captures accept kinds of ideas.")
        )
    labels: list[str] = []
    if poll is not None:
        labels = [str(label) for label in poll.get("choices", [])]
        if not labels:
            field_error(fields, "poll.choices", "empty", _("Give at least one choice."))
        if len(labels) > MAX_POLL_CHOICES:
            field_error(
                fields,
                "poll.choices",
                "max_length",
                _("Ensure this field has no more than %(limit)d elements.")
                % {"limit": MAX_POLL_CHOICES},
            )
        for index, label in enumerate(labels):
            check_text(fields, f"poll.choices.{index}", label, limit=TITLE_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    engine_vote = None
    if vote is not None:
        try:
            engine_vote = vote_create(
                by=by,
                consultation=workshop.consultation,
                title=title,
                method=str(vote.get("method", "")),
                items=list(vote.get("items", [])),
                options=vote.get("options") or {},
                checked_by_workshop=True,
            )
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(
                fields={f"vote.{name}": problems for name, problems in (exc.fields or {}).items()}
            ) from exc
    position = Activity.objects.filter(workshop=workshop).count()
    activity = Activity.objects.create(
        workshop=workshop,
        kind=kind,
        title=title,
        position=position,
        duration_seconds=duration_seconds,
        idea_kinds=kinds or (list(ContributionKind.values) if kind == "idea_capture" else []),
        vote=engine_vote,
        poll_multiple=bool(poll.get("multiple", False)) if poll is not None else False,
    )
    PollChoice.objects.bulk_create(
        PollChoice(activity=activity, label=label, position=index)
        for index, label in enumerate(labels)
    )
    activity = _full_activity(activity.pk)
    emit_sequenced(
        workshop_id=workshop.pk,
        event="activity.created",
        data={"activity": activity_data(activity)},
    )
    return activity


@transaction.atomic
def activity_start(*, by: User, activity: Activity) -> Activity:
    """Open an activity (stopping the open one); its timer starts now.

    Lock: the workshop row, then the activities. Emits `activity.stopped` for the previous
    one (reason next_activity) and `activity.started`, sequenced.
    """
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status != WorkshopStatus.OPEN:
        raise errors.WorkshopNotOpen(details={"status": workshop.status})
    activity = _lock_activity(activity.pk)
    if activity.status == ActivityStatus.OPEN:
        return _full_activity(activity.pk)
    _stop_open_activity(workshop=workshop, reason="next_activity")
    now = timezone.now()
    activity.status = ActivityStatus.OPEN
    activity.started_at = now
    activity.stopped_at = None
    activity.ends_at = (
        now + timedelta(seconds=activity.duration_seconds) if activity.duration_seconds else None
    )
    activity.save(update_fields=["status", "started_at", "stopped_at", "ends_at"])
    Workshop.objects.filter(pk=workshop.pk).update(current_activity=activity)
    activity = _full_activity(activity.pk)
    emit_sequenced(
        workshop_id=workshop.pk,
        event="activity.started",
        data={"activity": activity_data(activity)},
    )
    emit_tally_dirty(workshop_id=workshop.pk, activity_id=activity.pk)
    return activity


@transaction.atomic
def activity_stop(*, by: User, activity: Activity) -> Activity:
    """Stop an open activity (the facilitator). Lock: the workshop row, then the activity.
    Emits the sequenced `activity.stopped` (reason facilitator). A stopped one is returned."""
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    activity = _lock_activity(activity.pk)
    if activity.status == ActivityStatus.OPEN:
        _stop(activity=activity, reason="facilitator")
    return _full_activity(activity.pk)


@transaction.atomic
def activity_expire(*, activity_id: int, now: datetime | None = None) -> bool:
    """Stop the activity if its timer has ended (no caller: the server's own timer, or a
    lazy check). Lock: the workshop row, then the activity; idempotent across workers.
    Emits the sequenced `activity.stopped` (reason timer). Returns whether it stopped it."""
    moment = now or timezone.now()
    candidate = Activity.objects.filter(pk=activity_id).values("workshop_id").first()
    if candidate is None:
        return False
    _lock_workshop(candidate["workshop_id"])
    activity = _lock_activity(activity_id)
    if activity.status != ActivityStatus.OPEN or activity.ends_at is None:
        return False
    if activity.ends_at > moment:
        return False
    activity.status = ActivityStatus.CLOSED
    activity.stopped_at = activity.ends_at
    activity.save(update_fields=["status", "stopped_at"])
    Workshop.objects.filter(pk=activity.workshop_id, current_activity=activity).update(
        current_activity=None
    )
    emit_sequenced(
        workshop_id=activity.workshop_id,
        event="activity.stopped",
        data={"activity": activity_data(_full_activity(activity.pk)), "reason": "timer"},
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)
    return True


def activities_expire_due(*, workshop_id: int) -> None:
    """Lazy timer: stop the workshop's open activity if its time is over."""
    for activity_id in Activity.objects.filter(
        workshop_id=workshop_id, status=ActivityStatus.OPEN, ends_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        activity_expire(activity_id=activity_id)


@transaction.atomic
def activity_results_show(*, by: User, activity: Activity, visible: bool) -> Activity:
    """Show or hide the activity's results to participants. Lock: the activity row.
    Emits the sequenced `activity.updated` (when it changes) and pushes the results."""
    workshop = _lock_workshop(activity.workshop_id)
    ensure_runs(by=by, workshop=workshop)
    activity = _lock_activity(activity.pk)
    if activity.results_visible != visible:
        activity.results_visible = visible
        activity.save(update_fields=["results_visible"])
        emit_sequenced(
            workshop_id=workshop.pk,
            event="activity.updated",
            data={"activity": activity_data(_full_activity(activity.pk))},
        )
        emit_tally_dirty(workshop_id=workshop.pk, activity_id=activity.pk)
    return _full_activity(activity.pk)
