"""Reads on regional actions: lists, one action, its sources and log, its figures, the
people it concerns, and the territorial actions that say the same thing across rounds."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from backend.core import errors
from backend.programmes.models import (
    FollowUpEntry,
    Programme,
    ProgrammeRound,
    RegionalAction,
    RegionalActionSource,
)
from backend.programmes.policies import AnyUser, can_view_programme
from backend.programmes.selectors.data import (
    programme_data,
    regional_actions_base,
    regional_actions_query,
)
from backend.proposals.models import Contribution, Endorsement
from backend.synthesis.domain import Doc, suggest_clusters
from backend.synthesis.models import ActionSource, CandidateAction, ClusterMember
from backend.votes.models import BallotLine

SUGGESTION_THRESHOLD = 0.35


def _with_sources(actions: Any) -> Any:
    sources = (
        RegionalActionSource.objects.filter(removed_at__isnull=True)
        .select_related("candidate_action__consultation__territory", "contribution")
        .order_by("id")
    )
    return actions.prefetch_related(Prefetch("sources", queryset=sources, to_attr="active"))


def regional_action_list(*, programme: Programme) -> QuerySet[RegionalAction]:
    """The programme's regional actions, oldest first, with active sources, funding lines,
    lead and partners, milestones and indicators prefetched (nine queries in all)."""
    return _with_sources(regional_actions_query(programme))  # type: ignore[no-any-return,unused-ignore]


def regional_action_get(*, action_id: int, user: AnyUser) -> RegionalAction:
    """One regional action (as in the list); NotFound if its programme is not visible."""
    action = (
        _with_sources(regional_actions_base()).select_related("programme").filter(pk=action_id)
    ).first()
    if action is None or not can_view_programme(user=user, obj=action.programme):
        raise errors.NotFound()
    return action  # type: ignore[no-any-return,unused-ignore]


def regional_source_log(*, action: RegionalAction) -> QuerySet[RegionalActionSource]:
    """Every link ever made, active or undone, newest first (the public consolidation log)."""
    return (
        RegionalActionSource.objects.filter(action=action)
        .select_related("candidate_action", "contribution", "added_by", "removed_by")
        .order_by("-added_at", "-id")
    )


def regional_source_get(*, source_id: int, user: AnyUser) -> RegionalActionSource:
    source = (
        RegionalActionSource.objects.select_related("action__programme", "candidate_action")
        .filter(pk=source_id)
        .first()
    )
    if source is None or not can_view_programme(user=user, obj=source.action.programme):
        raise errors.NotFound()
    return source


def regional_action_rounds(*, action_id: int) -> list[int]:
    """Consultation ids the action's active sources come from (two queries)."""
    via_actions = RegionalActionSource.objects.filter(
        action_id=action_id, removed_at__isnull=True, candidate_action__isnull=False
    ).values_list("candidate_action__consultation_id", flat=True)
    via_contributions = RegionalActionSource.objects.filter(
        action_id=action_id, removed_at__isnull=True, contribution__isnull=False
    ).values_list("contribution__consultation_id", flat=True)
    return sorted({*via_actions, *via_contributions})


def regional_action_figures(*, programme: Programme) -> dict[int, dict[str, Any]]:
    """The rolled-up figures of every action of the programme (see domain/rollup.py)."""
    data = programme_data(programme=programme, with_follow_up=False)
    rollups = data.rollups()
    order = data.priority(rollups)
    return {pk: {**rollups[pk].as_dict(), "rank": order.index(pk) + 1} for pk in rollups}


