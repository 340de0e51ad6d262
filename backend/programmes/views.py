"""The readable regional plan page: plain Django, French, printable (not the JSON API)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from backend.core import errors
from backend.programmes.domain.coverage import Column, coverage_matrix, coverage_svg
from backend.programmes.selectors import programme_get, regional_plan_version_get


def _bars(values: dict[str, int], labels: dict[str, str], scale: int) -> list[dict[str, Any]]:
    """Horizontal bars (percent of `scale`) for a figure broken down by segment."""
    top = max(scale, 1)
    return [
        {"label": labels.get(k, k), "value": v, "width": round(100 * v / top)}
        for k, v in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _matrix_from_snapshot(snapshot: dict[str, Any]) -> Any:
    coverage = snapshot["coverage"]
    columns = [
        Column(round=c["round"], territory=c["territory"], departement=c["departement"])
        for c in coverage["columns"]
    ]
    counts = {}
    answers = {}
    for row in coverage["rows"]:
        for cell in row["cells"]:
            counts[(row["theme"], cell["round"])] = cell["contributions"]
            answers[(row["theme"], cell["round"])] = set(cell["regional_actions"])
    labels = {row["theme"]: row["theme_label"] for row in coverage["rows"]}
    matrix = coverage_matrix(
        themes=[row["theme"] for row in coverage["rows"]],
        columns=columns,
        counts=counts,
        answers=answers,
    )
    return matrix, labels


@require_safe
def regional_plan_page(
    request: HttpRequest, programme_id: int, number: int | None = None
) -> HttpResponse:
    """The regional plan as a French page: actions in priority order with their figures,
    funding and follow-up, the budget, the coverage chart, one annex per territory."""
    try:
        programme = programme_get(programme_id=programme_id, user=request.user)
        version = regional_plan_version_get(programme=programme, number=number)
    except errors.NotFound as error:
        raise Http404(str(error.message)) from error
    snapshot = version.snapshot
    rounds = {str(r["consultation"]): r["territory"]["name"] for r in snapshot["rounds"]}
    top = max((a["figures"]["distinct_people"] for a in snapshot["actions"]), default=1)
    actions = [
        {
            **action,
            "people_width": round(100 * action["figures"]["distinct_people"] / max(top, 1)),
            "by_round": _bars(
                action["figures"]["support_by_round"],
                rounds,
                action["figures"]["distinct_supporters"],
            ),
            "by_type": _bars(
                action["figures"]["support_by_structure_type"],
                {},
                action["figures"]["distinct_supporters"],
            ),
        }
        for action in snapshot["actions"]
    ]
    matrix, labels = _matrix_from_snapshot(snapshot)
    svg = coverage_svg(matrix, theme_labels=labels, title="Couverture des besoins par département")
    funder_names = {f["funder"]: f["name"] for f in snapshot["budget"]["funders"]}
    titles = {a["id"]: a["title"] for a in snapshot["actions"]}
    with translation.override("fr"):
        response = render(
            request,
            "programmes/regional_plan.html",
            {
                "snapshot": snapshot,
                "version": version,
                "actions": actions,
                "published_at": parse_datetime(snapshot["version"]["published_at"]),
                "coverage_svg": mark_safe(svg),  # noqa: S308  (built with escaped text only)
                "funder_names": funder_names,
                "fitting": [
                    titles[i] for i in snapshot["budget"]["fitting_actions"] if i in titles
                ],
                "annexes": [
                    {
                        **annex,
                        "territorial_actions": [
                            {
                                **t,
                                "regional": [
                                    {"id": r, "title": titles.get(r, str(r))}
                                    for r in t["regional_actions"]
                                ],
                            }
                            for t in annex["territorial_actions"]
                        ],
                    }
                    for annex in snapshot["annexes"]
                ],
            },
        )
    response["Content-Language"] = "fr"
    return response
