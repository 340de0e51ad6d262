"""Paper ballots entered by a facilitator for participant cards, all lines or none."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.core.realtime import consultation_group, emit_after_commit
from backend.core.validation import FieldErrors, field_error
from backend.proposals.models import ParticipantCard
from backend.votes.domain.ballots import Method
from backend.votes.domain.live import combined_deltas
from backend.votes.domain.paper import (
    PAPER_LINE_FIELDS,
    LineProblem,
    LineProblemKind,
    PaperCards,
    paper_ballot_problems,
    parse_paper_lines,
)
from backend.votes.models import PAPER_REFERENCE_MAX_LENGTH, BallotLine, BallotOrigin, Vote
from backend.votes.services.common import (
    MAX_PAPER_LINES,
    LineRows,
    _problem_message,
    ballot_rules,
    ensure_vote_open,
    hold_vote_open,
    item_ids,
    lock_voter,
    upsert_lines_params,
    upsert_lines_sql,
)
from backend.votes.services.counts import live_counts_apply

__all__ = ["PAPER_LINE_FIELDS", "PaperImportResult", "paper_ballots_import"]


@dataclass(frozen=True)
class PaperImportResult:
    lines: int
    cards: int


def _parse_when(value: Any) -> datetime | None:
    """An ISO 8601 date-time (naive ones are in the current time zone), or None if invalid."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            return None
    else:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        try:
            parsed = timezone.make_aware(parsed)
        except (OverflowError, ValueError):
            return None
    return parsed


def _line_message(problem: LineProblem) -> str:
    kind = problem.kind
    if kind == LineProblemKind.DUPLICATE:
        return _("Line %(line)d already gives this card's value for this item.") % {
            "line": problem.earlier_line
        }
    messages = {
        LineProblemKind.NOT_AN_OBJECT: _("Each line must be an object."),
        LineProblemKind.UNKNOWN_FIELD: _("Unknown field."),
        LineProblemKind.CARD_OR_LABEL: _("Give the card or its label, not both."),
        LineProblemKind.UNKNOWN_CARD: _("No participant card of this consultation."),
        LineProblemKind.AMBIGUOUS_CARD: _("Several cards have this label: give the card's id."),
        LineProblemKind.CARD_REQUIRED: _("Give the card or its label."),
        LineProblemKind.UNKNOWN_ITEM: _("This item is not part of the vote."),
        LineProblemKind.INVALID_VALUE: _("A whole number is required."),
        LineProblemKind.INVALID_REFERENCE: _("Give a text of at most %(limit)d characters.")
        % {"limit": PAPER_REFERENCE_MAX_LENGTH},
        LineProblemKind.INVALID_DATE: _("Give a date and time in ISO 8601."),
        LineProblemKind.IN_THE_FUTURE: _("This date is in the future."),
    }
    return messages[kind]


def _line_key(name: str) -> tuple[int, str]:
    parts = name.split(".")
    return (int(parts[1]), name) if len(parts) > 2 and parts[1].isdigit() else (-1, name)


def _check_size(lines: Sequence[Any]) -> None:
    if not lines:
        raise errors.ValidationFailed(
            fields={"lines": [{"code": "empty", "message": _("Send at least one line.")}]}
        )
    if len(lines) > MAX_PAPER_LINES:
        raise errors.ValidationFailed(
            fields={
                "lines": [
                    {
                        "code": "max_length",
                        "message": _("Send at most %(limit)d lines per request.")
                        % {"limit": MAX_PAPER_LINES},
                    }
                ]
            }
        )


def _cards_of(vote: Vote) -> PaperCards:
    ids: set[int] = set()
    by_label: dict[str, list[int]] = {}
    for pk, label in ParticipantCard.objects.filter(consultation=vote.consultation).values_list(
        "pk", "label"
    ):
        ids.add(pk)
        by_label.setdefault(label, []).append(pk)
    return PaperCards(ids=ids, by_label=by_label)


