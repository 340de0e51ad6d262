"""The merit profile as a stacked bar: exact widths, shares, the spoken description."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.plans.domain.merit_bar import (
    BAR_WIDTH,
    GRADE_COLOURS,
    describe_fr,
    majority_grade_of,
    merit_bar,
    percent_fr,
)
from backend.votes.domain.majority_judgment import majority_grade

profiles = st.lists(st.integers(min_value=0, max_value=10_000), min_size=7, max_size=7)


def test_widths_of_a_hand_computed_profile() -> None:
    # 8 judgments: 1 Excellent, 2 Très bien, 4 Bien, 1 À rejeter -> 125, 250, 500, 0,0,0, 125
    bar = merit_bar([1, 2, 4, 0, 0, 0, 1])
    assert [s.width for s in bar.segments] == [125, 250, 500, 0, 0, 0, 125]
    assert [s.x for s in bar.segments] == [0, 125, 375, 875, 875, 875, 875]
    assert [s.grade for s in bar.visible_segments] == [0, 1, 2, 6]
    assert bar.majority_grade == 2  # the 4th of 8 judgments is "Bien"
    assert bar.segments[0].colour == GRADE_COLOURS[0]


def test_thirds_round_to_the_full_width_with_ties_to_the_better_grade() -> None:
    bar = merit_bar([1, 1, 1, 0, 0, 0, 0])
    assert [s.width for s in bar.visible_segments] == [334, 333, 333]


def test_empty_profile_draws_nothing() -> None:
    bar = merit_bar([0] * 7)
    assert bar.visible_segments == ()
    assert bar.majority_grade is None
    assert describe_fr(bar) == "Profil de mérite : aucun jugement."


def test_description_names_every_grade_with_its_percentage() -> None:
    text = describe_fr(merit_bar([1, 2, 4, 0, 0, 0, 1]))
    assert text.startswith("Profil de mérite sur 8 jugements : Excellent 12,5\u00a0%")
    assert "Très bien 25,0\u00a0%" in text
    assert "Assez bien 0,0\u00a0%" in text
    assert text.endswith("Mention majoritaire : Bien.")


def test_percent_is_french() -> None:
    assert percent_fr(0.5) == "50,0\u00a0%"


@pytest.mark.parametrize("profile", [[1, 2, 3], [-1, 0, 0, 0, 0, 0, 2]])
def test_bad_profiles_are_refused(profile: list[int]) -> None:
    with pytest.raises(ValueError, match=r"profile|negative"):
        merit_bar(profile)


@given(profiles)
def test_widths_always_fill_the_bar_and_follow_the_shares(profile: list[int]) -> None:
    bar = merit_bar(profile)
    total = sum(profile)
    widths = [s.width for s in bar.segments]
    if total == 0:
        assert sum(widths) == 0
        return
    assert sum(widths) == BAR_WIDTH
    for segment in bar.segments:
        # Largest remainder: never more than one unit away from the exact share.
        assert abs(segment.width - segment.count * BAR_WIDTH / total) < 1
        assert (segment.width == 0) <= (segment.count * BAR_WIDTH < total)
    xs = [s.x for s in bar.segments]
    assert xs == sorted(xs)


@given(profiles)
def test_majority_grade_matches_the_votes_counting_rule(profile: list[int]) -> None:
    assert majority_grade_of(profile) == majority_grade(profile)


def test_an_even_number_of_judgments_takes_the_worse_middle_one() -> None:
    # Two judgments, "Insuffisant" and "À rejeter": the majority grade is "À rejeter".
    assert merit_bar([0, 0, 0, 0, 0, 1, 1]).majority_grade == 6
    assert merit_bar([1, 1, 0, 0, 0, 0, 0]).majority_grade == 1
