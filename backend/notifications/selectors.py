"""Reads of notifications and preferences, and who an action's news concerns (its
contributors: the accounts whose contributions fed it; participant cards have no account)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from backend.accounts.models import User
from backend.comments.models import Comment
from backend.core import errors
from backend.notifications.mail import unsubscribe_user_id
from backend.notifications.models import Notification, NotificationPreference
from backend.programmes.models import RegionalAction, RegionalActionSource
from backend.proposals.models import Contribution
from backend.synthesis.models import ActionSource, CandidateAction, ClusterMember

# person id -> their contributions (ids) that fed the action
Contributors = dict[int, list[int]]


def notification_list(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    """The person's notifications, newest first; `unread` True/False filters. One query a
    page (no relation is followed: the notification carries what it shows)."""
    queryset = Notification.objects.filter(recipient=user)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset.order_by("-created_at", "-id")


def notification_get(*, user: User, notification_id: int) -> Notification:
    """One of the person's notifications; anyone else's is not_found (never a hint)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise errors.NotFound()
    return notification


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_preference_get(*, user: User) -> NotificationPreference:
    """The person's preferences, or the defaults (unsaved) when they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def _contributors(contributions: dict[int, set[int]]) -> dict[int, Contributors]:
    """action -> person -> contribution ids, for active accounts only. One query."""
    every = {cid for cids in contributions.values() for cid in cids}
    authors = dict(
        Contribution.objects.filter(
            pk__in=every, author__isnull=False, author__is_active=True
        ).values_list("pk", "author_id")
    )
    result: dict[int, Contributors] = {}
    for action_id, cids in contributions.items():
        people: Contributors = {}
        for cid in sorted(cids):
            if cid in authors:
                people.setdefault(authors[cid], []).append(cid)
        result[action_id] = people
    return result


def _candidate_sources(action_ids: Iterable[int]) -> dict[int, set[int]]:
    """candidate action -> contributions it draws on (directly, or as an active member of a
    cluster it names). Two queries."""
    ids = list(action_ids)
    sources: dict[int, set[int]] = {pk: set() for pk in ids}
    for action_id, contribution_id in ActionSource.objects.filter(
        action_id__in=ids, contribution_id__isnull=False
    ).values_list("action_id", "contribution_id"):
        sources[action_id].add(contribution_id)
    for action_id, contribution_id in ClusterMember.objects.filter(
        removed_at__isnull=True, cluster__action_sources__action_id__in=ids
    ).values_list("cluster__action_sources__action_id", "contribution_id"):
        sources[action_id].add(contribution_id)
    return sources


def candidate_action_contributors(*, action_id: int) -> Contributors:
    """The people whose contributions feed this candidate action. Three queries."""
    return _contributors(_candidate_sources([action_id]))[action_id]


def cluster_actions(*, cluster_id: int) -> list[int]:
    """The candidate actions that name this cluster as a source."""
    return sorted(
        set(ActionSource.objects.filter(cluster_id=cluster_id).values_list("action_id", flat=True))
    )


def contributions_contributors(*, contribution_ids: Iterable[int]) -> Contributors:
    """The authors (active accounts) of these contributions. One query."""
    return _contributors({0: set(contribution_ids)})[0]


def regional_action_contributors(*, action_id: int) -> Contributors:
    """The people whose contributions feed this regional action: linked directly, or through
    a territorial candidate action it consolidates (links undone do not count). At most four
    queries."""
    links = list(
        RegionalActionSource.objects.filter(
            action_id=action_id, removed_at__isnull=True
        ).values_list("candidate_action_id", "contribution_id")
    )
    reached = {cid for _, cid in links if cid is not None}
    territorial = [t for t, _ in links if t is not None]
    if territorial:
        for cids in _candidate_sources(territorial).values():
            reached |= cids
    return _contributors({action_id: reached})[action_id]


def digest_recipients() -> list[int]:
    """People with unread notifications that no digest has carried yet."""
    return sorted(
        set(
            Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
            .values_list("recipient_id", flat=True)
            .distinct()
        )
    )


def digest_notifications(*, user_id: int) -> list[Notification]:
    """What the person's next digest carries: unread, not yet e-mailed, oldest first."""
    return list(
        Notification.objects.filter(
            recipient_id=user_id, read_at__isnull=True, emailed_at__isnull=True
        ).order_by("created_at", "id")
    )


def unsubscribe_token_user_id(*, token: str) -> int:
    """The active account a signed unsubscribe token names (unsubscribe_link_invalid)."""
    user_id = unsubscribe_user_id(token)
    if user_id is None or not User.objects.filter(pk=user_id, is_active=True).exists():
        raise errors.UnsubscribeLinkInvalid()
    return user_id


def notification_preference_for_token(*, token: str) -> NotificationPreference:
    """The preferences of the person an unsubscribe token names (defaults if never set)."""
    user_id = unsubscribe_token_user_id(token=token)
    preference = NotificationPreference.objects.filter(user_id=user_id).first()
    return preference or NotificationPreference(user_id=user_id)


def candidate_action_comment_list(*, action: CandidateAction) -> QuerySet[Comment]:
    """Every comment of the candidate action, oldest first, flat with parent ids (as a
    contribution's thread). One query a page."""
    return (
        Comment.objects.filter(candidate_action=action)
        .select_related("author", "author_card", "entered_by")
        .order_by("created_at", "id")
    )


def regional_action_comment_list(*, action: RegionalAction) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(regional_action=action)
        .select_related("author", "author_card", "entered_by")
        .order_by("created_at", "id")
    )
