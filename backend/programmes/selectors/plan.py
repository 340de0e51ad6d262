"""The regional plan: the frozen snapshot and its open-data files, built from one read of
the programme (`programme_data`), and reads on the published versions.

The snapshot follows frontend-contract/regional-plan.schema.json; the archive's files carry
every fact its figures come from (domain/archive.py recomputes them).
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation

from backend.core import errors
from backend.plans.domain.archive import csv_text
from backend.plans.domain.snapshot import canonical_json
from backend.programmes.domain import archive as archive_files
from backend.programmes.domain import coverage as coverage_math
from backend.programmes.models import (
    FollowUpEntry,
    FollowUpStatus,
    Programme,
    RegionalDecision,
    RegionalPlanVersion,
)
from backend.programmes.selectors.coverage import coverage_of, coverage_title, theme_labels_fr
from backend.programmes.selectors.data import ProgrammeData, programme_data
from backend.programmes.selectors.funding import budget_view
from backend.territories.models import Territory

SCHEMA_ID = "https://numerique-pour-tous.example/frontend-contract/regional-plan.schema.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class BuiltPlan:
    snapshot: dict[str, Any]
    files: dict[str, str]
    pending_actions: list[int]
    over_budget_funders: list[int]


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _territory(t: Territory | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"id": t.pk, "name": t.name, "kind": t.kind, "insee_code": t.insee_code or None}


def _labels(choices: Any) -> dict[str, str]:
    with translation.override("fr"):
        return {str(value): str(label) for value, label in choices}


class _Pseudonyms:
    """<prefix>1, <prefix>2... in order of first appearance in sorted contribution order:
    stable for a given state, and no account or card id leaves the server. Authors ("a") and
    supporters ("s", whose supports include ballots) are separate families, numbered apart,
    so no ballot can be tied to a named author (see backend.core.pseudonyms)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.known: dict[str, str] = {}

    def __call__(self, key: str | None) -> str:
        if key is None:
            return ""
        if key not in self.known:
            self.known[key] = f"{self.prefix}{len(self.known) + 1}"
        return self.known[key]


