"""Reads of the synthesis: clusters, merge log, candidate actions, scores and answers.

The plan publisher (backend/plans) reads through these functions only:
`candidate_action_list`, `action_scores_get` / `action_scores_list`,
`contribution_answer_get` / `contribution_answer_list`, `merge_log_list`, and
`contributions_without_answer`. Each docstring gives its query budget.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from backend.consultations.models import Consultation
from backend.consultations.policies import AnyUser, can_view_consultation
from backend.core import errors
from backend.proposals.models import Contribution, ContributionStatus, Endorsement
from backend.structures.models import StructureType
from backend.synthesis.domain import consensus as consensus_math
from backend.synthesis.domain import scores as score_math
from backend.synthesis.models import (
    ActionSource,
    CandidateAction,
    Cluster,
    ClusterMember,
    ContributionAnswer,
    Decision,
    MergeLogEntry,
)
from backend.votes.models import BallotLine, Vote, VoteMethod

# A person is an account or a participant card: "u:12", "c:3".
Person = str
SUPPORT_METHODS = (VoteMethod.SUPPORT, VoteMethod.APPROVAL)


def person_key(*, user_id: int | None, card_id: int | None) -> Person:
    return f"u:{user_id}" if user_id is not None else f"c:{card_id}"


# --- clusters -------------------------------------------------------------------------


def _active_members() -> QuerySet[ClusterMember]:
    return (
        ClusterMember.objects.filter(removed_at__isnull=True)
        .select_related("contribution")
        .order_by("id")
    )


def _clusters() -> QuerySet[Cluster]:
    return Cluster.objects.prefetch_related(
        Prefetch("members", queryset=_active_members(), to_attr="active_members")
    )


def cluster_list(*, consultation: Consultation) -> QuerySet[Cluster]:
    """Clusters that still have members, oldest first; `active_members` prefetched with
    their contributions (two queries)."""
    active = ClusterMember.objects.filter(cluster=OuterRef("pk"), removed_at__isnull=True)
    return _clusters().filter(consultation=consultation).filter(Exists(active)).order_by("id")


def cluster_get(*, cluster_id: int, user: AnyUser) -> Cluster:
    """One cluster (dissolved ones too: links to them stay readable); NotFound if the caller
    may not see its consultation."""
    cluster = _clusters().select_related("consultation").filter(pk=cluster_id).first()
    if cluster is None or not can_view_consultation(user=user, obj=cluster.consultation):
        raise errors.NotFound()
    return cluster


def annotate_merged_into(queryset: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """Add the active cluster a contribution is merged into, if any (at most one, by a partial
    unique index): `merged_into_id`, `merged_into_title`, as subqueries of the same query.
    Every contribution read carries them (SynthesisConfig.ready registers this)."""
    cluster = ClusterMember.objects.filter(contribution=OuterRef("pk"), removed_at__isnull=True)
    return queryset.annotate(
        merged_into_id=Subquery(cluster.values("cluster_id")[:1]),
        merged_into_title=Subquery(cluster.values("cluster__title")[:1]),
    )


def merged_into_map(*, contribution_ids: Iterable[int]) -> dict[int, Cluster]:
    """The active cluster of each given contribution that has one (one query)."""
    rows = ClusterMember.objects.filter(
        contribution_id__in=list(contribution_ids), removed_at__isnull=True
    ).select_related("cluster")
    return {row.contribution_id: row.cluster for row in rows}


# --- supports -------------------------------------------------------------------------


@dataclass
class SupportData:
    """Who supports which contribution (endorsements and support/approval ballots)."""

    supporters: dict[int, set[Person]] = field(default_factory=dict)
    structures_of: dict[Person, set[int]] = field(default_factory=dict)
    structure_type_of: dict[int, str] = field(default_factory=dict)
    territory_of: dict[Person, str] = field(default_factory=dict)

    def add(
        self,
        *,
        contribution_id: int,
        person: Person,
        structure_id: int | None,
        structure_type: str | None,
        territory: str | None,
    ) -> None:
        self.supporters.setdefault(contribution_id, set()).add(person)
        if structure_id is not None:
            self.structures_of.setdefault(person, set()).add(structure_id)
            if structure_type:
                self.structure_type_of[structure_id] = structure_type
        if territory:
            self.territory_of[person] = territory


def support_data(*, contribution_ids: Iterable[int]) -> SupportData:
    """Supporters of the given contributions, with the structures they spoke for and their
    own territory (two queries: endorsements, support/approval ballot lines). Only structures
    verified by staff count as structures (distinct structures, structure types); support
    given for an unverified one counts as its person's only."""
    ids = list(set(contribution_ids))
    data = SupportData()
    if not ids:
        return data
    endorsements = Endorsement.objects.filter(contribution_id__in=ids).values_list(
        "contribution_id",
        "user_id",
        "card_id",
        "structure_id",
        "structure__type",
        "structure__verified_at",
        "user__territory__name",
        "card__territory__name",
    )
    for (
        contribution_id,
        user_id,
        card_id,
        structure_id,
        kind,
        verified,
        user_t,
        card_t,
    ) in endorsements:
        data.add(
            contribution_id=contribution_id,
            person=person_key(user_id=user_id, card_id=card_id),
            structure_id=structure_id if verified is not None else None,
            structure_type=kind,
            territory=user_t or card_t,
        )
    lines = BallotLine.objects.filter(
        item_id__in=ids, vote__method__in=SUPPORT_METHODS, value__gt=0
    ).values_list(
        "item_id",
        "voter_user_id",
        "voter_card_id",
        "structure_id",
        "structure__type",
        "structure__verified_at",
        "voter_user__territory__name",
        "voter_card__territory__name",
    )
    for item_id, user_id, card_id, structure_id, kind, verified, user_t, card_t in lines:
        data.add(
            contribution_id=item_id,
            person=person_key(user_id=user_id, card_id=card_id),
            structure_id=structure_id if verified is not None else None,
            structure_type=kind,
            territory=user_t or card_t,
        )
    return data


