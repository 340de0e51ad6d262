"""Writes on regional actions: write, link and unlink territorial sources, decide."""

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.programmes import events
from backend.programmes.domain.stages import Role, Verb
from backend.programmes.models import (
    ANSWER_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Programme,
    ProgrammeRound,
    RegionalAction,
    RegionalActionSource,
    RegionalDecision,
)
from backend.programmes.policies import ensure_allowed, territorial_rounds_of
from backend.programmes.selectors.actions import regional_action_rounds
from backend.programmes.services.common import check_themes, lock_action, lock_programme
from backend.proposals.models import Contribution, ContributionStatus
from backend.synthesis.models import CandidateAction


def _check_texts(fields: FieldErrors, changes: dict[str, Any]) -> None:
    if "title" in changes:
        check_text(fields, "title", changes["title"], limit=TITLE_MAX_LENGTH, blank=False)
    for name in ("description", "easy_read_summary"):
        if name in changes:
            check_text(fields, name, changes[name], limit=TEXT_MAX_LENGTH, blank=True)
    if "themes" in changes:
        changes["themes"] = check_themes(fields, "themes", changes["themes"])


@transaction.atomic
def regional_action_create(
    *,
    by: User,
    programme: Programme,
    title: str,
    description: str = "",
    easy_read_summary: str = "",
    themes: Sequence[str] = (),
    candidate_action_ids: Sequence[int] = (),
    contribution_ids: Sequence[int] = (),
    justification: str = "",
) -> RegionalAction:
    """A regional action, with its first sources linked (CONSOLIDATE, programme organizers,
    consolidation stage). Lock: the programme row. Emits `regional_action.created` then one
    `regional_action.source_linked` per source."""
    programme = lock_programme(programme)
    ensure_allowed(user=by, programme=programme, verb=Verb.CONSOLIDATE)
    texts: dict[str, Any] = {
        "title": title,
        "description": description,
        "easy_read_summary": easy_read_summary,
        "themes": list(themes),
    }
    fields: FieldErrors = {}
    _check_texts(fields, texts)
    raise_if_errors(fields)
    action = RegionalAction.objects.create(
        programme=programme, created_by=by, **{**texts, "title": title.strip()}
    )
    events.emit(
        "regional_action.created",
        programme_id=programme.pk,
        data={"id": action.pk, "decision": action.decision},
        actor=by.pk,
    )
    for candidate_id in dict.fromkeys(candidate_action_ids):
        _link(by=by, action=action, candidate_action_id=candidate_id, justification=justification)
    for contribution_id in dict.fromkeys(contribution_ids):
        _link(by=by, action=action, contribution_id=contribution_id, justification=justification)
    return action


@transaction.atomic
def regional_action_update(*, by: User, action: RegionalAction, **changes: Any) -> RegionalAction:
    """Change title, description, easy_read_summary or themes (CONSOLIDATE).
    Lock: the action row. Emits `regional_action.updated`."""
    action = lock_action(action)
    ensure_allowed(user=by, programme=action.programme, verb=Verb.CONSOLIDATE)
    fields: FieldErrors = {}
    _check_texts(fields, changes)
    raise_if_errors(fields)
    for name in ("title", "description", "easy_read_summary", "themes"):
        if name in changes:
            setattr(action, name, changes[name].strip() if name == "title" else changes[name])
    action.updated_at = timezone.now()
    action.save()
    events.emit(
        "regional_action.updated",
        programme_id=action.programme_id,
        data={"id": action.pk},
        actor=by.pk,
    )
    return action


def _source_consultation(
    *, programme: Programme, candidate_action_id: int | None, contribution_id: int | None
) -> int:
    """The round the source belongs to; a validation error unless it is a round of this
    programme (and, for a contribution, a published one)."""
    fields: FieldErrors = {}
    rounds = set(
        ProgrammeRound.objects.filter(programme=programme).values_list("consultation_id", flat=True)
    )
    if candidate_action_id is not None:
        consultation_id = (
            CandidateAction.objects.filter(pk=candidate_action_id)
            .values_list("consultation_id", flat=True)
            .first()
        )
        if consultation_id is None or consultation_id not in rounds:
            field_error(
                fields,
                "candidate_action",
                "not_in_programme",
                _("This territorial action is not part of a round of the programme."),
            )
    else:
        row = (
            Contribution.objects.filter(pk=contribution_id or 0)
            .values_list("consultation_id", "status")
            .first()
        )
        if row is None or row[0] not in rounds or row[1] != ContributionStatus.PUBLISHED:
            field_error(
                fields,
                "contribution",
                "not_in_programme",
                _("This contribution is not a published contribution of a round of the programme."),
            )
        consultation_id = row[0] if row else None
    raise_if_errors(fields)
    assert consultation_id is not None
    return consultation_id


def _ensure_can_link(*, by: User, programme: Programme, consultation_id: int) -> None:
    roles = ensure_allowed(user=by, programme=programme, verb=Verb.LINK_SOURCE)
    if Role.PROGRAMME_ORGANIZER in roles:
        return
    if consultation_id not in territorial_rounds_of(user=by, programme=programme):
        raise errors.PermissionDenied(_("You may only link the material of your own round."))


