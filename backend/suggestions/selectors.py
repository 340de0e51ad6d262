"""Reads of the suggestions: similar contributions for a draft, suggestion runs."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser
from backend.core import errors
from backend.proposals.models import Contribution, ContributionStatus
from backend.suggestions.indexes import Hit, index_cache
from backend.suggestions.models import SuggestionRun
from backend.suggestions.policies import can_look_up_similar, can_run_suggestions
from backend.synthesis.models import ClusterMember

DEFAULT_SIMILAR_COUNT = 5
MAX_SIMILAR_COUNT = 20
# Below this score a neighbour is noise (unrelated texts score around 0 once the semantic view
# is centered): on the development file every true duplicate among the 10 nearest scores above
# it. Kept low on purpose: the box shows 5 contributions, ranked, with their confidence.
DEFAULT_MIN_SCORE = 0.05


def consultation_for_lookup(*, consultation_id: int, user: AnyUser) -> Consultation:
    """The consultation if `user` may see it (one query for a published one), else NotFound.

    Lighter than `consultations.selectors.consultation_get`: the lookup is on the typing path
    of every draft and needs neither phases nor territory.
    """
    consultation = Consultation.objects.only("id", "status").filter(pk=consultation_id).first()
    if consultation is None or not can_look_up_similar(user=user, obj=consultation):
        raise errors.NotFound()
    return consultation


def similar_contribution_list(
    *,
    consultation: Consultation,
    user: AnyUser,
    title: str,
    body: str = "",
    kind: str | None = None,
    exclude: Collection[int] = (),
    k: int = DEFAULT_SIMILAR_COUNT,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Hit]:
    """Published contributions of the consultation closest to a draft, best first.

    Served by the process's in-memory index (see `indexes`): one query to catch up on changes
    when nothing changed, whatever the number of contributions.
    """
    if not can_look_up_similar(user=user, obj=consultation):
        raise errors.NotFound()
    return index_cache().similar(
        consultation_id=consultation.pk,
        title=title,
        body=body,
        k=min(k, MAX_SIMILAR_COUNT),
        min_score=min_score,
        kind=kind,
        exclude=exclude,
    )


def suggestion_run_list(*, consultation: Consultation, user: AnyUser) -> QuerySet[SuggestionRun]:
    """The runs of a consultation, newest first (organizers and facilitators)."""
    if not can_run_suggestions(user=user, obj=consultation):
        raise errors.PermissionDenied()
    return SuggestionRun.objects.filter(consultation=consultation).defer("result")


def suggestion_run_get(*, run_id: int, user: AnyUser) -> SuggestionRun:
    """One run, if the caller may run suggestions on its consultation; NotFound otherwise."""
    run = SuggestionRun.objects.select_related("consultation").filter(pk=run_id).first()
    if run is None or not can_run_suggestions(user=user, obj=run.consultation):
        raise errors.NotFound()
    return run


@dataclass(frozen=True)
class Member:
    id: int
    title: str | None
    kind: str | None
    status: str


def cluster_members(run: SuggestionRun) -> dict[int, Member]:
    """The contributions named by a run's clusters as they are now, in one query.

    A member withdrawn, hidden or deleted since the run keeps its id, without its title.
    """
    ids = {doc_id for cluster in run.result or [] for doc_id in cluster.get("ids", [])}
    found: dict[int, Member] = {
        doc_id: Member(id=doc_id, title=None, kind=None, status="deleted") for doc_id in ids
    }
    for row in Contribution.objects.filter(pk__in=ids).values("id", "title", "kind", "status"):
        published = row["status"] == ContributionStatus.PUBLISHED
        found[row["id"]] = Member(
            id=row["id"],
            title=row["title"] if published else None,
            kind=row["kind"],
            status=row["status"],
        )
    return found


def merged_groups(run: SuggestionRun) -> set[frozenset[int]]:
    """Groups of the run's contributions already together in an active synthesis cluster."""
    ids = [doc_id for cluster in run.result or [] for doc_id in cluster.get("ids", [])]
    by_cluster: dict[int, list[int]] = {}
    for contribution_id, cluster_id in ClusterMember.objects.filter(
        contribution_id__in=ids, removed_at__isnull=True
    ).values_list("contribution_id", "cluster_id"):
        by_cluster.setdefault(cluster_id, []).append(contribution_id)
    return {frozenset(group) for group in by_cluster.values() if len(group) > 1}


def run_clusters(run: SuggestionRun) -> list[dict[str, Any]]:
    """The run's clusters with their members (id, title, kind, status) and, per cluster, the
    ids already merged together in the synthesis (two queries at most)."""
    members = cluster_members(run)
    merged = merged_groups(run)
    clusters = []
    for cluster in run.result or []:
        ids = list(cluster.get("ids", []))
        already = sorted(
            {doc_id for group in merged if len(group & set(ids)) > 1 for doc_id in group & set(ids)}
        )
        clusters.append(
            {
                "representative_id": cluster.get("representative_id"),
                "cohesion": cluster.get("cohesion"),
                "confidence": cluster.get("confidence"),
                "shared_terms": cluster.get("shared_terms", []),
                "shared_concepts": cluster.get("shared_concepts", []),
                "members": [members[doc_id] for doc_id in ids if doc_id in members],
                "already_merged_ids": already,
            }
        )
    return clusters
