"""Who may change a comment, and until when (the phase gate is checked by the services)."""

from datetime import datetime, timedelta

from backend.comments.models import Comment, CommentStatus
from backend.consultations.policies import AnyUser, is_signed_in
from backend.proposals.models import Contribution, ContributionStatus

# An author may fix a comment for this long after posting it; after that it stands as written.
EDIT_WINDOW = timedelta(minutes=15)


def is_commentable(contribution: Contribution) -> bool:
    """Only published contributions take new comments (not drafts, withdrawn or hidden ones)."""
    return contribution.status == ContributionStatus.PUBLISHED


def is_comment_author(*, user: AnyUser, obj: Comment) -> bool:
    """The account that wrote it; for a participant card, the facilitator who typed it."""
    if not is_signed_in(user):
        return False
    if obj.author_id is not None:
        return bool(obj.author_id == user.pk)
    return obj.author_card_id is not None and obj.entered_by_id == user.pk


def is_within_edit_window(*, obj: Comment, now: datetime) -> bool:
    return now <= obj.created_at + EDIT_WINDOW


def can_delete_comment(*, user: AnyUser, obj: Comment) -> bool:
    return is_comment_author(user=user, obj=obj)


def can_edit_comment(*, user: AnyUser, obj: Comment, now: datetime) -> bool:
    """Its author, while it is visible and within the edit window."""
    return (
        is_comment_author(user=user, obj=obj)
        and obj.status == CommentStatus.VISIBLE
        and is_within_edit_window(obj=obj, now=now)
    )