@dataclass(frozen=True)
class ClusterSupportView:
    cluster_id: int
    distinct_supporters: int
    summed_supports: int


def cluster_supports(*, clusters: Sequence[Cluster]) -> dict[int, ClusterSupportView]:
    """Distinct (union) and summed supporters of each cluster's active members (two queries;
    the clusters must come from `cluster_list` or `cluster_get`)."""
    members = {
        cluster.pk: [m.contribution_id for m in getattr(cluster, "active_members", [])]
        for cluster in clusters
    }
    data = support_data(contribution_ids=[cid for ids in members.values() for cid in ids])
    result = score_math.cluster_support(members, data.supporters)
    return {
        pk: ClusterSupportView(
            cluster_id=pk, distinct_supporters=support.distinct, summed_supports=support.summed
        )
        for pk, support in result.items()
    }


# --- merge log ------------------------------------------------------------------------


def merge_log_list(*, consultation: Consultation) -> QuerySet[MergeLogEntry]:
    """The public merge log, newest first; `by`, `cluster`, `contributions` (id, title) and
    the undoing split (`undone_by`) prefetched (four queries)."""
    return (
        MergeLogEntry.objects.filter(consultation=consultation)
        .select_related("by", "cluster")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.only("id", "title")),
            Prefetch("undone_by", queryset=MergeLogEntry.objects.only("id", "undoes_id", "at")),
        )
        .order_by("-at", "-id")
    )


def merge_entry_get(*, merge_id: int) -> MergeLogEntry:
    entry = (
        MergeLogEntry.objects.select_related("consultation", "cluster").filter(pk=merge_id).first()
    )
    if entry is None:
        raise errors.NotFound()
    return entry


# --- candidate actions ----------------------------------------------------------------


def _sources() -> QuerySet[ActionSource]:
    members = ClusterMember.objects.filter(removed_at__isnull=True).order_by("id")
    return (
        ActionSource.objects.select_related("contribution", "cluster")
        .prefetch_related(Prefetch("cluster__members", queryset=members, to_attr="active_members"))
        .order_by("id")
    )


def _actions() -> QuerySet[CandidateAction]:
    return CandidateAction.objects.select_related("consultation").prefetch_related(
        Prefetch("sources", queryset=_sources()),
        "territories",
    )