def _link(
    *,
    by: User,
    action: RegionalAction,
    candidate_action_id: int | None = None,
    contribution_id: int | None = None,
    justification: str = "",
) -> RegionalActionSource:
    if (candidate_action_id is None) == (contribution_id is None):
        fields: FieldErrors = {}
        field_error(
            fields,
            "non_field_errors",
            "one_target",
            _("Give either a territorial action or a contribution."),
        )
        raise_if_errors(fields)
    consultation_id = _source_consultation(
        programme=action.programme,
        candidate_action_id=candidate_action_id,
        contribution_id=contribution_id,
    )
    _ensure_can_link(by=by, programme=action.programme, consultation_id=consultation_id)
    fields = {}
    check_text(fields, "justification", justification, limit=REASON_MAX_LENGTH, blank=True)
    raise_if_errors(fields)
    try:
        with transaction.atomic():
            source = RegionalActionSource.objects.create(
                action=action,
                candidate_action_id=candidate_action_id,
                contribution_id=contribution_id,
                justification=justification,
                added_by=by,
            )
    except IntegrityError as error:
        raise errors.SourceAlreadyLinked() from error
    events.emit(
        "regional_action.source_linked",
        programme_id=action.programme_id,
        data={
            "id": action.pk,
            "source": source.pk,
            "candidate_action": candidate_action_id,
            "contribution": contribution_id,
            "consultation": consultation_id,
        },
        consultations=[consultation_id],
        actor=by.pk,
    )
    return source


@transaction.atomic
def regional_source_link(
    *,
    by: User,
    action: RegionalAction,
    candidate_action_id: int | None = None,
    contribution_id: int | None = None,
    justification: str = "",
) -> RegionalActionSource:
    """Consolidate a territorial candidate action (or a contribution) into the regional
    action; nothing territorial changes. LINK_SOURCE: programme organizers for any round,
    territorial organizers for their own round only. 409 source_already_linked when it is
    linked already. Lock: the action row. Emits `regional_action.source_linked` (also to the
    source's consultation group)."""
    action = lock_action(action)
    return _link(
        by=by,
        action=action,
        candidate_action_id=candidate_action_id,
        contribution_id=contribution_id,
        justification=justification,
    )


@transaction.atomic
def regional_source_unlink(
    *, by: User, source: RegionalActionSource, reason: str
) -> RegionalActionSource:
    """Undo a link, keeping its row (removed_at, removed_by, reason) in the public log.
    Same gate as linking. Lock: the action row, then the source row."""
    action = lock_action(source.action)
    source = RegionalActionSource.objects.select_for_update().get(pk=source.pk)
    if source.removed_at is not None:
        raise errors.NotFound()
    consultation_id = (
        source.candidate_action.consultation_id
        if source.candidate_action_id is not None and source.candidate_action is not None
        else Contribution.objects.values_list("consultation_id", flat=True).get(
            pk=source.contribution_id or 0
        )
    )
    _ensure_can_link(by=by, programme=action.programme, consultation_id=consultation_id)
    fields: FieldErrors = {}
    check_text(fields, "reason", reason, limit=REASON_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    source.removed_at = timezone.now()
    source.removed_by = by
    source.removal_reason = reason
    source.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    events.emit(
        "regional_action.source_unlinked",
        programme_id=action.programme_id,
        data={
            "id": action.pk,
            "source": source.pk,
            "candidate_action": source.candidate_action_id,
            "contribution": source.contribution_id,
            "consultation": consultation_id,
        },
        consultations=[consultation_id],
        actor=by.pk,
    )
    return source


@transaction.atomic
def regional_action_decide(
    *, by: User, action: RegionalAction, decision: str, public_answer: str = ""
) -> RegionalAction:
    """Retain the action in the regional plan or not (DECIDE, programme organizers). Not
    retaining needs a public answer. Lock: the action row. Emits `regional_action.decided`
    to the programme and to every round the action draws on."""
    action = lock_action(action)
    ensure_allowed(user=by, programme=action.programme, verb=Verb.DECIDE)
    fields: FieldErrors = {}
    if decision not in RegionalDecision.values:
        field_error(fields, "decision", "invalid_choice", _("Unknown decision."))
    check_text(fields, "public_answer", public_answer, limit=ANSWER_MAX_LENGTH, blank=True)
    if decision == RegionalDecision.NOT_RETAINED and not public_answer.strip():
        field_error(
            fields,
            "public_answer",
            "required",
            _("Explain publicly why the action is not retained."),
        )
    raise_if_errors(fields)
    action.decision = decision
    action.public_answer = public_answer
    action.decided_at = None if decision == RegionalDecision.PENDING else timezone.now()
    action.updated_at = timezone.now()
    action.save()
    events.emit(
        "regional_action.decided",
        programme_id=action.programme_id,
        data={"id": action.pk, "decision": decision},
        consultations=regional_action_rounds(action_id=action.pk),
        actor=by.pk,
    )
    return action
