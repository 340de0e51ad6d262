"""Writes on comments: posting (with provenance), editing in the window, deleting."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.comments.models import (
    BODY_MAX_LENGTH,
    MAX_DEPTH,
    Comment,
    CommentStatus,
    Stance,
    TargetKind,
)
from backend.comments.policies import (
    can_delete_comment,
    is_comment_author,
    is_commentable,
    is_within_edit_window,
)
from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.core.validation import FieldErrors, check_text, field_error
from backend.proposals.models import Contribution, Origin, ParticipantCard
from backend.proposals.policies import is_self_origin


def _check_body(fields: FieldErrors, body: str) -> None:
    """Text is stored as written; emptiness, the limit and refused characters are checked."""
    check_text(fields, "body", body, limit=BODY_MAX_LENGTH, blank=False)


def _check_stance(fields: FieldErrors, stance: str) -> None:
    if stance not in Stance.values:
        field_error(fields, "stance", "invalid_choice", _("Unknown stance."))


def _ensure_commentable(contribution: Contribution) -> None:
    if not is_commentable(contribution):
        raise errors.NotCommentable(
            _("Only published contributions can be commented."),
            details={"status": contribution.status},
        )


def comment_count_adjust(*, contribution_id: int | None, delta: int) -> None:
    """Move the contribution's stored count of visible comments by `delta`, in SQL (F()),
    inside the caller's transaction: called wherever a comment becomes visible or stops being
    visible. The caller holds the contribution's row lock (see lock_contribution_of)."""
    if contribution_id is None:
        return
    Contribution.objects.filter(pk=contribution_id).update(comment_count=F("comment_count") + delta)


def lock_contribution_of(comment: Comment) -> None:
    """Lock the comment's contribution row before the comment's: comment_create locks the
    contribution then the parent comment, so every comment write takes them in that order."""
    if comment.contribution_id is not None:
        list(
            Contribution.objects.select_for_update()
            .filter(pk=comment.contribution_id)
            .values_list("pk", flat=True)
        )


def _announce(comment: Comment, event: str) -> None:
    """Ids only: clients re-read the comment over REST (its text may be private)."""
    assert comment.consultation_id is not None  # a contribution's comment
    emit_after_commit(
        group=consultation_group(comment.consultation_id),
        event=event,
        data={
            "id": comment.pk,
            "consultation": comment.consultation_id,
            "contribution": comment.contribution_id,
            "parent": comment.parent_id,
        },
    )


@transaction.atomic
def comment_create(
    *,
    by: User,
    contribution: Contribution,
    body: str,
    stance: str = Stance.NEUTRAL,
    parent: Comment | None = None,
    on_behalf_of_card: ParticipantCard | None = None,
    origin: str = Origin.WEB,
) -> Comment:
    """Post a comment, or a reply to a comment of the same contribution.

    Gates: COMMENT; a participant card or a facilitator's origin (workshop, paper, phone)
    also needs ENTER_ON_BEHALF. Locks the contribution row (and the parent comment) so that
    neither can be hidden, withdrawn or deleted while the comment is written; adds one to the
    contribution's `comment_count`. Emits `comment.created` after commit.
    """
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("consultation")
        .get(pk=contribution.pk)
    )
    consultation = contribution.consultation
    if origin not in Origin.values:
        raise errors.ValidationFailed(
            fields={"origin": [{"code": "invalid_choice", "message": _("Unknown origin.")}]}
        )
    ensure_allowed(user=by, consultation=consultation, verb=Verb.COMMENT)
    if on_behalf_of_card is not None or not is_self_origin(origin):
        ensure_allowed(user=by, consultation=consultation, verb=Verb.ENTER_ON_BEHALF)
    _ensure_commentable(contribution)
    fields: FieldErrors = {}
    _check_body(fields, body)
    _check_stance(fields, stance)
    if on_behalf_of_card is not None and is_self_origin(origin):
        field_error(
            fields,
            "origin",
            "card_needs_facilitator_origin",
            _("An entry for a participant card comes from a workshop, paper or the phone."),
        )
    if on_behalf_of_card is not None and on_behalf_of_card.consultation_id != consultation.pk:
        field_error(
            fields,
            "on_behalf_of_card",
            "wrong_consultation",
            _("This card belongs to another consultation."),
        )
    depth = 0
    if parent is not None:
        # Read again under a lock: the parent may just have been deleted or hidden.
        parent = Comment.objects.select_for_update(of=("self",)).get(pk=parent.pk)
        if parent.contribution_id != contribution.pk:
            field_error(
                fields,
                "parent",
                "wrong_contribution",
                _("A reply must answer a comment on the same contribution."),
            )
        elif parent.status != CommentStatus.VISIBLE:
            field_error(
                fields,
                "parent",
                "not_visible",
                _("This comment was deleted or hidden: it cannot be answered."),
            )
        elif parent.depth + 1 > MAX_DEPTH:
            field_error(
                fields,
                "parent",
                "too_deep",
                _("Replies can only go %(limit)d levels deep: answer a comment higher up.")
                % {"limit": MAX_DEPTH},
            )
        depth = parent.depth + 1
    if fields:
        raise errors.ValidationFailed(fields=fields)
    comment = Comment.objects.create(
        consultation=consultation,
        target_kind=TargetKind.CONTRIBUTION,
        contribution=contribution,
        parent=parent,
        depth=depth,
        author=by if on_behalf_of_card is None else None,
        author_card=on_behalf_of_card,
        entered_by=by,
        origin=origin,
        stance=stance,
        body=body,
    )
    comment_count_adjust(contribution_id=contribution.pk, delta=1)
    _announce(comment, "comment.created")
    return comment


