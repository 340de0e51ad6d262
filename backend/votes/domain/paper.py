"""Paper ballots: reading the lines a facilitator typed in, and which line each problem names.

Pure: no Django. Problems carry a code and the parameters of their message; the service
words them. Line indexes count from 0.
"""

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.votes.domain.ballots import Method
from backend.votes.domain.validation import BallotRules, ballot_problems

SMALLINT_MAX = 32767
PAPER_LINE_FIELDS = frozenset(
    {"card", "card_label", "item", "value", "paper_reference", "captured_at"}
)


class LineProblemKind(StrEnum):
    """What went wrong, finer than the code (several problems share the code `invalid`)."""

    NOT_AN_OBJECT = "not_an_object"
    UNKNOWN_FIELD = "unknown_field"
    CARD_OR_LABEL = "card_or_label"
    UNKNOWN_CARD = "unknown_card"
    AMBIGUOUS_CARD = "ambiguous_card"
    CARD_REQUIRED = "card_required"
    UNKNOWN_ITEM = "unknown_item"
    INVALID_VALUE = "invalid_value"
    INVALID_REFERENCE = "invalid_reference"
    INVALID_DATE = "invalid_date"
    IN_THE_FUTURE = "in_the_future"
    DUPLICATE = "duplicate"
    BALLOT = "ballot"  # the card's whole ballot breaks a rule: `code` is the ballot's


_CODES: dict[LineProblemKind, str] = {
    LineProblemKind.NOT_AN_OBJECT: "invalid",
    LineProblemKind.UNKNOWN_FIELD: "unknown_field",
    LineProblemKind.CARD_OR_LABEL: "card_or_label",
    LineProblemKind.UNKNOWN_CARD: "unknown_card",
    LineProblemKind.AMBIGUOUS_CARD: "ambiguous_card",
    LineProblemKind.CARD_REQUIRED: "required",
    LineProblemKind.UNKNOWN_ITEM: "unknown_item",
    LineProblemKind.INVALID_VALUE: "invalid",
    LineProblemKind.INVALID_REFERENCE: "invalid",
    LineProblemKind.INVALID_DATE: "invalid",
    LineProblemKind.IN_THE_FUTURE: "in_the_future",
    LineProblemKind.DUPLICATE: "duplicate",
}


@dataclass(frozen=True)
class LineProblem:
    """One problem of one line: `field` is the line's field it names (`non_field_errors` for
    a line that is not an object); `code` is the machine-readable error code; `earlier_line`
    (from 1) is the line a duplicate repeats."""

    index: int
    field: str
    kind: LineProblemKind
    code: str
    earlier_line: int | None = None


@dataclass(frozen=True)
class PaperLine:
    index: int
    card: int
    item: int
    value: int
    reference: str
    captured_at: datetime


@dataclass(frozen=True)
class PaperCards:
    """The consultation's participant cards: ids, and the ids under each label."""

    ids: Collection[int]
    by_label: Mapping[str, Sequence[int]]