def regional_action_audience(*, action_ids: Iterable[int]) -> dict[int, dict[str, list[int]]]:
    """For the loop back to contributors: per regional action, the accounts whose
    contributions it reaches (`authors`) and those who supported them (`supporters`).
    Participant cards have no account and are left out. Five queries."""
    ids = list(action_ids)
    links = list(
        RegionalActionSource.objects.filter(action_id__in=ids, removed_at__isnull=True).values_list(
            "action_id", "candidate_action_id", "contribution_id"
        )
    )
    territorial = {t for _, t, _ in links if t is not None}
    sources: dict[int, set[int]] = {}
    for action_id, contribution_id in ActionSource.objects.filter(
        action_id__in=territorial, contribution_id__isnull=False
    ).values_list("action_id", "contribution_id"):
        sources.setdefault(action_id, set()).add(contribution_id)
    for action_id, contribution_id in ClusterMember.objects.filter(
        removed_at__isnull=True, cluster__action_sources__action_id__in=territorial
    ).values_list("cluster__action_sources__action_id", "contribution_id"):
        sources.setdefault(action_id, set()).add(contribution_id)
    reached: dict[int, set[int]] = {pk: set() for pk in ids}
    for action_id, territorial_id, contribution_id in links:
        if contribution_id is not None:
            reached[action_id].add(contribution_id)
        else:
            reached[action_id].update(sources.get(territorial_id, ()))
    every = {cid for cids in reached.values() for cid in cids}
    authors = dict(
        Contribution.objects.filter(pk__in=every, author__isnull=False).values_list(
            "pk", "author_id"
        )
    )
    supporters: dict[int, set[int]] = {}
    for cid, user_id in [
        *Endorsement.objects.filter(contribution_id__in=every, user__isnull=False).values_list(
            "contribution_id", "user_id"
        ),
        *BallotLine.objects.filter(
            item_id__in=every, voter_user__isnull=False, value__gt=0
        ).values_list("item_id", "voter_user_id"),
    ]:
        supporters.setdefault(cid, set()).add(user_id)
    return {
        pk: {
            "authors": sorted({authors[c] for c in cids if c in authors}),
            "supporters": sorted({u for c in cids for u in supporters.get(c, ())}),
        }
        for pk, cids in reached.items()
    }


def follow_up_timeline(*, action: RegionalAction) -> QuerySet[FollowUpEntry]:
    """The action's public follow-up, newest first (one query plus the page's)."""
    return FollowUpEntry.objects.filter(action=action).select_related("by").order_by("-at", "-id")


def territorial_action_suggestions(
    *, programme: Programme, threshold: float = SUGGESTION_THRESHOLD
) -> list[dict[str, Any]]:
    """Groups of territorial candidate actions, from at least two different rounds, that the
    similarity engine (backend/synthesis/domain, behind its SimilarityBackend) reads as the
    same action; each group says which regional actions already hold some of its members.
    Groups whose members all sit in one regional action already are left out."""
    round_ids = list(
        ProgrammeRound.objects.filter(programme=programme).values_list("consultation_id", flat=True)
    )
    rows = {
        row["id"]: row
        for row in CandidateAction.objects.filter(consultation_id__in=round_ids).values(
            "id", "consultation_id", "title", "description", "decision"
        )
    }
    held: dict[int, set[int]] = {}
    for regional_id, territorial_id in RegionalActionSource.objects.filter(
        action__programme=programme, removed_at__isnull=True, candidate_action__isnull=False
    ).values_list("action_id", "candidate_action_id"):
        held.setdefault(territorial_id, set()).add(regional_id)
    docs = [Doc(id=pk, title=row["title"], body=row["description"]) for pk, row in rows.items()]
    groups = []
    for cluster in suggest_clusters(docs, threshold=threshold) if len(docs) > 1 else []:
        members = [rows[i] for i in cluster.ids]
        if len({m["consultation_id"] for m in members}) < 2:
            continue
        regional = sorted({r for m in members for r in held.get(m["id"], ())})
        if all(held.get(m["id"]) for m in members) and len(regional) == 1:
            continue
        groups.append(
            {
                "territorial_actions": [
                    {
                        "id": m["id"],
                        "consultation": m["consultation_id"],
                        "title": m["title"],
                        "decision": m["decision"],
                        "regional_actions": sorted(held.get(m["id"], ())),
                    }
                    for m in members
                ],
                "cohesion": round(float(cluster.cohesion), 4),
                "rounds": sorted({m["consultation_id"] for m in members}),
                "regional_actions": regional,
            }
        )
    return groups
