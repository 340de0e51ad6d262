"""Non-destructive merges of contributions into clusters, and their undoing."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.models import Consultation
from backend.core import errors
from backend.core.validation import FieldErrors, check_text, field_error, raise_if_errors
from backend.synthesis.models import (
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Cluster,
    ClusterMember,
    MergeKind,
    MergeLogEntry,
)
from backend.synthesis.policies import ensure_can_merge
from backend.synthesis.services.common import (
    MAX_MERGE,
    _lock_contributions,
    _merge_event,
    _unique_ids,
)


@transaction.atomic
def contributions_merge(
    *,
    by: User,
    consultation: Consultation,
    contribution_ids: Sequence[int],
    reason: str,
    into_cluster: Cluster | None = None,
    title: str = "",
) -> MergeLogEntry:
    """Merge published contributions into a new cluster, or into `into_cluster`.

    Gate: MERGE (organizers and facilitators, synthesis phase). Nothing is deleted: members
    keep their rows, authors, comments, versions, endorsements and ballot lines (items
    already voted on may be merged). Locks: the contributions (FOR UPDATE, id order) and the
    target cluster; the partial unique index "one active cluster per contribution" is the last
    word if two merges still race (AlreadyMerged). Side effects after commit:
    `contribution.merged` on the consultation group.
    """
    ensure_can_merge(user=by, consultation=consultation)
    ids = _unique_ids(contribution_ids)
    fields: FieldErrors = {}
    check_text(fields, "reason", reason, limit=REASON_MAX_LENGTH, blank=False)
    check_text(fields, "title", title, limit=TITLE_MAX_LENGTH, blank=True)
    if not ids:
        field_error(fields, "contribution_ids", "empty", _("Name at least one contribution."))
    elif into_cluster is None and len(ids) < 2:
        field_error(
            fields,
            "contribution_ids",
            "too_few",
            _("A new cluster needs at least two contributions."),
        )
    if len(ids) > MAX_MERGE:
        field_error(
            fields,
            "contribution_ids",
            "too_many",
            _("At most %(limit)d contributions at once.") % {"limit": MAX_MERGE},
        )
    raise_if_errors(fields)
    if into_cluster is not None:
        into_cluster = Cluster.objects.select_for_update().filter(pk=into_cluster.pk).first()
        if into_cluster is None or into_cluster.consultation_id != consultation.pk:
            field_error(
                fields,
                "into_cluster",
                "not_found",
                _("This cluster is not part of this consultation."),
            )
            raise_if_errors(fields)
    contributions = _lock_contributions(
        fields, name="contribution_ids", consultation=consultation, ids=ids
    )
    raise_if_errors(fields)
    if (
        into_cluster is not None
        and not into_cluster.members.filter(removed_at__isnull=True).exists()
    ):
        raise errors.ClusterDissolved(details={"cluster": into_cluster.pk})
    taken = list(
        ClusterMember.objects.filter(contribution_id__in=ids, removed_at__isnull=True)
        .order_by("contribution_id")
        .values_list("contribution_id", "cluster_id")
    )
    if taken:
        raise errors.AlreadyMerged(
            details={
                "contributions": [cid for cid, _cluster in taken],
                "clusters": sorted({cluster for _cid, cluster in taken}),
            }
        )
    now = timezone.now()
    cluster = into_cluster or Cluster.objects.create(
        consultation=consultation,
        title=title.strip() or contributions[0].title,
        created_by=by,
        created_at=now,
    )
    entry = MergeLogEntry.objects.create(
        consultation=consultation,
        cluster=cluster,
        kind=MergeKind.MERGE,
        by=by,
        at=now,
        reason=reason.strip(),
    )
    entry.contributions.set(contributions)
    try:
        with transaction.atomic():
            ClusterMember.objects.bulk_create(
                ClusterMember(cluster=cluster, contribution=c, added_by_merge=entry, added_at=now)
                for c in contributions
            )
    except IntegrityError as exc:
        raise errors.AlreadyMerged(details={"contributions": ids}) from exc
    _merge_event(event="contribution.merged", entry=entry, contributions=contributions)
    return entry


@transaction.atomic
def merge_undo(*, by: User, merge_entry: MergeLogEntry, reason: str) -> MergeLogEntry:
    """Undo a merge (a split): the contributions it added leave the cluster, as before it.

    Gate: MERGE. Merges of one cluster are undone in reverse order (MergeNotLatest
    otherwise), so the state after the split is exactly the state before the merge; undoing
    the merge that created a cluster dissolves it (kept, with no active member, for the log
    and for the actions that name it). Undoing twice: MergeAlreadyUndone (also enforced by a
    unique index). Locks: the cluster row (serializes merges and splits of one cluster).
    Side effects after commit: `contribution.split` on the consultation group.
    """
    consultation = merge_entry.consultation
    ensure_can_merge(user=by, consultation=consultation)
    fields: FieldErrors = {}
    check_text(fields, "reason", reason, limit=REASON_MAX_LENGTH, blank=False)
    raise_if_errors(fields)
    if merge_entry.kind != MergeKind.MERGE:
        raise errors.NotFound()
    Cluster.objects.select_for_update().get(pk=merge_entry.cluster_id)
    undone = MergeLogEntry.objects.filter(undoes=merge_entry).first()
    if undone is not None:
        raise errors.MergeAlreadyUndone(details={"split": undone.pk})
    later = (
        MergeLogEntry.objects.filter(
            cluster_id=merge_entry.cluster_id, kind=MergeKind.MERGE, undone_by__isnull=True
        )
        .filter(pk__gt=merge_entry.pk)
        .order_by("-pk")
        .first()
    )
    if later is not None:
        raise errors.MergeNotLatest(details={"later_merge": later.pk})
    now = timezone.now()
    try:
        with transaction.atomic():
            split = MergeLogEntry.objects.create(
                consultation=consultation,
                cluster_id=merge_entry.cluster_id,
                kind=MergeKind.SPLIT,
                by=by,
                at=now,
                reason=reason.strip(),
                undoes=merge_entry,
            )
    except IntegrityError as exc:
        raise errors.MergeAlreadyUndone() from exc
    members = list(
        ClusterMember.objects.select_for_update()
        .filter(added_by_merge=merge_entry, removed_at__isnull=True)
        .select_related("contribution")
    )
    ClusterMember.objects.filter(pk__in=[m.pk for m in members]).update(
        removed_at=now, removed_by_split=split
    )
    contributions = [m.contribution for m in members]
    split.contributions.set(contributions)
    _merge_event(event="contribution.split", entry=split, contributions=contributions)
    return split
