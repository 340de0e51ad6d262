"""Coverage: which territory raised which need (theme x round) and which regional action
answers it; the same table rolled up by département as a printable SVG chart."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

RAISED_ANSWERED = "answered"
RAISED_NOT_ANSWERED = "raised_not_answered"
NOT_RAISED = "not_raised"

COVERAGE_CSV_COLUMNS = (
    "theme",
    "theme_label",
    "round_id",
    "territory",
    "departement",
    "contributions",
    "regional_actions",
    "status",
)


@dataclass(frozen=True)
class Column:
    """One territorial round: its consultation id, its territory's name, its département."""

    round: int
    territory: str
    departement: str


@dataclass(frozen=True)
class Cell:
    theme: str
    round: int
    contributions: int
    regional_actions: tuple[int, ...]

    @property
    def status(self) -> str:
        if self.regional_actions:
            return RAISED_ANSWERED
        return RAISED_NOT_ANSWERED if self.contributions else NOT_RAISED


@dataclass(frozen=True)
class CoverageMatrix:
    themes: tuple[str, ...]
    columns: tuple[Column, ...]
    cells: tuple[Cell, ...]  # theme-major, in the order of themes then columns

    def cell(self, theme: str, round_id: int) -> Cell:
        index = self.themes.index(theme) * len(self.columns)
        index += [c.round for c in self.columns].index(round_id)
        return self.cells[index]

    def as_dict(self, theme_labels: Mapping[str, str]) -> dict[str, object]:
        width = len(self.columns)
        return {
            "columns": [
                {"round": c.round, "territory": c.territory, "departement": c.departement}
                for c in self.columns
            ],
            "rows": [
                {
                    "theme": theme,
                    "theme_label": theme_labels.get(theme, theme),
                    "cells": [
                        {
                            "round": cell.round,
                            "contributions": cell.contributions,
                            "regional_actions": list(cell.regional_actions),
                            "status": cell.status,
                        }
                        for cell in self.cells[i * width : (i + 1) * width]
                    ],
                }
                for i, theme in enumerate(self.themes)
            ],
        }

    def csv_rows(self, theme_labels: Mapping[str, str]) -> list[tuple[object, ...]]:
        columns = {c.round: c for c in self.columns}
        rows: list[tuple[object, ...]] = [COVERAGE_CSV_COLUMNS]
        for cell in self.cells:
            column = columns[cell.round]
            rows.append(
                (
                    cell.theme,
                    theme_labels.get(cell.theme, cell.theme),
                    cell.round,
                    column.territory,
                    column.departement,
                    cell.contributions,
                    "|".join(str(a) for a in cell.regional_actions),
                    cell.status,
                )
            )
        return rows


def coverage_matrix(
    *,
    themes: Sequence[str],
    columns: Sequence[Column],
    counts: Mapping[tuple[str, int], int],
    answers: Mapping[tuple[str, int], set[int]],
) -> CoverageMatrix:
    """`counts[(theme, round)]`: published contributions; `answers[(theme, round)]`: the
    regional actions answering that need there. Themes seen in `counts` or `answers` but
    missing from `themes` are added after them, in name order."""
    extra = sorted({t for t, _ in [*counts, *answers] if t and t not in themes})
    all_themes = (*themes, *extra)
    cells = tuple(
        Cell(
            theme=theme,
            round=column.round,
            contributions=counts.get((theme, column.round), 0),
            regional_actions=tuple(sorted(answers.get((theme, column.round), set()))),
        )
        for theme in all_themes
        for column in columns
    )
    return CoverageMatrix(themes=all_themes, columns=tuple(columns), cells=cells)


# --- the printable chart by département ---------------------------------------------------

CELL_W, CELL_H, LABEL_W, HEADER_H = 92, 34, 190, 70
COLOUR_ANSWERED = "#2e7d32"
COLOUR_RAISED = "#e65100"
COLOUR_NONE = "#eeeeee"


def coverage_by_departement(
    matrix: CoverageMatrix,
) -> tuple[tuple[str, ...], dict[tuple[str, str], tuple[int, int]]]:
    """(départements in first-seen order, {(theme, département): (contributions, actions)})."""
    departements: list[str] = []
    for column in matrix.columns:
        if column.departement not in departements:
            departements.append(column.departement)
    group = {c.round: c.departement for c in matrix.columns}
    totals: dict[tuple[str, str], tuple[int, set[int]]] = {}
    for cell in matrix.cells:
        key = (cell.theme, group[cell.round])
        count, actions = totals.get(key, (0, set()))
        totals[key] = (count + cell.contributions, actions | set(cell.regional_actions))
    return tuple(departements), {k: (n, len(a)) for k, (n, a) in totals.items()}


def coverage_svg(matrix: CoverageMatrix, *, theme_labels: Mapping[str, str], title: str) -> str:
    """A grid (themes x départements): green where a regional action answers a need raised
    there, orange where a need was raised and nothing answers it yet, grey where nothing was
    raised; each cell reads "contributions / actions". Prints in black and white too (the
    words say what the colours say)."""
    departements, totals = coverage_by_departement(matrix)
    width = LABEL_W + CELL_W * max(1, len(departements)) + 20
    height = HEADER_H + CELL_H * len(matrix.themes) + 70
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="cov-title cov-desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="cov-title">{escape(title)}</title>',
        '<desc id="cov-desc">Couverture des besoins par thème et par département : nombre de '
        "contributions / nombre d'actions régionales qui y répondent.</desc>",
    ]
    for j, departement in enumerate(departements):
        x = LABEL_W + j * CELL_W + CELL_W / 2
        out.append(
            f'<text x="{x:.0f}" y="{HEADER_H - 12}" text-anchor="middle" '
            f'font-weight="bold">{escape(departement)}</text>'
        )
    for i, theme in enumerate(matrix.themes):
        y = HEADER_H + i * CELL_H
        out.append(
            f'<text x="{LABEL_W - 8}" y="{y + CELL_H / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(theme_labels.get(theme, theme))}</text>"
        )
        for j, departement in enumerate(departements):
            count, actions = totals.get((theme, departement), (0, 0))
            colour = COLOUR_ANSWERED if actions else COLOUR_RAISED if count else COLOUR_NONE
            ink = "#ffffff" if count or actions else "#555555"
            x = LABEL_W + j * CELL_W
            out.append(
                f'<rect x="{x + 2}" y="{y + 2}" width="{CELL_W - 4}" height="{CELL_H - 4}" '
                f'fill="{colour}" rx="3"/>'
            )
            out.append(
                f'<text x="{x + CELL_W / 2:.0f}" y="{y + CELL_H / 2 + 4:.0f}" '
                f'text-anchor="middle" fill="{ink}">{count} / {actions}</text>'
            )
    legend_y = HEADER_H + CELL_H * len(matrix.themes) + 24
    for k, (colour, words) in enumerate(
        [
            (COLOUR_ANSWERED, "besoin exprimé, une action y répond"),
            (COLOUR_RAISED, "besoin exprimé, sans action régionale"),
            (COLOUR_NONE, "rien d'exprimé"),
        ]
    ):
        x = 10 + k * 250
        out.append(
            f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{colour}" '
            'stroke="#999999"/>'
        )
        out.append(f'<text x="{x + 20}" y="{legend_y + 12}">{escape(words)}</text>')
    out.append(
        f'<text x="10" y="{legend_y + 36}" fill="#555555">Chaque case : contributions / '
        "actions régionales.</text>"
    )
    out.append("</svg>")
    return "\n".join(out)
