"""Writes of notifications: telling contributors (deduplicated), marking read, preferences,
the e-mail digest, one-click unsubscribe, erasure with the account; and comments on
candidate and regional actions (in the comments app's table)."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
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
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.notifications import mail, realtime, selectors
from backend.notifications.domain import is_digest_due, notification_key
from backend.notifications.models import (
    DigestFrequency,
    DigestLanguage,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from backend.notifications.policies import (
    ensure_can_comment_candidate_action,
    ensure_can_comment_regional_action,
)
from backend.programmes.events import programme_group
from backend.programmes.models import RegionalAction, RegionalDecision
from backend.synthesis.models import CandidateAction, Decision

logger = logging.getLogger(__name__)


def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    return dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "language"
        )
    )


def _unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return dict(rows)


@transaction.atomic
def notifications_write(
    *, contributors: selectors.Contributors, kind: str, key: str, fields: dict[str, Any]
) -> list[Notification]:
    """One notification per person for this key (people who already have it are skipped; the
    unique constraint (recipient, key) is the last word if two deliveries race). Each new
    one is announced after commit to the person's websocket group (`notification.created`),
    rendered in their language. No lock: the insert is ON CONFLICT DO NOTHING."""
    if not contributors:
        return []
    already = set(
        Notification.objects.filter(key=key, recipient_id__in=list(contributors)).values_list(
            "recipient_id", flat=True
        )
    )
    now = timezone.now()
    fresh = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            key=key,
            contributions=contribution_ids,
            created_at=now,
            **fields,
        )
        for user_id, contribution_ids in sorted(contributors.items())
        if user_id not in already
    ]
    if not fresh:
        return []
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    # Rows written by this call carry exactly `now`; a racing writer's rows do not.
    created = list(
        Notification.objects.filter(
            key=key, recipient_id__in=[n.recipient_id for n in fresh], created_at=now
        ).order_by("recipient_id")
    )
    recipients = [n.recipient_id for n in created]
    languages = _languages(recipients)
    counts = _unread_counts(recipients)
    for notification in created:
        language = languages.get(notification.recipient_id, DigestLanguage.FRENCH)
        with translation.override(language):
            payload = realtime.notification_payload(notification)
        realtime.announce_created(
            user_id=notification.recipient_id,
            notification=payload,
            unread_count=counts.get(notification.recipient_id, 0),
        )
    return created


def _candidate(action_id: int) -> CandidateAction | None:
    return CandidateAction.objects.filter(pk=action_id).first()


def _regional(action_id: int) -> RegionalAction | None:
    return RegionalAction.objects.filter(pk=action_id).first()


def _candidate_fields(action: CandidateAction) -> dict[str, Any]:
    return {
        "consultation_id": action.consultation_id,
        "candidate_action_id": action.pk,
        "action_title": action.title,
    }


def _regional_fields(action: RegionalAction) -> dict[str, Any]:
    return {
        "programme_id": action.programme_id,
        "regional_action_id": action.pk,
        "action_title": action.title,
    }


def candidate_action_notify_merged(*, action_id: int) -> list[Notification]:
    """Tell the people whose contributions feed the candidate action (directly or through a
    cluster) that their contribution was taken up in it: once per person and action, so a
    later edit or a new source only reaches the newcomers."""
    action = _candidate(action_id)
    if action is None:
        return []
    kind = NotificationKind.CONTRIBUTION_MERGED
    return notifications_write(
        contributors=selectors.candidate_action_contributors(action_id=action.pk),
        kind=kind,
        key=notification_key(kind=kind, action="candidate", action_id=action.pk),
        fields=_candidate_fields(action),
    )


def cluster_notify_merged(*, cluster_id: int) -> list[Notification]:
    """Contributions merged into a cluster that actions already draw on now feed them."""
    created: list[Notification] = []
    for action_id in selectors.cluster_actions(cluster_id=cluster_id):
        created += candidate_action_notify_merged(action_id=action_id)
    return created


def candidate_action_notify_decided(*, action_id: int) -> list[Notification]:
    """Tell the contributors the organizers' decision and its public answer (nothing while
    it is pending). A new decision is new news; the same one delivered twice is not."""
    action = _candidate(action_id)
    if action is None or action.decision == Decision.PENDING or action.decided_at is None:
        return []
    kind = NotificationKind.CANDIDATE_ACTION_DECIDED
    state = f"{action.decision}@{action.decided_at.isoformat()}"
    return notifications_write(
        contributors=selectors.candidate_action_contributors(action_id=action.pk),
        kind=kind,
        key=notification_key(kind=kind, action="candidate", action_id=action.pk, state=state),
        fields={
            **_candidate_fields(action),
            "decision": action.decision,
            "answer": action.public_answer,
        },
    )


def regional_action_notify_decided(*, action_id: int) -> list[Notification]:
    """Retained in the regional plan or not (with the public answer), to every contributor
    of every round the action draws on."""
    action = _regional(action_id)
    if action is None or action.decision == RegionalDecision.PENDING or not action.decided_at:
        return []
    kind = NotificationKind.REGIONAL_ACTION_DECIDED
    state = f"{action.decision}@{action.decided_at.isoformat()}"
    return notifications_write(
        contributors=selectors.regional_action_contributors(action_id=action.pk),
        kind=kind,
        key=notification_key(kind=kind, action="regional", action_id=action.pk, state=state),
        fields={
            **_regional_fields(action),
            "decision": action.decision,
            "answer": action.public_answer,
        },
    )


def regional_action_notify_status_changed(
    *, action_id: int, previous_status: str
) -> list[Notification]:
    """The follow-up status moved (planned, in progress, done, abandoned with its reason)."""
    action = _regional(action_id)
    if action is None or action.status_changed_at is None:
        return []
    kind = NotificationKind.REGIONAL_ACTION_STATUS_CHANGED
    state = f"{action.status}@{action.status_changed_at.isoformat()}"
    return notifications_write(
        contributors=selectors.regional_action_contributors(action_id=action.pk),
        kind=kind,
        key=notification_key(kind=kind, action="regional", action_id=action.pk, state=state),
        fields={
            **_regional_fields(action),
            "status": action.status,
            "previous_status": previous_status,
            "answer": action.abandon_reason,
        },
    )


# --- reading -------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, by: User, notification: Notification) -> Notification:
    """Mark one of the person's notifications read (again: a no-op). Conditional UPDATE, no
    lock. Emits `notification.read` after commit when it changed."""
    if notification.recipient_id != by.pk:
        raise errors.NotFound()
    now = timezone.now()
    changed = Notification.objects.filter(
        pk=notification.pk, recipient=by, read_at__isnull=True
    ).update(read_at=now)
    notification.refresh_from_db()
    if changed:
        realtime.announce_read(
            user_id=by.pk,
            ids=[notification.pk],
            unread_count=selectors.notification_unread_count(user=by),
        )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notification of the person read; how many were. Emits
    `notification.read` (ids null) after commit when any changed."""
    changed = Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        realtime.announce_read(user_id=by.pk, ids=None, unread_count=0)
    return changed