@dataclass
class PaperParse:
    lines: list[PaperLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def card_ids(self) -> list[int]:
        return sorted({line.card for line in self.lines})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_paper_lines(
    lines: Sequence[Any],
    *,
    cards: PaperCards,
    items: Collection[int],
    now: datetime,
    parse_when: Callable[[Any], datetime | None],
    reference_max_length: int,
) -> PaperParse:
    """Read every line (a mapping with `card` or `card_label`, `item`, `value`, and optional
    `paper_reference`, `captured_at`), reporting every problem of every line; a line that
    parses and repeats an earlier line's (card, item) is a duplicate. `parse_when` reads a
    date-time (None when invalid); a missing `captured_at` is `now`."""
    result = PaperParse()

    def bad(index: int, name: str, kind: LineProblemKind, earlier: int | None = None) -> None:
        result.problems.append(LineProblem(index, name, kind, _CODES[kind], earlier))

    seen: dict[tuple[int, int], int] = {}
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            bad(index, "non_field_errors", LineProblemKind.NOT_AN_OBJECT)
            continue
        for name in sorted(set(line) - PAPER_LINE_FIELDS):
            bad(index, name, LineProblemKind.UNKNOWN_FIELD)
        card_id: int | None = None
        if "card" in line and "card_label" in line:
            bad(index, "card", LineProblemKind.CARD_OR_LABEL)
        elif "card" in line:
            if not _is_int(line["card"]) or line["card"] not in cards.ids:
                bad(index, "card", LineProblemKind.UNKNOWN_CARD)
            else:
                card_id = line["card"]
        elif "card_label" in line:
            label = line["card_label"]
            found = cards.by_label.get(label, []) if isinstance(label, str) else []
            if not found:
                bad(index, "card_label", LineProblemKind.UNKNOWN_CARD)
            elif len(found) > 1:
                bad(index, "card_label", LineProblemKind.AMBIGUOUS_CARD)
            else:
                card_id = found[0]
        else:
            bad(index, "card", LineProblemKind.CARD_REQUIRED)
        item = line.get("item")
        if not _is_int(item) or item not in items:
            bad(index, "item", LineProblemKind.UNKNOWN_ITEM)
            item = None
        value = line.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > SMALLINT_MAX:
            bad(index, "value", LineProblemKind.INVALID_VALUE)
            value = None
        reference = line.get("paper_reference", "")
        if not isinstance(reference, str) or len(reference) > reference_max_length:
            bad(index, "paper_reference", LineProblemKind.INVALID_REFERENCE)
            reference = ""
        captured_at = parse_when(line["captured_at"]) if "captured_at" in line else now
        if captured_at is None:
            bad(index, "captured_at", LineProblemKind.INVALID_DATE)
        elif captured_at > now:
            bad(index, "captured_at", LineProblemKind.IN_THE_FUTURE)
        if card_id is None or item is None or value is None or captured_at is None:
            continue
        if (card_id, item) in seen:
            bad(index, "item", LineProblemKind.DUPLICATE, seen[(card_id, item)] + 1)
            continue
        seen[(card_id, item)] = index
        result.lines.append(PaperLine(index, card_id, item, value, reference, captured_at))
    return result


@dataclass(frozen=True)
class CardBallotProblem:
    """A rule a card's whole ballot breaks, pinned on the line(s) of this import it concerns."""

    index: int
    code: str
    item: int | None


def paper_ballot_problems(
    parsed: Sequence[PaperLine],
    *,
    earlier: Mapping[int, Mapping[int, int]],
    method: Method,
    items: Collection[int],
    rules: BallotRules,
) -> tuple[dict[int, dict[int, int]], list[CardBallotProblem]]:
    """Apply the lines over each card's `earlier` ballot (card -> item -> value) and check
    every resulting ballot. A problem on one item names that item's line; a problem of the
    whole ballot (or on an item of an earlier line) names every line of the card in this
    import. Returns the ballots after the import and the problems."""
    ballots: dict[int, dict[int, int]] = {
        card: dict(earlier.get(card, {})) for card in sorted({line.card for line in parsed})
    }
    indexes: dict[tuple[int, int], int] = {}
    for line in parsed:
        ballots[line.card][line.item] = line.value
        indexes[(line.card, line.item)] = line.index
    problems: list[CardBallotProblem] = []
    for card, ballot in ballots.items():
        for problem in ballot_problems(method=method, ballot=ballot, items=items, rules=rules):
            if problem.item is not None and (card, problem.item) in indexes:
                targets = [indexes[(card, problem.item)]]
            else:
                targets = [index for (owner, _item), index in indexes.items() if owner == card]
            problems.extend(
                CardBallotProblem(index=index, code=str(problem.code), item=problem.item)
                for index in targets
            )
    return ballots, problems
