"""Follow-up after adoption: status, progress, milestones, indicators; every change is a
public timeline entry (FollowUpEntry) and an event."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.programmes import events
from backend.programmes.domain import followup
from backend.programmes.domain.stages import Verb
from backend.programmes.models import (
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    FollowUpEntry,
    FollowUpEntryKind,
    Indicator,
    IndicatorMeasure,
    Milestone,
    RegionalAction,
    RegionalDecision,
)
from backend.programmes.policies import ensure_allowed
from backend.programmes.selectors.actions import regional_action_rounds
from backend.programmes.services.common import lock_action


def _followable(*, by: User, action: RegionalAction) -> RegionalAction:
    """Lock the action, check FOLLOW_UP (programme organizers, adopted stage) and that the
    action was retained."""
    action = lock_action(action)
    ensure_allowed(user=by, programme=action.programme, verb=Verb.FOLLOW_UP)
    if action.decision != RegionalDecision.RETAINED:
        raise errors.Conflict(_("Only retained actions are followed up."))
    return action


def _log(
    *, action: RegionalAction, by: User, kind: str, note: str = "", data: dict[str, Any]
) -> FollowUpEntry:
    return FollowUpEntry.objects.create(action=action, kind=kind, by=by, note=note, data=data)


def _note_checked(note: str) -> None:
    fields: FieldErrors = {}
    check_text(fields, "note", note, limit=NOTE_MAX_LENGTH, blank=True)
    raise_if_errors(fields)


@transaction.atomic
def regional_action_set_status(
    *, by: User, action: RegionalAction, status: str, reason: str = "", note: str = ""
) -> RegionalAction:
    """Move the action's status (see domain/followup.TRANSITIONS; 409 invalid_status_change
    otherwise). Abandoning needs a reason; done sets progress to 100 %. Lock: the action
    row. Emits `regional_action.status_changed` to the programme and every round fed."""
    action = _followable(by=by, action=action)
    fields: FieldErrors = {}
    check_text(fields, "reason", reason, limit=REASON_MAX_LENGTH, blank=True)
    if status == followup.Status.ABANDONED and not reason.strip():
        field_error(fields, "reason", "required", _("Say why the action is abandoned."))
    raise_if_errors(fields)
    _note_checked(note)
    if not followup.can_move(action.status, status):
        raise errors.InvalidStatusChange(details={"status": action.status, "requested": status})
    previous = action.status
    action.status = status
    action.abandon_reason = reason if status == followup.Status.ABANDONED else ""
    action.progress_percent = followup.progress_after(
        target=status, current_progress=action.progress_percent
    )
    action.status_changed_at = timezone.now()
    action.updated_at = action.status_changed_at
    action.save()
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.STATUS_CHANGED,
        note=note,
        data={"from": previous, "to": status, "reason": action.abandon_reason},
    )
    events.emit(
        "regional_action.status_changed",
        programme_id=action.programme_id,
        data={"id": action.pk, "status": status, "previous_status": previous},
        consultations=regional_action_rounds(action_id=action.pk),
        actor=by.pk,
    )
    return action


@transaction.atomic
def regional_action_set_progress(
    *, by: User, action: RegionalAction, progress_percent: int, note: str = ""
) -> RegionalAction:
    """Report progress (0 to 100) while planned or in progress. Lock: the action row."""
    action = _followable(by=by, action=action)
    fields: FieldErrors = {}
    if not 0 <= progress_percent <= 100:
        field_error(fields, "progress_percent", "range", _("Between 0 and 100."))
    if not followup.progress_allowed(action.status):
        field_error(
            fields,
            "progress_percent",
            "status",
            _("Progress is reported while the action is planned or in progress."),
        )
    raise_if_errors(fields)
    _note_checked(note)
    previous = action.progress_percent
    action.progress_percent = progress_percent
    action.updated_at = timezone.now()
    action.save(update_fields=["progress_percent", "updated_at"])
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.PROGRESS_UPDATED,
        note=note,
        data={"from": previous, "to": progress_percent},
    )
    events.emit(
        "regional_action.progress_updated",
        programme_id=action.programme_id,
        data={"id": action.pk, "progress_percent": progress_percent},
        actor=by.pk,
    )
    return action


@transaction.atomic
def milestone_add(*, by: User, action: RegionalAction, title: str, due_on: date) -> Milestone:
    """A dated milestone. Lock: the action row."""
    action = _followable(by=by, action=action)
    fields: FieldErrors = {}
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    milestone = Milestone.objects.create(action=action, title=title.strip(), due_on=due_on)
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.MILESTONE_ADDED,
        data={"milestone": milestone.pk, "title": milestone.title, "due_on": str(due_on)},
    )
    events.emit(
        "regional_action.milestone_changed",
        programme_id=action.programme_id,
        data={"id": action.pk, "milestone": milestone.pk, "reached": False},
        actor=by.pk,
    )
    return milestone


@transaction.atomic
def milestone_reach(
    *, by: User, milestone: Milestone, reached_on: date, note: str = ""
) -> Milestone:
    """Mark a milestone reached on a date. Lock: the action row, then the milestone row."""
    action = _followable(by=by, action=milestone.action)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    _note_checked(note)
    milestone.reached_on = reached_on
    milestone.save(update_fields=["reached_on"])
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.MILESTONE_REACHED,
        note=note,
        data={"milestone": milestone.pk, "title": milestone.title, "reached_on": str(reached_on)},
    )
    events.emit(
        "regional_action.milestone_changed",
        programme_id=action.programme_id,
        data={"id": action.pk, "milestone": milestone.pk, "reached": True},
        actor=by.pk,
    )
    return milestone


def _decimal(fields: FieldErrors, name: str, value: Decimal | int | float | str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        field_error(fields, name, "invalid", _("A number is expected."))
        return Decimal(0)
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def indicator_add(
    *,
    by: User,
    action: RegionalAction,
    name: str,
    target_value: Decimal | int | float | str,
    unit: str = "",
) -> Indicator:
    """An indicator with its target (one name once per action). Lock: the action row."""
    action = _followable(by=by, action=action)
    fields: FieldErrors = {}
    check_text(fields, "name", name, limit=NAME_MAX_LENGTH, blank=False)
    check_text(fields, "unit", unit, limit=UNIT_MAX_LENGTH, blank=True)
    target = _decimal(fields, "target_value", target_value)
    raise_if_errors(fields)
    try:
        with transaction.atomic():
            indicator = Indicator.objects.create(
                action=action, name=name.strip(), unit=unit, target_value=target
            )
    except IntegrityError as error:
        field_error(fields, "name", "unique", _("This indicator exists already."))
        raise errors.ValidationFailed(fields=fields) from error
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.INDICATOR_ADDED,
        data={"indicator": indicator.pk, "name": indicator.name, "target": str(target)},
    )
    events.emit(
        "regional_action.indicator_measured",
        programme_id=action.programme_id,
        data={"id": action.pk, "indicator": indicator.pk},
        actor=by.pk,
    )
    return indicator


@transaction.atomic
def indicator_measure(
    *,
    by: User,
    indicator: Indicator,
    value: Decimal | int | float | str,
    measured_on: date,
    note: str = "",
) -> IndicatorMeasure:
    """A measured value on a date (measures are kept: the indicator's history). Lock: the
    action row."""
    action = _followable(by=by, action=indicator.action)
    fields: FieldErrors = {}
    number = _decimal(fields, "value", value)
    check_text(fields, "note", note, limit=NOTE_MAX_LENGTH, blank=True)
    raise_if_errors(fields)
    measure = IndicatorMeasure.objects.create(
        indicator=indicator, value=number, measured_on=measured_on, note=note, recorded_by=by
    )
    _log(
        action=action,
        by=by,
        kind=FollowUpEntryKind.INDICATOR_MEASURED,
        note=note,
        data={
            "indicator": indicator.pk,
            "name": indicator.name,
            "value": str(number),
            "target": str(indicator.target_value),
            "measured_on": str(measured_on),
        },
    )
    events.emit(
        "regional_action.indicator_measured",
        programme_id=action.programme_id,
        data={"id": action.pk, "indicator": indicator.pk},
        actor=by.pk,
    )
    return measure


@transaction.atomic
def follow_up_note_add(*, by: User, action: RegionalAction, note: str) -> FollowUpEntry:
    """A free public note in the timeline. Lock: the action row."""
    action = _followable(by=by, action=action)
    fields: FieldErrors = {}
    check_text(fields, "note", note, limit=NOTE_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    entry = _log(action=action, by=by, kind=FollowUpEntryKind.NOTE, note=note, data={})
    events.emit(
        "regional_action.note_added",
        programme_id=action.programme_id,
        data={"id": action.pk, "entry": entry.pk},
        actor=by.pk,
    )
    return entry