def candidate_action_list(*, consultation: Consultation) -> QuerySet[CandidateAction]:
    """The consultation's candidate actions, oldest first, with `sources` (each with its
    `contribution` or its `cluster` and the cluster's `active_members`) and `territories`
    prefetched (four queries whatever the number of actions)."""
    return _actions().filter(consultation=consultation).order_by("id")


def candidate_action_get(*, action_id: int, user: AnyUser) -> CandidateAction:
    """One candidate action; NotFound if the caller may not see its consultation."""
    action = _actions().filter(pk=action_id).first()
    if action is None or not can_view_consultation(user=user, obj=action.consultation):
        raise errors.NotFound()
    return action


def source_contribution_ids(action: CandidateAction) -> set[int]:
    """Contributions an action draws on: direct sources and active members of its cluster
    sources (no query when the action comes from `candidate_action_list`)."""
    ids: set[int] = set()
    for source in action.sources.all():
        if source.contribution_id is not None:
            ids.add(source.contribution_id)
        elif source.cluster is not None:
            members = getattr(source.cluster, "active_members", None)
            if members is None:
                members = list(source.cluster.members.filter(removed_at__isnull=True))
            ids.update(member.contribution_id for member in members)
    return ids


# --- scores ---------------------------------------------------------------------------

# Reactions for opinion groups: an endorsement or a support counts as agree.
_AGREE = int(consensus_math.AGREE)


def _agree_ballots(consultation: Consultation) -> dict[Person, dict[int, int]]:
    """Each participant's reactions to the consultation's contributions: agree/disagree/pass
    ballots, endorsements and supports as agree (three queries)."""
    ballots: dict[Person, dict[int, int]] = {}
    agree_lines = BallotLine.objects.filter(
        vote__consultation=consultation, vote__method=VoteMethod.AGREE
    ).values_list("voter_user_id", "voter_card_id", "item_id", "value")
    for user_id, card_id, item_id, value in agree_lines:
        ballots.setdefault(person_key(user_id=user_id, card_id=card_id), {})[item_id] = value
    support_lines = BallotLine.objects.filter(
        vote__consultation=consultation, vote__method__in=SUPPORT_METHODS, value__gt=0
    ).values_list("voter_user_id", "voter_card_id", "item_id")
    endorsements = Endorsement.objects.filter(contribution__consultation=consultation).values_list(
        "user_id", "card_id", "contribution_id"
    )
    for user_id, card_id, item_id in [*support_lines, *endorsements]:
        ballots.setdefault(person_key(user_id=user_id, card_id=card_id), {})[item_id] = _AGREE
    return ballots


def _action_reaction(reactions: Mapping[int, int], sources: set[int]) -> int | None:
    """A person's reaction to an action from their reactions to its sources: agree if they
    agreed with any source, else disagree if they disagreed with any, else pass if seen."""
    seen = [reactions[item] for item in sources if item in reactions]
    if not seen:
        return None
    if any(value > 0 for value in seen):
        return 1
    if any(value < 0 for value in seen):
        return -1
    return 0


def _consensus(
    consultation: Consultation, sources_of: Mapping[int, set[int]]
) -> tuple[dict[int, Any], dict[str, object]]:
    """Consensus per action (opinion groups over contributions, then each action's support
    across the groups) and the explanation of the grouping."""
    ballots = _agree_ballots(consultation)
    items = sorted({item for reactions in ballots.values() for item in reactions})
    matrix = consensus_math.reaction_matrix(ballots=ballots, items=items)
    groups = consensus_math.opinion_groups(matrix)
    action_ballots: dict[Person, dict[int, int]] = {}
    for person, reactions in ballots.items():
        for action_id, sources in sources_of.items():
            value = _action_reaction(reactions, sources)
            if value is not None:
                action_ballots.setdefault(person, {})[action_id] = value
    action_matrix = consensus_math.reaction_matrix(ballots=action_ballots, items=list(sources_of))
    result = consensus_math.consensus_scores(action_matrix, groups=groups.groups)
    entries = {entry.item: entry for entry in result.entries}
    explanation: dict[str, object] = {
        "method": "pca2_kmeans_silhouette",
        "participants": len(groups.participants),
        "excluded": len(groups.excluded),
        "group_sizes": [len(members) for members in groups.groups],
        "chosen_k": groups.chosen_k,
        "explained_variance_ratio": list(groups.explained_variance_ratio),
        "statements": len(items),
        "reactions": "agree/disagree/pass ballots; endorsements and supports count as agree",
    }
    return entries, explanation