# --- preferences, digest, unsubscribe --------------------------------------------------


def _locked_preference(user_id: int) -> NotificationPreference:
    NotificationPreference.objects.get_or_create(user_id=user_id)
    return NotificationPreference.objects.select_for_update().get(user_id=user_id)


@transaction.atomic
def notification_preference_update(
    *, by: User, email_digest: str | None = None, language: str | None = None
) -> NotificationPreference:
    """Change the person's digest frequency or language (None leaves it). Lock: the
    preference row (created with the defaults on first change)."""
    fields: FieldErrors = {}
    if email_digest is not None and email_digest not in DigestFrequency.values:
        field_error(fields, "email_digest", "invalid_choice", _("Unknown frequency."))
    if language is not None and language not in DigestLanguage.values:
        field_error(fields, "language", "invalid_choice", _("Unknown language."))
    raise_if_errors(fields)
    preference = _locked_preference(by.pk)
    if email_digest is not None:
        preference.email_digest = email_digest
    if language is not None:
        preference.language = language
    preference.updated_at = timezone.now()
    preference.save()
    return preference


@transaction.atomic
def digest_unsubscribe(*, token: str) -> NotificationPreference:
    """One-click unsubscribe (RFC 8058): the signed token names the person; their digest
    becomes `never`. No sign-in needed; idempotent. Lock: the preference row."""
    user_id = selectors.unsubscribe_token_user_id(token=token)
    preference = _locked_preference(user_id)
    if preference.email_digest != DigestFrequency.NEVER:
        preference.email_digest = DigestFrequency.NEVER
        preference.updated_at = timezone.now()
        preference.save(update_fields=["email_digest", "updated_at"])
    return preference


@transaction.atomic
def digest_send(*, user_id: int, now: datetime) -> int:
    """Send the person's digest if it is due and there is news: every unread notification
    no digest carried yet. Lock: the preference row (two digest runs at once send one
    e-mail). The notifications are marked e-mailed and the e-mail sent inside the
    transaction: if sending fails, nothing is marked and the next run tries again."""
    preference = _locked_preference(user_id)
    if not is_digest_due(
        frequency=preference.email_digest, last_sent_at=preference.last_digest_at, now=now
    ):
        return 0
    user = User.objects.filter(pk=user_id, is_active=True).first()
    notifications = selectors.digest_notifications(user_id=user_id)
    if user is None or not notifications:
        return 0
    message = mail.digest_message(
        user=user, language=preference.language, notifications=notifications
    )
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at"])
    message.send()
    return len(notifications)


@dataclass(frozen=True)
class DigestRun:
    people: int
    notifications: int
    failed: int