def regional_plan_build(
    *, programme: Programme, number: int, published_at: datetime, note: str
) -> BuiltPlan:
    """Read the programme once and build the snapshot and the archive's files from it."""
    data = programme_data(programme=programme)
    rollups = data.rollups()
    order = data.priority(rollups)
    rank = {pk: i + 1 for i, pk in enumerate(order)}
    budget = budget_view(data)
    fits_by_line = {
        (entry["action"], funder["funder"]): entry["fits"]
        for funder in budget["what_fits"]["funders"]
        for entry in funder["entries"]
    }
    funding_of = {row["action"]: row for row in budget["actions"]}
    labels = theme_labels_fr()
    decisions = _labels(RegionalDecision.choices)
    statuses = _labels(FollowUpStatus.choices)
    matrix = coverage_of(data)
    funder_names = {f.pk: f.name for f in data.funders}
    linked_by_territorial: dict[int, list[int]] = {}
    for regional_id, territorial_ids in data.linked_actions.items():
        for tid in territorial_ids:
            linked_by_territorial.setdefault(tid, []).append(regional_id)
    round_of_contribution = {cid: fact.round for cid, fact in data.facts.items()}

    actions: list[dict[str, Any]] = []
    for action in data.actions:
        figures = rollups[action.pk]
        funding = funding_of.get(action.pk)
        actions.append(
            {
                "id": action.pk,
                "rank": rank[action.pk],
                "title": action.title,
                "description": action.description,
                "summary_easy_read": action.easy_read_summary,
                "themes": list(action.themes),
                "theme_labels": [labels.get(t, t) for t in action.themes],
                "decision": {
                    "status": action.decision,
                    "label": decisions[action.decision],
                    "public_answer": action.public_answer,
                    "decided_at": _iso(action.decided_at),
                },
                "figures": figures.as_dict(),
                "territorial_actions": [
                    {
                        "id": tid,
                        "consultation": data.territorial[tid]["consultation_id"],
                        "title": data.territorial[tid]["title"],
                        "decision": data.territorial[tid]["decision"],
                        "contributions": len(data.sources_of_action.get(tid, ())),
                    }
                    for tid in data.linked_actions.get(action.pk, [])
                    if tid in data.territorial
                ],
                "contributions": [
                    {
                        "id": cid,
                        "consultation": round_of_contribution.get(cid),
                        "title": data.contribution_rows.get(cid, {}).get("title"),
                    }
                    for cid in data.linked_contributions.get(action.pk, [])
                ],
                "funding": {
                    "cost_estimate_eur": action.cost_estimate_eur,
                    "funded_eur": funding["funded_eur"] if funding else 0,
                    "gap_eur": funding["gap_eur"] if funding else None,
                    "lines": [
                        {
                            "funder": line.funder_id,
                            "funder_name": funder_names.get(line.funder_id, ""),
                            "amount_eur": line.amount_eur,
                            "fits_envelope": fits_by_line.get((action.pk, line.funder_id)),
                        }
                        for line in action.funding_lines.all()
                    ],
                    "lead_structure": (
                        {"id": action.lead_structure.pk, "name": action.lead_structure.name}
                        if action.lead_structure
                        else None
                    ),
                    "partners": [
                        {"id": s.pk, "name": s.name}
                        for s in sorted(action.partner_structures.all(), key=lambda s: s.pk)
                    ],
                    "starts_on": _day(action.starts_on),
                    "ends_on": _day(action.ends_on),
                },
                "follow_up": {
                    "status": action.status,
                    "status_label": statuses[action.status],
                    "progress_percent": action.progress_percent,
                    "abandon_reason": action.abandon_reason,
                    "milestones": [
                        {
                            "id": m.pk,
                            "title": m.title,
                            "due_on": _day(m.due_on),
                            "reached_on": _day(m.reached_on),
                        }
                        for m in action.milestones.all()
                    ],
                    "indicators": [
                        {
                            "id": i.pk,
                            "name": i.name,
                            "unit": i.unit,
                            "target_value": str(i.target_value),
                            "measures": [
                                {"value": str(m.value), "measured_on": _day(m.measured_on)}
                                for m in i.measures.all()
                            ],
                        }
                        for i in action.indicators.all()
                    ],
                },
            }
        )
    actions.sort(key=lambda a: a["rank"])

    annexes = []
    for info in data.rounds:
        territorial = [
            {
                "id": tid,
                "title": row["title"],
                "decision": row["decision"],
                "regional_actions": sorted(linked_by_territorial.get(tid, [])),
            }
            for tid, row in data.territorial.items()
            if row["consultation_id"] == info.consultation
        ]
        fed = sorted(pk for pk, figures in rollups.items() if info.consultation in figures.rounds)
        annexes.append(
            {
                "consultation": info.consultation,
                "title": info.title,
                "territory": _territory(info.territory),
                "departement": _territory(info.departement),
                "is_pilot": info.is_pilot,
                "contributions": sum(
                    n
                    for (_, round_id), n in data.theme_counts.items()
                    if round_id == info.consultation
                ),
                "regional_actions": fed,
                "territorial_actions": territorial,
                "territorial_actions_not_consolidated": [
                    t["id"] for t in territorial if not t["regional_actions"]
                ],
            }
        )

    pending = [a.pk for a in data.actions if a.decision == RegionalDecision.PENDING]
    retained = [a for a in data.actions if a.decision == RegionalDecision.RETAINED]
    snapshot: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "programme": {
            "id": programme.pk,
            "slug": programme.slug,
            "title": programme.title,
            "description": programme.description,
            "territory": _territory(programme.territory),
            "domains": list(programme.domains),
            "deadline": _day(programme.deadline),
            "partners": [
                {"name": p.name, "role": p.role, "structure": p.structure_id} for p in data.partners
            ],
        },
        "version": {"number": number, "published_at": _iso(published_at), "note": note},
        "rounds": [
            {
                "consultation": r.consultation,
                "title": r.title,
                "territory": _territory(r.territory),
                "departement": _territory(r.departement),
                "is_pilot": r.is_pilot,
            }
            for r in data.rounds
        ],
        "actions": actions,
        "budget": {
            "rule": budget["what_fits"]["rule"],
            "priority": budget["what_fits"]["priority"],
            "funders": budget["funders"],
            "over_budget_funders": budget["over_budget_funders"],
            "fitting_actions": budget["what_fits"]["fitting_actions"],
            "not_fitting_actions": budget["what_fits"]["not_fitting_actions"],
        },
        "coverage": matrix.as_dict(labels),
        "annexes": annexes,
        "pending_actions": pending,
        "totals": {
            "rounds": len(data.rounds),
            "actions": len(data.actions),
            "retained_actions": len(retained),
            "contributions": len(data.facts),
            "cost_estimate_eur": sum(a.cost_estimate_eur or 0 for a in retained),
            "envelopes_eur": budget["total_envelopes_eur"],
            "committed_eur": budget["total_committed_eur"],
        },
    }
    files = _files(data, snapshot=snapshot, rank=rank, matrix=matrix, labels=labels)
    return BuiltPlan(
        snapshot=snapshot,
        files=files,
        pending_actions=pending,
        over_budget_funders=list(budget["over_budget_funders"]),
    )


