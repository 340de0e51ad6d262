"""The room: create, open and close a workshop; the locks and checks its writes share."""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, is_signed_in
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.territories.models import Territory
from backend.votes.models import Vote
from backend.votes.services import vote_close
from backend.workshops.models import (
    JOIN_CODE_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Activity,
    ActivityStatus,
    Participation,
    Workshop,
    WorkshopStatus,
)
from backend.workshops.policies import can_run_workshop
from backend.workshops.realtime import (
    activity_data,
    emit_tally_dirty,
    workshop_data,
)
from backend.workshops.services.events import emit_sequenced

# No 0/O, 1/I: codes are read aloud and typed on phones.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def ensure_runs(*, by: AnyUser, workshop: Workshop) -> None:
    """The caller runs the workshop (NotAuthenticated / PermissionDenied otherwise)."""
    if not is_signed_in(by):
        raise errors.NotAuthenticated()
    if not can_run_workshop(user=by, obj=workshop):
        raise errors.PermissionDenied()


def _lock_workshop(workshop_id: int) -> Workshop:
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .get(pk=workshop_id)
    )


def _lock_activity(activity_id: int) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("workshop__consultation", "vote")
        .get(pk=activity_id)
    )


def _full_activity(activity_id: int) -> Activity:
    return (
        Activity.objects.select_related("vote")
        .prefetch_related("vote__items", "choices")
        .get(pk=activity_id)
    )


@transaction.atomic
def workshop_create(
    *,
    by: User,
    consultation: Consultation,
    title: str,
    place: str = "",
    territory: Territory | None = None,
    scheduled_at: datetime | None = None,
    participation: str = Participation.DEVICE,
) -> Workshop:
    """A draft workshop of the consultation (its facilitators and organizers). No lock.

    `participation`: who may answer without being vouched for: `accounts` (signed-in people
    only), `device` (one participant card per device, bound to a signed device id), `open`
    (every join without a resume token makes a card)."""
    workshop = Workshop(
        consultation=consultation,
        title=title,
        place=place,
        territory=territory,
        scheduled_at=scheduled_at,
        participation=participation,
        created_by=by,
    )
    ensure_runs(by=by, workshop=workshop)
    fields: FieldErrors = {}
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    check_text(fields, "place", place, limit=PLACE_MAX_LENGTH, blank=True)
    if participation not in Participation.values:
        field_error(fields, "participation", "invalid_choice", _("Unknown participation rule."))
    if territory is not None and not territory.path.startswith(consultation.territory.path):
        field_error(
            fields,
            "territory",
            "not_in_consultation_territory",
            _("The territory must be the consultation's territory or inside it."),
        )
    raise_if_errors(fields)
    workshop.save()
    return workshop


def _new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


@transaction.atomic
def workshop_open(*, by: User, workshop: Workshop) -> Workshop:
    """Open the room: a fresh join code unique among open workshops.

    Lock: the workshop row. Emits the sequenced `workshop.opened`. Opening an open workshop
    returns it unchanged; a closed one cannot reopen (workshop_not_open).
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.OPEN:
        return workshop
    if workshop.status == WorkshopStatus.CLOSED:
        raise errors.WorkshopNotOpen(
            _("A closed workshop cannot be opened again."), details={"status": workshop.status}
        )
    for _attempt in range(10):
        code = _new_join_code()
        try:
            with transaction.atomic():
                Workshop.objects.filter(pk=workshop.pk).update(
                    status=WorkshopStatus.OPEN, join_code=code, opened_at=timezone.now()
                )
        except IntegrityError:
            continue
        break
    else:
        raise errors.Conflict()
    return _emit_workshop(workshop.pk, "workshop.opened")


def _emit_workshop(workshop_id: int, event: str) -> Workshop:
    """Log `event` with the workshop as it now is. The caller holds the row's lock, so the
    event's sequence number is last_seq + 1."""
    workshop = Workshop.objects.get(pk=workshop_id)
    data = workshop_data(workshop)
    data["last_seq"] = workshop.last_seq + 1
    workshop.last_seq = emit_sequenced(
        workshop_id=workshop_id, event=event, data={"workshop": data}
    )
    return workshop


def _stop_open_activity(*, workshop: Workshop, reason: str) -> None:
    open_activity = (
        Activity.objects.select_for_update()
        .filter(workshop=workshop, status=ActivityStatus.OPEN)
        .first()
    )
    if open_activity is not None:
        _stop(activity=open_activity, reason=reason)


def _stop(*, activity: Activity, reason: str) -> None:
    now = timezone.now()
    activity.status = ActivityStatus.CLOSED
    activity.stopped_at = now
    if activity.ends_at is not None and activity.ends_at > now:
        activity.ends_at = now
    activity.save(update_fields=["status", "stopped_at", "ends_at"])
    Workshop.objects.filter(pk=activity.workshop_id, current_activity=activity).update(
        current_activity=None
    )
    emit_sequenced(
        workshop_id=activity.workshop_id,
        event="activity.stopped",
        data={"activity": activity_data(_full_activity(activity.pk)), "reason": reason},
    )
    emit_tally_dirty(workshop_id=activity.workshop_id, activity_id=activity.pk)


@transaction.atomic
def workshop_close(*, by: User, workshop: Workshop) -> Workshop:
    """Close the room: stop the open activity, close the votes of its vote activities.

    Lock: the workshop row, then the open activity. Emits `activity.stopped` (if one was
    open) and `workshop.closed`, sequenced. Closing a closed workshop returns it unchanged.
    """
    workshop = _lock_workshop(workshop.pk)
    ensure_runs(by=by, workshop=workshop)
    if workshop.status == WorkshopStatus.CLOSED:
        return workshop
    _stop_open_activity(workshop=workshop, reason="workshop_closed")
    for vote in Vote.objects.filter(workshop_activity__workshop=workshop, closed_at__isnull=True):
        vote_close(by=by, vote=vote, checked_by_workshop=True)
    Workshop.objects.filter(pk=workshop.pk).update(
        status=WorkshopStatus.CLOSED, closed_at=timezone.now(), current_activity=None
    )
    return _emit_workshop(workshop.pk, "workshop.closed")
