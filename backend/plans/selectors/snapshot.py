"""Reads the synthesis state of a consultation into the plan snapshot (a selector).

The snapshot is plain JSON (frontend-contract/plan.schema.json): once stored in a
PlanVersion it never changes, whatever happens to the actions or contributions later.
A fixed number of queries whatever the size, plus one per majority-judgment vote still open.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Consultation, Phase
from backend.plans.domain.merit_bar import GRADE_LABELS_FR
from backend.plans.domain.snapshot import SCHEMA_VERSION
from backend.proposals.models import Contribution, ContributionStatus
from backend.synthesis.models import ActionSource, CandidateAction, Decision
from backend.synthesis.selectors import (
    action_scores_list,
    candidate_action_list,
    contribution_answer_list,
    contributions_without_answer,
)
from backend.territories.models import Territory
from backend.votes.models import Vote, VoteMethod
from backend.votes.selectors import vote_results

SCHEMA_ID = "https://numerique-pour-tous.example/frontend-contract/plan.schema.json"


@dataclass(frozen=True)
class PlanState:
    """What the snapshot is built from, and what still blocks a complete publication."""

    actions: list[dict[str, Any]]
    contributions: list[dict[str, Any]]
    missing_answers: list[int]
    pending_actions: list[int]

    @property
    def is_complete(self) -> bool:
        return not self.missing_answers and not self.pending_actions


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _territory(territory: Territory) -> dict[str, Any]:
    return {
        "id": territory.pk,
        "name": territory.name,
        "kind": territory.kind,
        "insee_code": territory.insee_code or None,
    }


def _consultation(consultation: Consultation) -> dict[str, Any]:
    phases: Iterable[Phase] = consultation.phases.all()
    return {
        "id": consultation.pk,
        "slug": consultation.slug,
        "title": consultation.title,
        "description": consultation.description,
        "summary_easy_read": consultation.summary_easy_read,
        "territory": _territory(consultation.territory),
        "themes": list(consultation.themes),
        "phases": [
            {
                "kind": phase.kind,
                "title": phase.title,
                "starts_at": _iso(phase.starts_at),
                "ends_at": _iso(phase.ends_at),
            }
            for phase in sorted(phases, key=lambda phase: phase.position)
        ],
    }


# The plan speaks French: labels frozen in French, whatever the publisher's language.
DECISION_LABELS = {
    Decision.PENDING: _("Pending"),
    Decision.RETAINED: _("Retained"),
    Decision.RETAINED_WITH_CHANGES: _("Retained with changes"),
    Decision.NEEDS_STUDY: _("Needs further study"),
    Decision.NOT_RETAINED: _("Not retained"),
}


def _decision_label(decision: str) -> str:
    with translation.override("fr"):
        return str(DECISION_LABELS.get(Decision(decision), decision))


def _merit_entries(consultation: Consultation) -> dict[int, list[dict[str, Any]]]:
    """Majority-judgment result entries by item: the frozen result of a closed vote, the
    live count of an open one (one query each)."""
    votes = (
        Vote.objects.filter(consultation=consultation, method=VoteMethod.MAJORITY_JUDGMENT)
        .select_related("consultation__territory")
        .defer("ballots_csv")
        .prefetch_related(Prefetch("items", queryset=Contribution.objects.only("id")))
        .order_by("created_at", "id")
    )
    by_item: dict[int, list[dict[str, Any]]] = {}
    for vote in votes:
        result = vote_results(vote=vote)
        for entry in result.get("entries", []):
            grade = entry.get("majority_grade")
            by_item.setdefault(entry["item"], []).append(
                {
                    "vote": vote.pk,
                    "vote_title": vote.title,
                    "is_final": bool(result["is_final"]),
                    "voter_count": result["voter_count"],
                    "contribution": entry["item"],
                    "rank": entry["rank"],
                    "majority_grade": grade,
                    "majority_grade_label": GRADE_LABELS_FR[grade] if grade is not None else None,
                    "profile": list(entry["profile"]),
                }
            )
    return by_item


def _json_ready(value: Any) -> Any:
    """Plain JSON types only (score parameters may carry numpy scalars or tuples)."""
    if isinstance(value, dict):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_json_ready(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalar
        return _json_ready(value.item())
    return str(value)


def _sources(
    action: CandidateAction, contributions: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The contributions an action draws on, by id: direct links and the active members of
    its cluster links. The relation and justification come from the direct link when there
    is one; `via_cluster` names the cluster link that also reaches it, if any."""
    direct: dict[int, ActionSource] = {}
    through: dict[int, ActionSource] = {}
    for link in action.sources.all():
        if link.contribution_id is not None:
            direct.setdefault(link.contribution_id, link)
        elif link.cluster is not None:
            for member in getattr(link.cluster, "active_members", []):
                through.setdefault(member.contribution_id, link)
    sources = []
    for contribution_id in sorted(set(direct) | set(through)):
        link = direct.get(contribution_id) or through[contribution_id]
        cluster_link = through.get(contribution_id)
        row = contributions.get(contribution_id)
        is_public = row is not None and row["status"] == ContributionStatus.PUBLISHED
        sources.append(
            {
                "contribution": contribution_id,
                "kind": row["kind"] if row else None,
                "title": row["title"] if is_public and row else None,
                "status": row["status"] if row else None,
                "relation": link.relation,
                "via_cluster": cluster_link.cluster_id if cluster_link else None,
                "justification": link.justification,
            }
        )
    return sources


