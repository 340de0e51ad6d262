"""Reads of moderation: the moderators' queue, the public log, reports and report targets."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, QuerySet

from backend.comments.models import Comment
from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, can_view_consultation
from backend.core import errors
from backend.moderation.models import ModerationAction, Report
from backend.proposals.models import Contribution

# How many of the latest reasons and texts a queue item shows.
LATEST_REPORTS = 5


@dataclass(frozen=True)
class QueueItem:
    """One reported target with its open reports summed up."""

    target_kind: str
    contribution: Contribution | None
    comment: Comment | None
    report_count: int
    report_ids: list[int]
    latest_reasons: list[str]
    latest_texts: list[str]
    first_reported_at: datetime
    last_reported_at: datetime


def moderation_queue(*, consultation: Consultation) -> QuerySet[Any, Any]:
    """Targets with open reports, one row each, oldest first report first: an aggregate the
    caller paginates, then completes with `moderation_queue_items` (two more queries)."""
    return (
        Report.objects.filter(consultation=consultation, resolved_at__isnull=True)
        .values("target_kind", "contribution_id", "comment_id")
        .annotate(
            report_count=Count("id"),
            report_ids=ArrayAgg("id", order_by=("-created_at", "-id")),
            reasons=ArrayAgg("reason", order_by=("-created_at", "-id")),
            texts=ArrayAgg("text", order_by=("-created_at", "-id")),
            first_reported_at=Min("created_at"),
            last_reported_at=Max("created_at"),
        )
        .order_by("first_reported_at", "contribution_id", "comment_id")
    )


def moderation_queue_items(rows: Sequence[dict[str, Any]]) -> list[QueueItem]:
    """Attach the reported contributions and comments to a page of queue rows."""
    contribution_ids = [row["contribution_id"] for row in rows if row["contribution_id"]]
    comment_ids = [row["comment_id"] for row in rows if row["comment_id"]]
    contributions = (
        Contribution.objects.select_related("author", "author_card").in_bulk(contribution_ids)
        if contribution_ids
        else {}
    )
    comments = (
        Comment.objects.select_related("author", "author_card").in_bulk(comment_ids)
        if comment_ids
        else {}
    )
    return [
        QueueItem(
            target_kind=row["target_kind"],
            contribution=contributions.get(row["contribution_id"]),
            comment=comments.get(row["comment_id"]),
            report_count=row["report_count"],
            report_ids=row["report_ids"],
            latest_reasons=row["reasons"][:LATEST_REPORTS],
            latest_texts=[text for text in row["texts"] if text][:LATEST_REPORTS],
            first_reported_at=row["first_reported_at"],
            last_reported_at=row["last_reported_at"],
        )
        for row in rows
    ]


def moderation_log(*, consultation: Consultation) -> QuerySet[ModerationAction]:
    """Every moderation action on a consultation, newest first (one query a page)."""
    return (
        ModerationAction.objects.filter(consultation=consultation)
        .select_related("moderator", "comment")
        .order_by("-created_at", "-id")
    )


def report_get(*, report_id: int) -> Report:
    report = (
        Report.objects.select_related("consultation", "contribution", "comment")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise errors.NotFound()
    return report


def comment_get_for_report(*, comment_id: int, user: AnyUser) -> Comment:
    """A comment whose consultation the caller may see (its state is the service's concern)."""
    comment = Comment.objects.select_related("consultation").filter(pk=comment_id).first()
    # A regional action's comment has no consultation (no moderators): not reportable here.
    if (
        comment is None
        or comment.consultation is None
        or not can_view_consultation(user=user, obj=comment.consultation)
    ):
        raise errors.NotFound()
    return comment


def moderation_target_get(
    *, consultation: Consultation, target_kind: str, target_id: int
) -> tuple[Contribution | None, Comment | None]:
    """The contribution or comment of this consultation a moderator names; NotFound
    otherwise."""
    if target_kind == "contribution":
        contribution = Contribution.objects.filter(consultation=consultation, pk=target_id).first()
        if contribution is None:
            raise errors.NotFound()
        return contribution, None
    comment = Comment.objects.filter(consultation=consultation, pk=target_id).first()
    if comment is None:
        raise errors.NotFound()
    return None, comment
