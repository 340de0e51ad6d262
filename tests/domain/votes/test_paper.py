"""Paper ballot lines read without a database: every problem of every line, duplicates, and
whole-ballot problems pinned on the lines of the import."""

from datetime import UTC, datetime, timedelta
from typing import Any

from backend.votes.domain.ballots import Method
from backend.votes.domain.paper import (
    LineProblemKind,
    PaperCards,
    PaperLine,
    paper_ballot_problems,
    parse_paper_lines,
)
from backend.votes.domain.validation import BallotRules

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CARDS = PaperCards(ids={1, 2, 3}, by_label={"Mme A": [1], "M. B": [2, 3]})
ITEMS = {10, 11, 12}


def _when(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed is not None and parsed.tzinfo is None else parsed


def parse(lines: list[Any]) -> Any:
    return parse_paper_lines(
        lines, cards=CARDS, items=ITEMS, now=NOW, parse_when=_when, reference_max_length=8
    )


def test_good_lines_parse_with_defaults() -> None:
    result = parse(
        [
            {"card": 1, "item": 10, "value": 1},
            {"card_label": "Mme A", "item": 11, "value": 0, "paper_reference": "F-2"},
            {"card": 2, "item": 10, "value": 1, "captured_at": "2026-05-30T09:00:00"},
        ]
    )
    assert result.problems == []
    assert result.lines == [
        PaperLine(0, 1, 10, 1, "", NOW),
        PaperLine(1, 1, 11, 0, "F-2", NOW),
        PaperLine(2, 2, 10, 1, "", datetime(2026, 5, 30, 9, tzinfo=UTC)),
    ]
    assert result.card_ids == [1, 2]


def test_every_problem_of_every_line_is_reported() -> None:
    result = parse(
        [
            "not an object",
            {"card": 1, "card_label": "Mme A", "item": 10, "value": 1},
            {"card": 99, "item": 10, "value": 1},
            {"card_label": "M. B", "item": 10, "value": 1},
            {"card_label": "Inconnu", "item": 10, "value": 1},
            {"item": 10, "value": 1, "colour": "red"},
            {"card": 1, "item": 99, "value": True},
            {"card": 1, "item": 10, "value": 40000, "paper_reference": "much too long"},
            {"card": 1, "item": 10, "value": 1, "captured_at": "hier"},
            {
                "card": 1,
                "item": 10,
                "value": 1,
                "captured_at": (NOW + timedelta(days=1)).isoformat(),
            },
        ]
    )
    assert [(p.index, p.field, p.kind, p.code) for p in result.problems] == [
        (0, "non_field_errors", LineProblemKind.NOT_AN_OBJECT, "invalid"),
        (1, "card", LineProblemKind.CARD_OR_LABEL, "card_or_label"),
        (2, "card", LineProblemKind.UNKNOWN_CARD, "unknown_card"),
        (3, "card_label", LineProblemKind.AMBIGUOUS_CARD, "ambiguous_card"),
        (4, "card_label", LineProblemKind.UNKNOWN_CARD, "unknown_card"),
        (5, "colour", LineProblemKind.UNKNOWN_FIELD, "unknown_field"),
        (5, "card", LineProblemKind.CARD_REQUIRED, "required"),
        (6, "item", LineProblemKind.UNKNOWN_ITEM, "unknown_item"),
        (6, "value", LineProblemKind.INVALID_VALUE, "invalid"),
        (7, "value", LineProblemKind.INVALID_VALUE, "invalid"),
        (7, "paper_reference", LineProblemKind.INVALID_REFERENCE, "invalid"),
        (8, "captured_at", LineProblemKind.INVALID_DATE, "invalid"),
        (9, "captured_at", LineProblemKind.IN_THE_FUTURE, "in_the_future"),
    ]
    # A line dated in the future still parses (so its ballot is checked too): the import is
    # refused as a whole anyway.
    assert [line.index for line in result.lines] == [9]


def test_a_repeated_card_and_item_is_a_duplicate_of_the_first_line() -> None:
    result = parse(
        [
            {"card": 1, "item": 10, "value": 1},
            {"card_label": "Mme A", "item": 10, "value": 0},
        ]
    )
    assert [(p.index, p.kind, p.earlier_line) for p in result.problems] == [
        (1, LineProblemKind.DUPLICATE, 1)
    ]
    assert len(result.lines) == 1


def test_whole_ballot_problems_land_on_the_lines_of_the_import() -> None:
    lines = [PaperLine(0, 1, 11, 1, "", NOW), PaperLine(1, 2, 10, 1, "", NOW)]
    ballots, problems = paper_ballot_problems(
        lines,
        earlier={1: {10: 1, 12: 1}},
        method=Method.SUPPORT,
        items=ITEMS,
        rules=BallotRules(max_supports=2),
    )
    assert ballots == {1: {10: 1, 11: 1, 12: 1}, 2: {10: 1}}
    # Card 1 now supports three items: the problem is the whole ballot's, on its one line.
    assert [(p.index, p.code, p.item) for p in problems] == [(0, "too_many_supports", None)]


def test_an_invalid_value_names_its_own_line() -> None:
    lines = [PaperLine(0, 1, 10, 9, "", NOW), PaperLine(1, 1, 11, 2, "", NOW)]
    _ballots, problems = paper_ballot_problems(
        lines, earlier={}, method=Method.MAJORITY_JUDGMENT, items=ITEMS, rules=BallotRules()
    )
    assert [(p.index, p.code) for p in problems] == [(0, "invalid_grade")]