def _support(card: dict[str, Any]) -> dict[str, Any]:
    return _json_ready(
        {
            "sentence": card.get("support_sentence") or "",
            "summed_supports": card.get("summed_supports", 0),
            "by_structure_type": card.get("support_by_structure_type", {}),
            "by_territory": card.get("support_by_territory", {}),
            "territory_coverage": card.get("territory_coverage", {}),
        }
    )


def plan_state(*, consultation: Consultation) -> PlanState:
    """The current actions with their sources, decisions, scores and merit profiles, and
    every published contribution with its traceable answer (read through the synthesis
    selectors; a bounded number of queries)."""
    contributions: dict[int, dict[str, Any]] = {
        row["id"]: dict(row)
        for row in Contribution.objects.filter(consultation=consultation)
        .exclude(status=ContributionStatus.DRAFT)
        .order_by("id")
        .values("id", "kind", "title", "status", "theme")
    }
    actions = list(candidate_action_list(consultation=consultation))
    cards = action_scores_list(consultation=consultation, actions=actions) if actions else {}
    merit = _merit_entries(consultation)
    action_rows: list[dict[str, Any]] = []
    for action in actions:
        sources = _sources(action, contributions)
        card = cards.get(action.pk, {})
        action_rows.append(
            {
                "id": action.pk,
                "title": action.title,
                "description": action.description,
                "summary_easy_read": action.easy_read_summary,
                "themes": list(action.themes),
                "territories": [
                    _territory(t) for t in sorted(action.territories.all(), key=lambda t: t.path)
                ],
                "decision": {
                    "status": action.decision,
                    "label": _decision_label(action.decision),
                    "public_answer": action.public_answer,
                    "decided_at": _iso(action.decided_at),
                },
                "sources": sources,
                "scores": _json_ready(card.get("explanations", [])),
                "support": _support(card),
                "majority_judgment": [
                    entry for source in sources for entry in merit.get(source["contribution"], [])
                ],
            }
        )

    published = [
        key for key, row in contributions.items() if row["status"] == ContributionStatus.PUBLISHED
    ]
    answers = contribution_answer_list(contribution_ids=published)
    contribution_rows = []
    for key in published:
        row = contributions[key]
        answer = answers[key]
        contribution_rows.append(
            {
                "id": key,
                "kind": row["kind"],
                "title": row["title"],
                "theme": row["theme"] or None,
                "merged_into_cluster": answer.merged_into_cluster_id,
                "actions": [
                    {
                        "id": fed.action_id,
                        "title": fed.title,
                        "decision": fed.decision,
                        "relation": fed.relation,
                        "via_cluster": fed.through_cluster_id,
                    }
                    for fed in answer.actions
                ],
                "organizer_answer": answer.own_answer,
                "is_answered": answer.is_answered,
            }
        )
    missing = list(
        contributions_without_answer(consultation=consultation).values_list("id", flat=True)
    )
    return PlanState(
        actions=action_rows,
        contributions=contribution_rows,
        missing_answers=missing,
        pending_actions=[a.pk for a in actions if a.decision == Decision.PENDING],
    )


def plan_contribution_count(*, consultation: Consultation) -> int:
    """The contributions a publication reads (drafts aside): what preparing it costs."""
    return (
        Contribution.objects.filter(consultation=consultation)
        .exclude(status=ContributionStatus.DRAFT)
        .count()
    )


def plan_blockers(*, consultation: Consultation) -> tuple[list[int], list[int]]:
    """What `plan_state` reports as blocking a complete publication, without building the
    state (two queries): the published contributions without an answer, the actions
    without a decision."""
    missing = list(
        contributions_without_answer(consultation=consultation).values_list("id", flat=True)
    )
    pending = list(
        CandidateAction.objects.filter(consultation=consultation, decision=Decision.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return missing, pending


def plan_snapshot(
    *,
    consultation: Consultation,
    state: PlanState,
    number: int,
    published_at: datetime,
    note: str,
) -> dict[str, Any]:
    """The document frozen in a PlanVersion."""
    totals = {
        "actions": len(state.actions),
        "retained_actions": sum(
            1
            for action in state.actions
            if action["decision"]["status"] in (Decision.RETAINED, Decision.RETAINED_WITH_CHANGES)
        ),
        "contributions": len(state.contributions),
        "answered_contributions": sum(1 for row in state.contributions if row["is_answered"]),
    }
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "consultation": _consultation(consultation),
        "version": {"number": number, "published_at": _iso(published_at), "note": note},
        "actions": state.actions,
        "contributions": state.contributions,
        "missing_answers": state.missing_answers,
        "pending_actions": state.pending_actions,
        "totals": totals,
    }
