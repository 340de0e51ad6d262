"""Pure roll-ups, budget checks, "what fits", coverage and follow-up rules."""

from backend.programmes.domain import budget, followup
from backend.programmes.domain.coverage import Column, coverage_matrix, coverage_svg
from backend.programmes.domain.rollup import ContributionFact, SupportFact, rank_key, rollup


def test_people_count_once_across_territories() -> None:
    facts = {
        1: ContributionFact(
            1, round=10, theme="emploi", author="a", structure=5, structure_type="ccas"
        ),
        2: ContributionFact(
            2, round=20, theme="emploi", author="a", structure=None, structure_type=None
        ),
    }
    supports = {
        1: [SupportFact(1, "b", 6, "association"), SupportFact(1, "c", None, None)],
        2: [SupportFact(2, "b", 6, "association")],
    }
    figures = rollup(
        contributions={1, 2, 99},
        territorial_actions=[100],
        action_round={100: 30},
        facts=facts,
        supports=supports,
    )
    assert figures.contributions == 2
    assert figures.rounds == (10, 20, 30)
    assert figures.distinct_contributors == 1
    assert figures.distinct_supporters == 2
    assert figures.distinct_people == 3
    assert figures.distinct_structures == 2
    assert figures.support_by_structure_type == {"association": 1}
    assert figures.support_by_round == {10: 2, 20: 1}


def test_rank_prefers_breadth_then_people_then_cost() -> None:
    wide = rollup(
        contributions=set(),
        territorial_actions=[1, 2],
        action_round={1: 1, 2: 2},
        facts={},
        supports={},
    )
    narrow = rollup(
        contributions=set(), territorial_actions=[1], action_round={1: 1}, facts={}, supports={}
    )
    assert rank_key(action_id=9, figures=wide, cost=50000) < rank_key(
        action_id=1, figures=narrow, cost=10
    )
    assert rank_key(action_id=2, figures=narrow, cost=10) < rank_key(
        action_id=1, figures=narrow, cost=20
    )


def test_greedy_fill_skips_what_does_not_fit_and_tries_the_next() -> None:
    lines = [budget.Line(1, 7, 20000), budget.Line(2, 7, 10000), budget.Line(3, 7, 8000)]
    fits = budget.what_fits(order=[1, 2, 3], envelopes={7: 28000}, lines=lines)
    assert fits.fitting_actions == (1, 3)
    assert fits.not_fitting_actions == (2,)
    totals = budget.funder_totals({7: 28000}, lines)
    assert totals[0].is_over_budget
    assert totals[0].as_dict()["over_by_eur"] == 10000


def test_coverage_cells_and_chart() -> None:
    columns = [Column(1, "Grenoble", "Isère"), Column(2, "Lyon", "Rhône")]
    matrix = coverage_matrix(
        themes=["emploi", "sante"],
        columns=columns,
        counts={("emploi", 1): 3, ("sante", 2): 1, ("acces_droits", 1): 2},
        answers={("emploi", 1): {9}},
    )
    assert matrix.themes == ("emploi", "sante", "acces_droits")
    assert matrix.cell("emploi", 1).status == "answered"
    assert matrix.cell("sante", 2).status == "raised_not_answered"
    assert matrix.cell("sante", 1).status == "not_raised"
    svg = coverage_svg(matrix, theme_labels={"emploi": "Emploi"}, title="Couverture <test>")
    assert svg.startswith("<svg")
    assert "Couverture &lt;test&gt;" in svg
    assert "Isère" in svg
    assert "3 / 1" in svg


def test_follow_up_transitions() -> None:
    assert followup.can_move("planned", "in_progress")
    assert not followup.can_move("done", "abandoned")
    assert not followup.can_move("planned", "nonsense")
    assert followup.progress_after(target="done", current_progress=40) == 100
