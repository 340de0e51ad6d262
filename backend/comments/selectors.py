"""Reads on comments: a contribution's thread in one query, one comment, stance counts."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from backend.comments.models import Comment, CommentStatus, Stance
from backend.consultations.policies import AnyUser, can_view_consultation
from backend.core import errors
from backend.proposals.models import Contribution
from backend.proposals.policies import can_view_contribution
from backend.proposals.selectors import COMMENT_COUNT_FIELDS, contribution_comment_counts

# Annotation names added by annotate_comment_counts, per stance (contribution reads carry them:
# CommentsConfig.ready registers the annotation with proposals).
STANCE_COUNT_FIELDS = {Stance(stance): name for stance, name in COMMENT_COUNT_FIELDS.items()}


def _comments() -> QuerySet[Comment]:
    return Comment.objects.select_related("author", "author_card", "entered_by")


def comment_list_for_contribution(*, contribution: Contribution) -> QuerySet[Comment]:
    """Every comment of the contribution, oldest first, as a flat list with parent ids and
    depths (clients build the tree). Deleted and hidden ones stay as placeholders so their
    replies keep their place; outputs never show their text. One query a page."""
    return _comments().filter(contribution=contribution).order_by("created_at", "id")


def comment_get(*, comment_id: int, user: AnyUser) -> Comment:
    """One comment, if the caller may see its contribution and consultation."""
    comment = (
        _comments().select_related("contribution", "consultation").filter(pk=comment_id).first()
    )
    if (
        comment is None
        or comment.contribution is None
        or comment.consultation is None
        or not can_view_consultation(user=user, obj=comment.consultation)
        or not can_view_contribution(user=user, obj=comment.contribution)
    ):
        raise errors.NotFound()
    return comment


def _visible_count(stance: str) -> Coalesce:
    comments = Comment.objects.filter(
        contribution=OuterRef("pk"), status=CommentStatus.VISIBLE, stance=stance
    )
    total = comments.order_by().values("contribution").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def annotate_comment_counts(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """Add one `comment_count_<stance>` per stance: visible comments only (deleted and hidden
    ones do not count), as subqueries in the same query. The total is the stored
    `Contribution.comment_count` (it serves the `commented` order); these subqueries are only
    in the SELECT list, so PostgreSQL runs them for the page's rows, after the LIMIT."""
    return queryset.annotate(
        **{name: _visible_count(stance) for stance, name in STANCE_COUNT_FIELDS.items()},
    )


def comment_counts_of(contribution: Contribution) -> dict[str, int]:
    """The counts of an annotated contribution as {total, for, against, neutral}."""
    return contribution_comment_counts(contribution)
