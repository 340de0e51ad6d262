"""Everything the roll-ups, coverage, budget and the plan are computed from, read at once.

`programme_data` reads a programme's rounds, regional actions and their sources, the
territorial actions and the contributions they reach, supports, funding and follow-up in a
fixed number of queries (about twenty), whatever the number of rounds, actions or
contributions: the plan's publication and its benchmark depend on it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from backend.programmes.domain import budget
from backend.programmes.domain import rollup as rollup_math
from backend.programmes.models import (
    Funder,
    FundingLine,
    Indicator,
    IndicatorMeasure,
    Milestone,
    Partner,
    Programme,
    ProgrammeRound,
    RegionalAction,
    RegionalActionSource,
)
from backend.proposals.models import Contribution, ContributionStatus, Endorsement
from backend.synthesis.models import ActionSource, CandidateAction, ClusterMember
from backend.territories.models import Territory, TerritoryKind
from backend.votes.models import BallotLine, VoteMethod

SUPPORT_METHODS = (VoteMethod.SUPPORT, VoteMethod.APPROVAL)


def person_key(user_id: int | None, card_id: int | None) -> str | None:
    if user_id is not None:
        return f"u:{user_id}"
    return f"c:{card_id}" if card_id is not None else None


@dataclass(frozen=True)
class RoundInfo:
    consultation: int
    title: str
    status: str
    is_pilot: bool
    territory: Territory
    departement: Territory | None


@dataclass
class ProgrammeData:
    programme: Programme
    rounds: list[RoundInfo]
    actions: list[RegionalAction]
    # Active links: regional action -> territorial action ids / direct contribution ids.
    linked_actions: dict[int, list[int]] = field(default_factory=dict)
    linked_contributions: dict[int, list[int]] = field(default_factory=dict)
    active_sources: list[RegionalActionSource] = field(default_factory=list)
    territorial: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> row
    sources_of_action: dict[int, set[int]] = field(default_factory=dict)
    facts: dict[int, rollup_math.ContributionFact] = field(default_factory=dict)
    contribution_rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    supports: dict[int, list[rollup_math.SupportFact]] = field(default_factory=dict)
    theme_counts: dict[tuple[str, int], int] = field(default_factory=dict)
    funders: list[Funder] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)
    lines: list[budget.Line] = field(default_factory=list)

    def reached(self, action_id: int) -> set[int]:
        return rollup_math.reached_contributions(
            direct=self.linked_contributions.get(action_id, []),
            territorial_actions=self.linked_actions.get(action_id, []),
            sources_of_action=self.sources_of_action,
        )

    def rollups(self) -> dict[int, rollup_math.Rollup]:
        action_round = {tid: row["consultation_id"] for tid, row in self.territorial.items()}
        return {
            action.pk: rollup_math.rollup(
                contributions=self.reached(action.pk),
                territorial_actions=self.linked_actions.get(action.pk, []),
                action_round=action_round,
                facts=self.facts,
                supports=self.supports,
            )
            for action in self.actions
        }

    def priority(self, rollups: dict[int, rollup_math.Rollup]) -> list[int]:
        return sorted(
            (a.pk for a in self.actions),
            key=lambda pk: rollup_math.rank_key(
                action_id=pk, figures=rollups[pk], cost=self._costs[pk]
            ),
        )

    @property
    def _costs(self) -> dict[int, int | None]:
        return {a.pk: a.cost_estimate_eur for a in self.actions}


def _departements(territories: Iterable[Territory]) -> dict[int, Territory]:
    """The département above (or at) each territory, read off the materialized paths."""
    wanted = {t.pk: [int(p) for p in t.path.split("/") if p] for t in territories}
    ids = {i for path in wanted.values() for i in path}
    deps = {
        t.pk: t
        for t in Territory.objects.filter(pk__in=ids, kind=TerritoryKind.DEPARTEMENT).only(
            "id", "name", "insee_code", "kind", "path"
        )
    }
    found: dict[int, Territory] = {}
    for territory_id, path in wanted.items():
        for ancestor in path:
            if ancestor in deps:
                found[territory_id] = deps[ancestor]
    return found


def round_infos(programme: Programme) -> list[RoundInfo]:
    """The programme's rounds, pilot first (two queries)."""
    rounds = list(
        ProgrammeRound.objects.filter(programme=programme)
        .select_related("consultation__territory")
        .order_by("-is_pilot", "consultation_id")
    )
    deps = _departements(r.consultation.territory for r in rounds)
    return [
        RoundInfo(
            consultation=r.consultation_id,
            title=r.consultation.title,
            status=r.consultation.status,
            is_pilot=r.is_pilot,
            territory=r.consultation.territory,
            departement=deps.get(r.consultation.territory_id),
        )
        for r in rounds
    ]


