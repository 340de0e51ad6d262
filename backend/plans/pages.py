"""The readable plan page as HTML: French, printable, the same bytes for a given version."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from backend.consultations.models import Theme
from backend.plans.domain.merit_bar import MeritBar, describe_fr, merit_bar, percent_fr
from backend.plans.models import PlanVersion

SCORE_LABELS = {
    "distinct_supporters": _("Distinct supporters"),
    "distinct_structures": _("Distinct structures"),
    "distinct_structure_types": _("Kinds of structure"),
    "territories_covered": _("Territories covered"),
    "consensus": _("Consensus across opinion groups"),
}
SCORE_HOW = {
    "distinct_supporters": _(
        "People supporting at least one of the merged sources, each counted once."
    ),
    "distinct_structures": _("Structures that at least one distinct supporter speaks for."),
    "distinct_structure_types": _(
        "Kinds of structure (association, CCAS, media library...) reached."
    ),
    "territories_covered": _("Distinct territories named by the sources."),
    "consensus": _(
        "Geometric mean over the opinion groups of (agree + 1) / (seen + 2): high only when "
        "every group agrees, not just the largest."
    ),
}


@dataclass(frozen=True)
class MeritView:
    entry: dict[str, Any]
    bar: MeritBar
    description: str
    shares: list[tuple[str, str, str]]  # label, colour, percentage


def _merit_views(entries: list[dict[str, Any]]) -> list[MeritView]:
    views = []
    for entry in entries:
        bar = merit_bar(entry["profile"])
        views.append(
            MeritView(
                entry=entry,
                bar=bar,
                description=describe_fr(bar),
                shares=[(s.label, s.colour, percent_fr(s.share)) for s in bar.segments],
            )
        )
    return views


def _scores(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": SCORE_LABELS.get(score["name"], score["name"]),
            "value": score["value"],
            "how": SCORE_HOW.get(score["name"], score.get("description", "")),
        }
        for score in scores
    ]


def _theme_label(theme: str) -> str:
    return str(Theme(theme).label) if theme in Theme.values else theme


def _date(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def plan_page_html(*, version: PlanVersion) -> str:
    """The page of a published version (actions, sources, scores, merit profiles as SVG
    bars), in French whatever the caller's language: it depends only on the version."""
    snapshot = version.snapshot
    actions = [
        {
            **action,
            "theme_labels": [_theme_label(theme) for theme in action["themes"]],
            "merit_views": _merit_views(action["majority_judgment"]),
            "score_rows": _scores(action["scores"]),
            "decided_at_date": _date(action["decision"]["decided_at"]),
        }
        for action in snapshot["actions"]
    ]
    with translation.override("fr"):
        return render_to_string(
            "plans/plan.html",
            {
                "snapshot": snapshot,
                "version": version,
                "actions": actions,
                "published_at": _date(snapshot["version"]["published_at"]),
            },
        )
