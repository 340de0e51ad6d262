"""Writes of moderation: reporting, hiding, restoring and dismissing, each logged publicly.

Lock order, everywhere: the target row (contribution or comment) first, then its reports;
a comment's contribution row comes before the comment (the order of comment writes, whose
visible-comment counter lives on the contribution).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.comments.models import Comment, CommentStatus
from backend.comments.services import comment_count_adjust, lock_contribution_of
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import ensure_allowed
from backend.core import errors, hooks
from backend.core.realtime import consultation_group, contribution_event, emit_after_commit
from backend.core.validation import FieldErrors, field_error
from backend.moderation.models import (
    ACTION_REASON_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    ActionKind,
    ModerationAction,
    Report,
    ReportReason,
    Resolution,
    TargetKind,
)
from backend.proposals.models import Contribution, ContributionStatus

HIDDEN = "hidden"  # the same value in ContributionStatus and CommentStatus


@dataclass(frozen=True)
class Target:
    """A locked contribution or comment, seen the same way by every service."""

    kind: TargetKind
    contribution: Contribution | None
    comment: Comment | None

    @property
    def obj(self) -> Contribution | Comment:
        obj = self.contribution if self.contribution is not None else self.comment
        assert obj is not None
        return obj

    @property
    def consultation(self) -> Consultation:
        # Targets are looked up within a consultation (moderation_target_get).
        consultation = self.obj.consultation
        assert consultation is not None
        return consultation

    @property
    def status(self) -> str:
        return self.obj.status

    @property
    def public_status(self) -> str:
        if self.kind == TargetKind.CONTRIBUTION:
            return ContributionStatus.PUBLISHED
        return CommentStatus.VISIBLE

    def foreign_keys(self) -> dict[str, Contribution | Comment | None]:
        return {"contribution": self.contribution, "comment": self.comment}


def _check_length(fields: FieldErrors, name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        field_error(
            fields,
            name,
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.") % {"limit": limit},
        )


def _check_reason(reason: str, *, required: bool) -> None:
    """The public reason of a moderation action: required to hide or restore, 500 at most."""
    fields: FieldErrors = {}
    if required and not reason.strip():
        field_error(fields, "reason", "blank", _("Give the public reason for this action."))
    _check_length(fields, "reason", reason, ACTION_REASON_MAX_LENGTH)
    if fields:
        raise errors.ValidationFailed(fields=fields)


def _locked_target(*, contribution: Contribution | None, comment: Comment | None) -> Target:
    """Lock the one target row (SELECT ... FOR UPDATE) and read it again."""
    if (contribution is None) == (comment is None):
        raise errors.ValidationFailed(
            fields={
                "target": [
                    {
                        "code": "one_target",
                        "message": _("Name exactly one contribution or one comment."),
                    }
                ]
            }
        )
    if contribution is not None:
        locked = (
            Contribution.objects.select_for_update(of=("self",))
            .select_related("consultation")
            .get(pk=contribution.pk)
        )
        return Target(kind=TargetKind.CONTRIBUTION, contribution=locked, comment=None)
    assert comment is not None
    lock_contribution_of(comment)
    locked_comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .get(pk=comment.pk)
    )
    return Target(kind=TargetKind.COMMENT, contribution=None, comment=locked_comment)


def _ensure_public(target: Target) -> None:
    """Only what the public can read is reported or hidden (drafts are nobody's business)."""
    if target.kind == TargetKind.CONTRIBUTION and target.status == ContributionStatus.DRAFT:
        raise errors.NotFound()
    if target.status == HIDDEN:
        raise errors.AlreadyHidden(details={"status": target.status})
    if target.status != target.public_status:
        raise errors.NotModeratable(details={"status": target.status})


def _announce(target: Target, verb_past: str) -> None:
    """`contribution.hidden`, `comment.restored`...: ids only, after commit."""
    if target.contribution is not None:
        hooks.run(
            hooks.CONTRIBUTION_CHANGED,
            consultation_id=target.contribution.consultation_id,
            contribution_id=target.contribution.pk,
        )
        contribution_event(
            event=f"contribution.{verb_past}",
            contribution_id=target.contribution.pk,
            consultation_id=target.contribution.consultation_id,
            kind=target.contribution.kind,
        )
        return
    assert target.comment is not None
    assert target.comment.consultation_id is not None
    emit_after_commit(
        group=consultation_group(target.comment.consultation_id),
        event=f"comment.{verb_past}",
        data={
            "id": target.comment.pk,
            "consultation": target.comment.consultation_id,
            "contribution": target.comment.contribution_id,
            "parent": target.comment.parent_id,
        },
    )


def _log(*, by: User, target: Target, action: ActionKind, reason: str) -> ModerationAction:
    return ModerationAction.objects.create(
        consultation=target.consultation,
        target_kind=target.kind,
        action=action,
        reason=reason,
        moderator=by,
        created_at=timezone.now(),
        **target.foreign_keys(),
    )


def _resolve_open_reports(*, by: User, target: Target, resolution: Resolution) -> int:
    return Report.objects.filter(resolved_at__isnull=True, **target.foreign_keys()).update(
        resolved_at=timezone.now(), resolution=resolution, resolved_by=by
    )


@transaction.atomic
def report_create(
    *,
    by: User,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
    reason: str,
    text: str = "",
) -> tuple[Report, bool]:
    """Report a published contribution or a visible comment to the moderators.

    Idempotent: while the caller's report on this target is open, reporting again returns it
    (and False). Locks the target row, so two concurrent reports cannot both insert.
    """
    fields: FieldErrors = {}
    if reason not in ReportReason.values:
        field_error(fields, "reason", "invalid_choice", _("Unknown reason."))
    _check_length(fields, "text", text, REPORT_TEXT_MAX_LENGTH)
    if fields:
        raise errors.ValidationFailed(fields=fields)
    target = _locked_target(contribution=contribution, comment=comment)
    _ensure_public(target)
    existing = Report.objects.filter(
        reporter=by, resolved_at__isnull=True, **target.foreign_keys()
    ).first()
    if existing is not None:
        return existing, False
    report = Report.objects.create(
        consultation=target.consultation,
        target_kind=target.kind,
        reporter=by,
        reason=reason,
        text=text,
        created_at=timezone.now(),
        **target.foreign_keys(),
    )
    return report, True


@transaction.atomic
def content_hide(
    *,
    by: User,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
    reason: str,
) -> ModerationAction:
    """A moderator or organizer hides a published contribution or a visible comment.

    The public reason replaces the text; open reports on it are resolved as `hidden`; the
    action is logged; a hidden comment leaves its contribution's `comment_count`. Locks the
    target row. After commit: `contribution.hidden` or `comment.hidden`.
    """
    target = _locked_target(contribution=contribution, comment=comment)
    ensure_allowed(user=by, consultation=target.consultation, verb=Verb.MODERATE)
    _check_reason(reason, required=True)
    _ensure_public(target)
    obj = target.obj
    obj.status = HIDDEN
    obj.hidden_reason = reason
    update_fields = ["status", "hidden_reason"]
    if isinstance(obj, Contribution):
        obj.updated_at = timezone.now()
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    if isinstance(obj, Comment):
        comment_count_adjust(contribution_id=obj.contribution_id, delta=-1)
    _resolve_open_reports(by=by, target=target, resolution=Resolution.HIDDEN)
    action = _log(by=by, target=target, action=ActionKind.HIDE, reason=reason)
    _announce(target, "hidden")
    return action


@transaction.atomic
def content_restore(
    *,
    by: User,
    contribution: Contribution | None = None,
    comment: Comment | None = None,
    reason: str,
) -> ModerationAction:
    """Undo a hiding: the contribution is published again, the comment visible again.

    Locks the target row; logs the action; a restored comment counts again in its
    contribution's `comment_count`. After commit: `contribution.restored` or
    `comment.restored`.
    """
    target = _locked_target(contribution=contribution, comment=comment)
    ensure_allowed(user=by, consultation=target.consultation, verb=Verb.MODERATE)
    _check_reason(reason, required=True)
    if target.status != HIDDEN:
        raise errors.NotHidden(details={"status": target.status})
    obj = target.obj
    obj.status = target.public_status
    obj.hidden_reason = ""
    update_fields = ["status", "hidden_reason"]
    if isinstance(obj, Contribution):
        obj.updated_at = timezone.now()
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    if isinstance(obj, Comment):
        comment_count_adjust(contribution_id=obj.contribution_id, delta=1)
    action = _log(by=by, target=target, action=ActionKind.RESTORE, reason=reason)
    _announce(target, "restored")
    return action


@transaction.atomic
def report_dismiss(*, by: User, report: Report, reason: str = "") -> ModerationAction:
    """The content is fine: dismiss this report and every other open report on the same
    target (the queue shows them as one item). The reason is optional.

    Locks the target row first (the lock order of every moderation write), then reads the
    report again. Logs the action; sends no event (nothing public changed but the log).
    """
    target = _locked_target(contribution=report.contribution, comment=report.comment)
    ensure_allowed(user=by, consultation=target.consultation, verb=Verb.MODERATE)
    _check_reason(reason, required=False)
    report = Report.objects.get(pk=report.pk)
    if report.resolved_at is not None:
        raise errors.ReportResolved(details={"resolution": report.resolution})
    _resolve_open_reports(by=by, target=target, resolution=Resolution.DISMISSED)
    return _log(by=by, target=target, action=ActionKind.DISMISS, reason=reason)