def regional_actions_base() -> QuerySet[RegionalAction]:
    """Regional actions with lead, partners, funding lines, milestones and indicators with
    their measures prefetched (seven queries for any number of actions)."""
    return (
        RegionalAction.objects.select_related("lead_structure")
        .prefetch_related(
            "partner_structures",
            Prefetch("funding_lines", queryset=FundingLine.objects.select_related("funder")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch(
                        "measures", queryset=IndicatorMeasure.objects.order_by("measured_on", "id")
                    )
                ).order_by("id"),
            ),
        )
        .order_by("id")
    )


def regional_actions_query(programme: Programme) -> QuerySet[RegionalAction]:
    return regional_actions_base().filter(programme=programme)


def programme_data(*, programme: Programme, with_follow_up: bool = True) -> ProgrammeData:
    rounds = round_infos(programme)
    round_ids = [r.consultation for r in rounds]
    actions = list(
        regional_actions_query(programme)
        if with_follow_up
        else RegionalAction.objects.filter(programme=programme).order_by("id")
    )
    data = ProgrammeData(programme=programme, rounds=rounds, actions=actions)
    data.active_sources = list(
        RegionalActionSource.objects.filter(action__programme=programme, removed_at__isnull=True)
        .order_by("id")
        .only("id", "action_id", "candidate_action_id", "contribution_id", "justification")
    )
    for source in data.active_sources:
        if source.candidate_action_id is not None:
            data.linked_actions.setdefault(source.action_id, []).append(source.candidate_action_id)
        elif source.contribution_id is not None:
            data.linked_contributions.setdefault(source.action_id, []).append(
                source.contribution_id
            )
    # Every territorial action of the rounds (linked or not: the annexes list them all).
    data.territorial = {
        row["id"]: dict(row)
        for row in CandidateAction.objects.filter(consultation_id__in=round_ids)
        .order_by("id")
        .values("id", "consultation_id", "title", "decision", "themes")
    }
    for action_id, contribution_id in ActionSource.objects.filter(
        action__consultation_id__in=round_ids, contribution_id__isnull=False
    ).values_list("action_id", "contribution_id"):
        data.sources_of_action.setdefault(action_id, set()).add(contribution_id)
    for action_id, contribution_id in ClusterMember.objects.filter(
        removed_at__isnull=True,
        cluster__action_sources__action__consultation_id__in=round_ids,
    ).values_list("cluster__action_sources__action_id", "contribution_id"):
        data.sources_of_action.setdefault(action_id, set()).add(contribution_id)
    for cid, consultation_id, kind, theme, title, author, card, structure, stype in (
        Contribution.objects.filter(
            consultation_id__in=round_ids, status=ContributionStatus.PUBLISHED
        )
        .order_by("id")
        .values_list(
            "id",
            "consultation_id",
            "kind",
            "theme",
            "title",
            "author_id",
            "author_card_id",
            "structure_id",
            "structure__type",
        )
        .iterator(chunk_size=5000)
    ):
        data.facts[cid] = rollup_math.ContributionFact(
            id=cid,
            round=consultation_id,
            theme=theme or "",
            author=person_key(author, card),
            structure=structure,
            structure_type=stype,
        )
        data.contribution_rows[cid] = {"kind": kind, "title": title}
    for theme, consultation_id, n in (
        Contribution.objects.filter(
            consultation_id__in=round_ids, status=ContributionStatus.PUBLISHED
        )
        .values_list("theme", "consultation_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        data.theme_counts[(theme or "", consultation_id)] = n
    endorsements = Endorsement.objects.filter(
        contribution__consultation_id__in=round_ids
    ).values_list("contribution_id", "user_id", "card_id", "structure_id", "structure__type")
    ballots = BallotLine.objects.filter(
        vote__consultation_id__in=round_ids, vote__method__in=SUPPORT_METHODS, value__gt=0
    ).values_list("item_id", "voter_user_id", "voter_card_id", "structure_id", "structure__type")
    for rows in (endorsements, ballots):
        for cid, user_id, card_id, structure, stype in rows.iterator(chunk_size=5000):
            person = person_key(user_id, card_id)
            if person is None or cid not in data.facts:
                continue
            data.supports.setdefault(cid, []).append(
                rollup_math.SupportFact(
                    contribution=cid, person=person, structure=structure, structure_type=stype
                )
            )
    data.funders = list(Funder.objects.filter(programme=programme).order_by("id"))
    data.partners = list(
        Partner.objects.filter(programme=programme).select_related("structure").order_by("id")
    )
    data.lines = [
        budget.Line(action=a, funder=f, amount=n)
        for a, f, n in FundingLine.objects.filter(action__programme=programme)
        .order_by("action_id", "funder_id")
        .values_list("action_id", "funder_id", "amount_eur")
    ]
    return data