def digests_send(*, now: datetime | None = None) -> DigestRun:
    """Send every due digest (`manage.py send_digests`, run by cron or a scheduler). Each
    person in their own transaction: a failure is logged and the others still go."""
    now = now or timezone.now()
    people = notifications = failed = 0
    for user_id in selectors.digest_recipients():
        try:
            sent = digest_send(user_id=user_id, now=now)
        except Exception:
            logger.exception("digest for person %s not sent", user_id)
            failed += 1
            continue
        if sent:
            people += 1
            notifications += sent
    return DigestRun(people=people, notifications=notifications, failed=failed)


@transaction.atomic
def notifications_erase(*, user: User) -> None:
    """With the account (privacy.user_erase): the person's notifications and preferences go
    (they are about them only and public nowhere)."""
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()


# --- comments on actions ---------------------------------------------------------------


def _check_comment(fields: FieldErrors, *, body: str, stance: str) -> None:
    check_text(fields, "body", body, limit=BODY_MAX_LENGTH, blank=False)
    if stance not in Stance.values:
        field_error(fields, "stance", "invalid_choice", _("Unknown stance."))


def _check_parent(
    fields: FieldErrors, *, parent: Comment | None, same_target: dict[str, int]
) -> tuple[Comment | None, int]:
    """The parent read again under a lock, and the reply's depth (as for contributions)."""
    if parent is None:
        return None, 0
    parent = Comment.objects.select_for_update(of=("self",)).get(pk=parent.pk)
    if any(getattr(parent, f"{name}_id") != pk for name, pk in same_target.items()):
        field_error(
            fields,
            "parent",
            "wrong_target",
            _("A reply must answer a comment on the same action."),
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
    return parent, parent.depth + 1


@transaction.atomic
def candidate_action_comment_create(
    *,
    by: User,
    action: CandidateAction,
    body: str,
    stance: str = Stance.NEUTRAL,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a candidate action (or reply to a comment on it), in the comments app's
    table: its consultation's moderators moderate it like any comment.

    Gate: can_comment_candidate_action (signed in, published round, synthesis or
    restitution open). Lock: the parent comment, if any. Emits `comment.created` (with
    `candidate_action`) on the consultation group after commit.
    """
    action = CandidateAction.objects.select_related("consultation").get(pk=action.pk)
    ensure_can_comment_candidate_action(user=by, obj=action)
    fields: FieldErrors = {}
    _check_comment(fields, body=body, stance=stance)
    parent, depth = _check_parent(
        fields, parent=parent, same_target={"candidate_action": action.pk}
    )
    raise_if_errors(fields)
    return _action_comment_save(
        target={"consultation": action.consultation, "candidate_action": action},
        kind=TargetKind.CANDIDATE_ACTION,
        group=consultation_group(action.consultation_id),
        scope={"consultation": action.consultation_id, "candidate_action": action.pk},
        by=by,
        parent=parent,
        depth=depth,
        stance=stance,
        body=body,
    )


@transaction.atomic
def regional_action_comment_create(
    *,
    by: User,
    action: RegionalAction,
    body: str,
    stance: str = Stance.NEUTRAL,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a regional action (or reply). Gate: can_comment_regional_action (signed
    in, published programme, consolidation or adopted stage). Lock: the parent comment, if
    any. Emits `comment.created` (with `regional_action`) on the programme group after
    commit. Such comments have no consultation, hence no moderators yet (see README)."""
    action = RegionalAction.objects.select_related("programme").get(pk=action.pk)
    ensure_can_comment_regional_action(user=by, obj=action)
    fields: FieldErrors = {}
    _check_comment(fields, body=body, stance=stance)
    parent, depth = _check_parent(fields, parent=parent, same_target={"regional_action": action.pk})
    raise_if_errors(fields)
    return _action_comment_save(
        target={"regional_action": action},
        kind=TargetKind.REGIONAL_ACTION,
        group=programme_group(action.programme_id),
        scope={"programme": action.programme_id, "regional_action": action.pk},
        by=by,
        parent=parent,
        depth=depth,
        stance=stance,
        body=body,
    )


def _action_comment_save(
    *,
    target: dict[str, Any],
    kind: str,
    group: str,
    scope: dict[str, int],
    by: User,
    parent: Comment | None,
    depth: int,
    stance: str,
    body: str,
) -> Comment:
    """The comment row of an action's thread, and `comment.created` on `group` after commit
    (`scope` names the action and its consultation or programme)."""
    comment = Comment.objects.create(
        **target,
        target_kind=kind,
        parent=parent,
        depth=depth,
        author=by,
        entered_by=by,
        stance=stance,
        body=body,
    )
    emit_after_commit(
        group=group,
        event="comment.created",
        data={"id": comment.pk, **scope, "parent": comment.parent_id},
    )
    return comment