def _files(
    data: ProgrammeData,
    *,
    snapshot: dict[str, Any],
    rank: dict[int, int],
    matrix: coverage_math.CoverageMatrix,
    labels: dict[str, str],
) -> dict[str, str]:
    cols = archive_files.FILES
    pseudonym = _Pseudonyms("a")
    supporter = _Pseudonyms("s")
    by_id = {a["id"]: a for a in snapshot["actions"]}
    files: dict[str, str] = {}
    files["rounds.csv"] = csv_text(
        [
            cols["rounds.csv"],
            *(
                (
                    r.consultation,
                    r.title,
                    r.territory.name,
                    r.departement.name if r.departement else "",
                    int(r.is_pilot),
                )
                for r in data.rounds
            ),
        ]
    )
    rows: list[tuple[Any, ...]] = [cols["regional_actions.csv"]]
    for a in snapshot["actions"]:
        f = a["figures"]
        rows.append(
            (
                a["id"],
                a["rank"],
                a["title"],
                "|".join(a["themes"]),
                a["decision"]["status"],
                a["decision"]["public_answer"],
                f["contributions"],
                f["territorial_actions"],
                f["territories_raised"],
                f["distinct_contributors"],
                f["distinct_supporters"],
                f["distinct_people"],
                f["distinct_structures"],
                a["funding"]["cost_estimate_eur"],
                a["funding"]["funded_eur"],
                (a["funding"]["lead_structure"] or {}).get("name", ""),
                a["funding"]["starts_on"],
                a["funding"]["ends_on"],
                a["follow_up"]["status"],
                a["follow_up"]["progress_percent"],
            )
        )
    files["regional_actions.csv"] = csv_text(rows)
    round_of = {cid: fact.round for cid, fact in data.facts.items()}
    files["regional_sources.csv"] = csv_text(
        [
            cols["regional_sources.csv"],
            *(
                (
                    s.action_id,
                    s.pk,
                    s.candidate_action_id,
                    s.contribution_id,
                    data.territorial[s.candidate_action_id]["consultation_id"]
                    if s.candidate_action_id in data.territorial
                    else round_of.get(s.contribution_id or 0, ""),
                    s.justification,
                )
                for s in data.active_sources
            ),
        ]
    )
    files["territorial_actions.csv"] = csv_text(
        [
            cols["territorial_actions.csv"],
            *(
                (tid, row["consultation_id"], row["title"], row["decision"])
                for tid, row in data.territorial.items()
            ),
        ]
    )
    files["territorial_action_sources.csv"] = csv_text(
        [
            cols["territorial_action_sources.csv"],
            *(
                (tid, cid)
                for tid in sorted(data.sources_of_action)
                for cid in sorted(data.sources_of_action[tid])
            ),
        ]
    )
    rows = [cols["contributions.csv"]]
    for cid in sorted(data.facts):
        fact = data.facts[cid]
        row = data.contribution_rows[cid]
        rows.append(
            (
                cid,
                fact.round,
                row["kind"],
                fact.theme,
                row["title"],
                pseudonym(fact.author),
                fact.structure,
                fact.structure_type or "",
            )
        )
    files["contributions.csv"] = csv_text(rows)
    files["supports.csv"] = csv_text(
        [
            cols["supports.csv"],
            *sorted(
                (
                    (s.contribution, supporter(s.person), s.structure, s.structure_type or "")
                    for cid in sorted(data.supports)
                    for s in data.supports[cid]
                ),
                key=lambda r: (r[0], int(r[1][1:]), r[2] or 0),
            ),
        ]
    )
    files["funders.csv"] = csv_text(
        [
            cols["funders.csv"],
            *(
                (
                    f["funder"],
                    f["name"],
                    f["envelope_eur"],
                    f["committed_eur"],
                    f["remaining_eur"],
                    int(bool(f["is_over_budget"])),
                )
                for f in snapshot["budget"]["funders"]
            ),
        ]
    )
    files["funding_lines.csv"] = csv_text(
        [
            cols["funding_lines.csv"],
            *(
                (
                    a["id"],
                    line["funder"],
                    line["amount_eur"],
                    "" if line["fits_envelope"] is None else int(line["fits_envelope"]),
                )
                for a in sorted(snapshot["actions"], key=lambda a: a["id"])
                for line in a["funding"]["lines"]
            ),
        ]
    )
    files["milestones.csv"] = csv_text(
        [
            cols["milestones.csv"],
            *(
                (m["id"], a["id"], m["title"], m["due_on"], m["reached_on"])
                for a in sorted(snapshot["actions"], key=lambda a: a["id"])
                for m in a["follow_up"]["milestones"]
            ),
        ]
    )
    files["indicators.csv"] = csv_text(
        [
            cols["indicators.csv"],
            *(
                (
                    i["id"],
                    a["id"],
                    i["name"],
                    i["unit"],
                    i["target_value"],
                    m["measured_on"],
                    m["value"],
                )
                for a in sorted(snapshot["actions"], key=lambda a: a["id"])
                for i in a["follow_up"]["indicators"]
                for m in (i["measures"] or [{"measured_on": "", "value": ""}])
            ),
        ]
    )
    timeline = FollowUpEntry.objects.filter(action_id__in=list(by_id)).order_by("at", "id")
    files["follow_up.csv"] = csv_text(
        [
            cols["follow_up.csv"],
            *(
                (
                    _iso(e.at),
                    e.action_id,
                    e.kind,
                    e.note,
                    json.dumps(e.data, sort_keys=True, ensure_ascii=False),
                )
                for e in timeline
            ),
        ]
    )
    files["coverage.csv"] = csv_text(matrix.csv_rows(labels))
    files["coverage.svg"] = coverage_math.coverage_svg(
        matrix, theme_labels=labels, title=coverage_title(data.programme)
    )
    for annex in snapshot["annexes"]:
        files[f"annexes/territoire-{annex['consultation']}.csv"] = csv_text(
            [
                ("candidate_action_id", "title", "decision", "regional_action_ids"),
                *(
                    (t["id"], t["title"], t["decision"], "|".join(map(str, t["regional_actions"])))
                    for t in annex["territorial_actions"]
                ),
            ]
        )
    files["plan.json"] = canonical_json(snapshot).decode("utf-8")
    return files