def _locked(comment: Comment) -> Comment:
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation", "contribution")
        .get(pk=comment.pk)
    )


@transaction.atomic
def comment_edit(
    *,
    by: User,
    comment: Comment,
    body: str | None = None,
    stance: str | None = None,
) -> Comment:
    """Change the text or the stance (None leaves it) within EDIT_WINDOW of posting.

    Its author only, while the COMMENT verb is open and the contribution still published.
    Locks the comment row. Emits `comment.edited` after commit when something changed.
    """
    comment = _locked(comment)
    if not is_comment_author(user=by, obj=comment):
        raise errors.PermissionDenied()
    if comment.status != CommentStatus.VISIBLE:
        raise errors.CommentNotEditable(details={"status": comment.status})
    now = timezone.now()
    if not is_within_edit_window(obj=comment, now=now):
        raise errors.EditWindowClosed()
    if comment.consultation is None or comment.contribution is None:
        raise errors.NotFound()  # an action's comment: not editable in this iteration
    ensure_allowed(user=by, consultation=comment.consultation, verb=Verb.COMMENT)
    _ensure_commentable(comment.contribution)
    fields: FieldErrors = {}
    if body is not None:
        _check_body(fields, body)
    if stance is not None:
        _check_stance(fields, stance)
    if fields:
        raise errors.ValidationFailed(fields=fields)
    changed = False
    if body is not None and body != comment.body:
        comment.body = body
        changed = True
    if stance is not None and stance != comment.stance:
        comment.stance = stance
        changed = True
    if changed:
        comment.edited_at = now
        comment.save(update_fields=["body", "stance", "edited_at"])
        _announce(comment, "comment.edited")
    return comment


@transaction.atomic
def comment_delete(*, by: User, comment: Comment) -> Comment:
    """Its author deletes it: the row stays (status deleted, text kept but never shown) so
    that replies keep their place. Deleting again is a no-op; hidden comments stay hidden.
    Locks the contribution row, then the comment row; takes one off the contribution's
    `comment_count`. Emits `comment.deleted` after commit."""
    lock_contribution_of(comment)
    comment = _locked(comment)
    if not can_delete_comment(user=by, obj=comment):
        raise errors.PermissionDenied()
    if comment.status == CommentStatus.DELETED:
        return comment
    if comment.status != CommentStatus.VISIBLE:
        raise errors.CommentNotEditable(details={"status": comment.status})
    comment.status = CommentStatus.DELETED
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["status", "deleted_at"])
    comment_count_adjust(contribution_id=comment.contribution_id, delta=-1)
    _announce(comment, "comment.deleted")
    return comment