def _votes_of(contribution_ids: set[int]) -> list[dict[str, Any]]:
    """Votes that put at least one of these contributions to the vote (one query)."""
    rows = (
        Vote.items.through.objects.filter(contribution_id__in=contribution_ids)
        .order_by("vote_id", "contribution_id")
        .values_list("vote_id", "vote__title", "vote__method", "vote__closed_at", "contribution_id")
    )
    votes: dict[int, dict[str, Any]] = {}
    for vote_id, title, method, closed_at, item_id in rows:
        vote = votes.setdefault(
            vote_id,
            {
                "vote": vote_id,
                "title": title,
                "method": method,
                "is_final": closed_at is not None,
                "items": [],
            },
        )
        vote["items"].append(item_id)
    return list(votes.values())


def action_scores_list(
    *, consultation: Consultation, actions: Sequence[CandidateAction]
) -> dict[int, dict[str, Any]]:
    """The score card of each action (see `action_scores_get`), for all of them at once.

    `actions` must come from `candidate_action_list` (sources prefetched). Queries: two for
    supports, three for the opinion groups, one for the sources' territories, one for the
    votes the sources were put to, whatever the number of actions.
    """
    sources_of = {action.pk: source_contribution_ids(action) for action in actions}
    all_ids = {cid for ids in sources_of.values() for cid in ids}
    data = support_data(contribution_ids=all_ids)
    territory_paths = dict(
        Contribution.objects.filter(pk__in=all_ids).values_list("pk", "territory__path")
    )
    consensus_entries, groups_explanation = (
        _consensus(consultation, sources_of) if sources_of else ({}, {})
    )
    votes = _votes_of(all_ids)
    cards: dict[int, dict[str, Any]] = {}
    for action in actions:
        sources = sources_of[action.pk]
        item_supporters = {cid: data.supporters.get(cid, set()) for cid in sources}
        paths = [t.path for t in action.territories.all()]
        paths += [territory_paths[cid] for cid in sources if cid in territory_paths]
        entry = consensus_entries.get(action.pk)
        card = score_math.action_scores(
            item_supporters=item_supporters,
            structures_of=data.structures_of,
            structure_type_of=data.structure_type_of,
            territory_paths=paths,
            consensus=entry.consensus if entry is not None else None,
            consensus_parameters={**groups_explanation, **(entry.as_dict() if entry else {})},
        )
        people = score_math.distinct_supporters(item_supporters)
        by_type = score_math.segment_support(
            dimension="structure_type",
            supporters=people,
            segments_of={
                person: {data.structure_type_of[s] for s in data.structures_of.get(person, ())}
                for person in people
            },
            universe=list(StructureType.values),
        )
        by_territory = score_math.segment_support(
            dimension="territory",
            supporters=people,
            segments_of={p: data.territory_of[p] for p in people if p in data.territory_of},
        )
        coverage = score_math.territory_coverage(paths)
        cards[action.pk] = {
            "action": action.pk,
            **card.as_dict(),
            "summed_supports": sum(len(s) for s in item_supporters.values()),
            "sources": len(sources),
            "territory_coverage": coverage.as_dict(),
            "support_by_structure_type": by_type.as_dict(),
            "support_by_territory": by_territory.as_dict(),
            "support_sentence": score_math.support_sentence_fr(
                by_structure_type=by_type, by_territory=None
            ),
            "votes": [
                {**vote, "items": sorted(set(vote["items"]) & sources)}
                for vote in votes
                if set(vote["items"]) & sources
            ],
        }
    return cards


def action_scores_get(*, action: CandidateAction) -> dict[str, Any]:
    """The score card of one action: distinct supporters (union over sources, through
    clusters), distinct structures and types, territories covered (rolled up), consensus
    across opinion groups, support by structure type and by territory, each with its
    "how computed" (`explanations`, `method`), and the votes its sources were put to
    (`votes`: read their results at /api/v1/votes/{vote}/results/). JSON-ready dict.
    Bounded queries (seven), independent of the number of sources or supporters."""
    return action_scores_list(consultation=action.consultation, actions=[action])[action.pk]