# --- published versions ---------------------------------------------------------------


def regional_plan_version_list(*, programme: Programme) -> QuerySet[RegionalPlanVersion]:
    """Published versions, newest first, without snapshots nor archives."""
    return (
        RegionalPlanVersion.objects.filter(programme=programme)
        .select_related("published_by")
        .defer("snapshot", "archive")
        .order_by("-number")
    )


def regional_plan_version_get(
    *, programme: Programme, number: int | None = None, with_archive: bool = False
) -> RegionalPlanVersion:
    """One version (the latest without `number`); 404 regional_plan_not_published."""
    versions = RegionalPlanVersion.objects.filter(programme=programme).select_related(
        "published_by"
    )
    if not with_archive:
        versions = versions.defer("archive")
    version = (
        versions.order_by("-number").first()
        if number is None
        else versions.filter(number=number).first()
    )
    if version is None:
        raise errors.RegionalPlanNotPublished()
    return version


def regional_plan_csv(*, version: RegionalPlanVersion) -> str:
    """One row per regional action, in priority order (the archive's regional_actions.csv)."""
    rows: list[tuple[Any, ...]] = [("version", *archive_files.FILES["regional_actions.csv"])]
    for a in version.snapshot["actions"]:
        f = a["figures"]
        rows.append(
            (
                version.number,
                a["id"],
                a["rank"],
                a["title"],
                "|".join(a["themes"]),
                a["decision"]["status"],
                a["decision"]["public_answer"],
                f["contributions"],
                f["territorial_actions"],
                f["territories_raised"],
                f["distinct_contributors"],
                f["distinct_supporters"],
                f["distinct_people"],
                f["distinct_structures"],
                a["funding"]["cost_estimate_eur"],
                a["funding"]["funded_eur"],
                (a["funding"]["lead_structure"] or {}).get("name", ""),
                a["funding"]["starts_on"],
                a["funding"]["ends_on"],
                a["follow_up"]["status"],
                a["follow_up"]["progress_percent"],
            )
        )
    return csv_text(rows)