@transaction.atomic
def paper_ballots_import(
    *, by: User, vote: Vote, lines: Sequence[Mapping[str, Any]]
) -> PaperImportResult:
    """Record paper ballots, one line per (participant card, item), all or nothing.

    Each line: `card` (id) or `card_label`, `item`, `value`, `paper_reference`, `captured_at`.
    Every line is checked (shape, card, item, value, and each card's whole ballot once the
    lines are applied over its earlier ones: `backend.votes.domain.paper`); any problem
    raises one validation error naming every bad line as `lines.<index>.<field>` (index from
    0; `details.bad_lines` gives line numbers from 1), and nothing is written. Otherwise the
    lines are upserted on (vote, item, card); a card's other lines stay.

    Gates: VOTE and ENTER_ON_BEHALF (the consultation's facilitators). Locks: the advisory
    lock of every card involved, in card order. Emits `ballot.cast` after commit.
    """
    vote = Vote.objects.select_related("consultation").get(pk=vote.pk)
    ensure_vote_open(by=by, vote=vote)
    ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.ENTER_ON_BEHALF)
    _check_size(lines)
    items = item_ids(vote)
    now = timezone.now()
    parse = parse_paper_lines(
        lines,
        cards=_cards_of(vote),
        items=items,
        now=now,
        parse_when=_parse_when,
        reference_max_length=PAPER_REFERENCE_MAX_LENGTH,
    )
    fields: FieldErrors = {}
    bad_lines: set[int] = set()
    for problem in parse.problems:
        bad_lines.add(problem.index)
        field_error(
            fields, f"lines.{problem.index}.{problem.field}", problem.code, _line_message(problem)
        )

    card_ids = parse.card_ids
    hold_vote_open(vote=vote)
    for card_id in card_ids:
        lock_voter(vote=vote, key=f"card:{card_id}")
    earlier: dict[int, dict[int, int]] = {card_id: {} for card_id in card_ids}
    for card_id, item_id, value in BallotLine.objects.filter(
        vote=vote, voter_card_id__in=card_ids
    ).values_list("voter_card_id", "item_id", "value"):
        earlier[card_id][item_id] = value
    ballots, ballot_problems = paper_ballot_problems(
        parse.lines,
        earlier=earlier,
        method=Method(vote.method),
        items=items,
        rules=ballot_rules(vote.options),
    )
    for ballot_problem in ballot_problems:
        bad_lines.add(ballot_problem.index)
        field_error(
            fields,
            f"lines.{ballot_problem.index}.value",
            ballot_problem.code,
            _problem_message(ballot_problem.code, vote.options),
        )
    if fields:
        raise errors.ValidationFailed(
            fields=dict(sorted(fields.items(), key=lambda entry: _line_key(entry[0]))),
            details={"bad_lines": sorted(index + 1 for index in bad_lines)},
        )
    rows = LineRows(
        items=[line.item for line in parse.lines],
        values=[line.value for line in parse.lines],
        voter_users=[None] * len(parse.lines),
        voter_cards=[line.card for line in parse.lines],
        references=[line.reference for line in parse.lines],
        captured_at=[line.captured_at for line in parse.lines],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            upsert_lines_sql(column="voter_card_id", returning=False),
            upsert_lines_params(
                vote_id=vote.pk,
                structure_id=None,
                origin=BallotOrigin.PAPER,
                entered_by_id=by.pk,
                now=now,
                rows=rows,
            ),
        )
    deltas, voters = combined_deltas((earlier[card_id], ballots[card_id]) for card_id in card_ids)
    live_counts_apply(vote_id=vote.pk, voter_id=by.pk, deltas=deltas, voters=voters)
    emit_after_commit(
        group=consultation_group(vote.consultation_id),
        event="ballot.cast",
        data={"vote": vote.pk, "consultation": vote.consultation_id},
    )
    return PaperImportResult(lines=len(parse.lines), cards=len(card_ids))