# --- traceable answers ----------------------------------------------------------------


@dataclass(frozen=True)
class FedAction:
    """An action a contribution fed, directly or through its cluster."""

    action_id: int
    title: str
    decision: str
    public_answer: str
    decided_at: datetime | None
    relation: str
    justification: str
    through_cluster_id: int | None


@dataclass(frozen=True)
class TraceableAnswer:
    """What became of a contribution: the actions it fed and/or the organizer's own answer.

    `is_answered`: an own answer exists, or a fed action has been decided (not pending).
    """

    contribution_id: int
    merged_into_cluster_id: int | None
    merged_into_title: str | None
    actions: tuple[FedAction, ...]
    own_answer: str | None
    own_answer_at: datetime | None

    @property
    def is_answered(self) -> bool:
        return self.own_answer is not None or any(
            action.decision != Decision.PENDING for action in self.actions
        )


def contribution_answer_list(*, contribution_ids: Iterable[int]) -> dict[int, TraceableAnswer]:
    """The traceable answer of each given contribution (four queries whatever their number)."""
    ids = list(set(contribution_ids))
    clusters = merged_into_map(contribution_ids=ids)
    cluster_ids = {cluster.pk for cluster in clusters.values()}
    sources = (
        ActionSource.objects.filter(Q(contribution_id__in=ids) | Q(cluster_id__in=cluster_ids))
        .select_related("action")
        .order_by("action_id", "id")
    )
    by_contribution: dict[int, list[FedAction]] = {cid: [] for cid in ids}
    by_cluster: dict[int, list[FedAction]] = {}
    for source in sources:
        fed = FedAction(
            action_id=source.action_id,
            title=source.action.title,
            decision=source.action.decision,
            public_answer=source.action.public_answer,
            decided_at=source.action.decided_at,
            relation=source.relation,
            justification=source.justification,
            through_cluster_id=source.cluster_id,
        )
        if source.contribution_id is not None:
            by_contribution.setdefault(source.contribution_id, []).append(fed)
        elif source.cluster_id is not None:
            by_cluster.setdefault(source.cluster_id, []).append(fed)
    own = {
        answer.contribution_id: answer
        for answer in ContributionAnswer.objects.filter(contribution_id__in=ids)
    }
    result: dict[int, TraceableAnswer] = {}
    for cid in ids:
        cluster = clusters.get(cid)
        actions = list(by_contribution.get(cid, []))
        direct = {action.action_id for action in actions}
        if cluster is not None:
            actions += [a for a in by_cluster.get(cluster.pk, []) if a.action_id not in direct]
        answer = own.get(cid)
        result[cid] = TraceableAnswer(
            contribution_id=cid,
            merged_into_cluster_id=cluster.pk if cluster else None,
            merged_into_title=cluster.title if cluster else None,
            actions=tuple(sorted(actions, key=lambda a: a.action_id)),
            own_answer=answer.text if answer else None,
            own_answer_at=answer.updated_at if answer else None,
        )
    return result


def contribution_answer_get(*, contribution: Contribution) -> TraceableAnswer:
    """The traceable answer of one contribution (four queries)."""
    return contribution_answer_list(contribution_ids=[contribution.pk])[contribution.pk]


def contributions_without_answer(*, consultation: Consultation) -> QuerySet[Contribution]:
    """Published contributions with no answer yet: no own answer, and no decided action fed
    directly or through the cluster they are an active member of. Hidden, withdrawn and draft
    contributions are left out. One query (plus the page's own)."""
    decided = ~Q(action__decision=Decision.PENDING)
    direct = ActionSource.objects.filter(decided, contribution_id=OuterRef("pk"))
    through_cluster = ActionSource.objects.filter(
        decided,
        cluster__members__contribution_id=OuterRef("pk"),
        cluster__members__removed_at__isnull=True,
    )
    own = ContributionAnswer.objects.filter(contribution_id=OuterRef("pk"))
    return (
        Contribution.objects.filter(consultation=consultation, status=ContributionStatus.PUBLISHED)
        .exclude(Exists(direct))
        .exclude(Exists(through_cluster))
        .exclude(Exists(own))
        .order_by("id")
    )
