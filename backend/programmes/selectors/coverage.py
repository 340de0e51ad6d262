"""Coverage: the theme x territory matrix, its CSV and its printable SVG chart."""

from django.utils import translation

from backend.consultations.models import Theme
from backend.programmes.domain import coverage as coverage_math
from backend.programmes.models import Programme
from backend.programmes.selectors.data import ProgrammeData, programme_data


def theme_labels_fr() -> dict[str, str]:
    with translation.override("fr"):
        labels = {str(value): str(label) for value, label in Theme.choices}
    labels[""] = "Sans thème"
    return labels


def coverage_of(data: ProgrammeData) -> coverage_math.CoverageMatrix:
    """Contributions per (theme, round); a regional action answers (theme, round) when it
    reaches a contribution of that theme from that round, or links a territorial action of
    that round and has the theme itself."""
    answers: dict[tuple[str, int], set[int]] = {}
    territorial_round = {tid: row["consultation_id"] for tid, row in data.territorial.items()}
    for action in data.actions:
        for cid in data.reached(action.pk):
            fact = data.facts.get(cid)
            if fact is not None:
                answers.setdefault((fact.theme, fact.round), set()).add(action.pk)
        for tid in data.linked_actions.get(action.pk, []):
            if tid in territorial_round:
                for theme in action.themes:
                    answers.setdefault((theme, territorial_round[tid]), set()).add(action.pk)
    columns = [
        coverage_math.Column(
            round=r.consultation,
            territory=r.territory.name,
            departement=r.departement.name if r.departement else r.territory.name,
        )
        for r in data.rounds
    ]
    return coverage_math.coverage_matrix(
        themes=list(data.programme.domains),
        columns=columns,
        counts=data.theme_counts,
        answers=answers,
    )


def programme_coverage(*, programme: Programme) -> coverage_math.CoverageMatrix:
    return coverage_of(programme_data(programme=programme, with_follow_up=False))


def coverage_title(programme: Programme) -> str:
    return f"Couverture des besoins — {programme.title}"
