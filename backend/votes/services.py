"""Writes on votes: setting one up, casting a ballot, importing paper ballots, closing."""

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.models import Consultation
from backend.consultations.policies import ensure_allowed
from backend.core import errors
from backend.core.csvfiles import csv_text
from backend.core.pseudonyms import (
    Pseudonymizer,
    ballot_scope,
    person_subject,
    structure_subject,
)
from backend.core.realtime import consultation_group, emit_after_commit
from backend.core.validation import FieldErrors, field_error
from backend.proposals.models import (
    Contribution,
    ContributionKind,
    ContributionStatus,
    ParticipantCard,
)
from backend.structures.models import Membership, Structure
from backend.votes.counting import NO_GROUP, live_counts_apply, tally_groups
from backend.votes.domain import validation
from backend.votes.domain.ballots import Method
from backend.votes.domain.live import ballot_deltas, combined_deltas
from backend.votes.domain.recount import CSV_COLUMNS
from backend.votes.domain.validation import BallotProblemCode, BallotRules
from backend.votes.models import (
    PAPER_REFERENCE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    BallotLine,
    BallotOrigin,
    Vote,
    VoteMethod,
)
from backend.votes.policies import is_self_origin

MAX_ITEMS = 500
MAX_PAPER_LINES = 2000
SMALLINT_MAX = 32767
OPTION_NAMES: dict[str, frozenset[str]] = {
    VoteMethod.SUPPORT: frozenset({"max_supports", "threshold"}),
    VoteMethod.DOTS: frozenset({"dot_budget", "dot_max_per_item"}),
}


@dataclass(frozen=True)
class BallotProblem:
    """A rule a ballot breaks; `item` is None when it concerns the whole ballot."""

    item: int | None
    code: str
    message: str


def _problem_message(code: str, options: Mapping[str, Any]) -> str:
    messages = {
        BallotProblemCode.UNKNOWN_ITEM: _("This item is not part of the vote."),
        BallotProblemCode.INVALID_VALUE: _("This value is not valid for this voting method."),
        BallotProblemCode.TOO_MANY_SUPPORTS: _("You may support at most %(limit)s items.")
        % {"limit": options.get("max_supports")},
        BallotProblemCode.OVER_BUDGET: _("You have %(budget)s points to spread, no more.")
        % {"budget": options.get("dot_budget")},
        BallotProblemCode.TOO_MANY_ON_ITEM: _("At most %(limit)s points on one item.")
        % {"limit": options.get("dot_max_per_item")},
        BallotProblemCode.INVALID_GRADE: _("A grade goes from 0 (Excellent) to 6 (To reject)."),
        BallotProblemCode.INVALID_RANK: _(
            "Ranks go 1, 2, 3 ... up to the number of ranked items (1 is the best)."
        ),
        BallotProblemCode.DUPLICATE_RANK: _("Two items cannot share a rank."),
    }
    return messages.get(BallotProblemCode(code), _("This ballot is not valid."))


def ballot_problems(
    *, method: str, options: Mapping[str, Any], items: Collection[int], choices: Mapping[int, int]
) -> list[BallotProblem]:
    """Check one voter's whole ballot (item id -> stored value) with the domain's rules."""
    rules = BallotRules(
        max_supports=options.get("max_supports"),
        dots_budget=options.get("dot_budget"),
        dots_max_per_item=options.get("dot_max_per_item"),
    )
    return [
        BallotProblem(
            item=problem.item,
            code=str(problem.code),
            message=_problem_message(problem.code, options),
        )
        for problem in validation.ballot_problems(
            method=Method(method), ballot=choices, items=items, rules=rules
        )
    ]


def _check_options(fields: FieldErrors, *, method: str, options: Mapping[str, Any]) -> None:
    allowed = OPTION_NAMES.get(method, frozenset())
    for name in sorted(set(options) - allowed):
        field_error(
            fields,
            f"options.{name}",
            "unknown_option",
            _("This option does not apply to this method."),
        )
    for name in sorted(set(options) & allowed):
        value = options[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SMALLINT_MAX:
            field_error(
                fields,
                f"options.{name}",
                "invalid",
                _("Give a whole number between 1 and %(limit)d.") % {"limit": SMALLINT_MAX},
            )
    if method == VoteMethod.DOTS and "dot_budget" not in options:
        field_error(
            fields,
            "options.dot_budget",
            "required",
            _("A dots vote needs a budget of points."),
        )


@transaction.atomic
def vote_create(
    *,
    by: User,
    consultation: Consultation,
    title: str,
    method: str,
    items: Sequence[int],
    options: Mapping[str, Any] | None = None,
    one_structure_one_voice: bool = False,
    checked_by_workshop: bool = False,
) -> Vote:
    """Set up a vote over published proposals of the consultation (its organizers).

    Gate: MANAGE, unless `checked_by_workshop`: a live workshop's vote activity, whose
    service has checked that the caller runs the workshop. No lock: a vote is a new row.
    Emits `vote.created` after commit.
    """
    if not checked_by_workshop:
        ensure_allowed(user=by, consultation=consultation, verb=Verb.MANAGE)
    options = dict(options or {})
    fields: FieldErrors = {}
    if not title.strip():
        field_error(fields, "title", "blank", _("This field may not be blank."))
    if len(title) > TITLE_MAX_LENGTH:
        field_error(
            fields,
            "title",
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.")
            % {"limit": TITLE_MAX_LENGTH},
        )
    if method not in VoteMethod.values:
        field_error(fields, "method", "invalid_choice", _("Unknown voting method."))
    else:
        _check_options(fields, method=method, options=options)
    wanted = list(dict.fromkeys(items))
    if not wanted:
        field_error(fields, "items", "empty", _("A vote needs at least one item."))
    if len(wanted) > MAX_ITEMS:
        field_error(
            fields,
            "items",
            "max_length",
            _("Ensure this field has no more than %(limit)d elements.") % {"limit": MAX_ITEMS},
        )
    found = set(
        Contribution.objects.filter(
            pk__in=wanted,
            consultation=consultation,
            kind=ContributionKind.PROPOSAL,
            status=ContributionStatus.PUBLISHED,
        ).values_list("pk", flat=True)
    )
    for index, item in enumerate(wanted):
        if item not in found:
            field_error(
                fields,
                f"items.{index}",
                "not_votable",
                _("Only published proposals of this consultation can be voted on."),
            )
    if fields:
        raise errors.ValidationFailed(fields=fields)
    vote = Vote.objects.create(
        consultation=consultation,
        title=title,
        method=method,
        options=options,
        one_structure_one_voice=one_structure_one_voice,
        created_by=by,
    )
    vote.items.set(wanted)
    emit_after_commit(
        group=consultation_group(consultation.pk),
        event="vote.created",
        data={"id": vote.pk, "consultation": consultation.pk},
    )
    return vote


def _ensure_vote_open(*, by: User | None, vote: Vote) -> None:
    if by is not None:
        ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.VOTE)
    if vote.closed_at is not None:
        raise errors.PhaseClosed(
            _("This vote is closed."),
            details={"open_phase": None, "allowed_in": [], "closed_at": vote.closed_at.isoformat()},
        )


def _hold_vote_open(*, vote: Vote) -> None:
    """Share-lock the vote row until commit and check it is still open: vote_close takes the
    row FOR UPDATE, so it waits for the writes in flight and later writes see it closed."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT closed_at FROM {Vote._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608 (constant identifiers)
            [vote.pk],
        )
        row = cursor.fetchone()
    if row is not None and row[0] is not None:
        vote.closed_at = row[0]
        _ensure_vote_open(by=None, vote=vote)


def _lock_voter(*, vote: Vote, key: str) -> None:
    """Serialize the writes of one voter on one vote (a transaction-scoped advisory lock):
    concurrent submissions of the same ballot run one after the other, the last one wins."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"ballot:{vote.pk}:{key}"]
        )


def _item_ids(vote: Vote) -> set[int]:
    """The vote's items, from the prefetch of vote_get when there is one (items never change
    after creation)."""
    prefetched = getattr(vote, "_prefetched_objects_cache", {}).get("items")
    if prefetched is not None:
        return {item.pk for item in prefetched}
    return set(vote.items.values_list("pk", flat=True))


def _with_consultation(vote: Vote) -> Vote:
    """The vote with its consultation loaded (kept when the caller's vote has it already:
    only `closed_at` changes after creation, and it is re-read under the vote's lock)."""
    if Vote.consultation.is_cached(vote):
        return vote
    return Vote.objects.select_related("consultation").get(pk=vote.pk)


def _raise_problems(problems: Iterable[BallotProblem], *, prefix: str) -> None:
    fields: FieldErrors = {}
    for problem in problems:
        name = prefix if problem.item is None else f"{prefix}.{problem.item}"
        field_error(fields, name, problem.code, problem.message)
    if fields:
        raise errors.ValidationFailed(fields=fields)


_COLUMNS = (
    "vote_id, item_id, voter_user_id, voter_card_id, structure_id, value, origin, "
    "paper_reference, captured_at, entered_by_id, cast_at, updated_at"
)
_RETURNED_FIELDS = (
    "id",
    "vote_id",
    "item_id",
    "voter_user_id",
    "voter_card_id",
    "structure_id",
    "value",
    "origin",
    "paper_reference",
    "captured_at",
    "entered_by_id",
    "cast_at",
    "updated_at",
)
_RETURNED = ", ".join(_RETURNED_FIELDS)
_UPDATES = (
    "value = EXCLUDED.value, structure_id = EXCLUDED.structure_id, origin = EXCLUDED.origin, "
    "paper_reference = EXCLUDED.paper_reference, captured_at = EXCLUDED.captured_at, "
    "entered_by_id = EXCLUDED.entered_by_id, updated_at = EXCLUDED.updated_at"
)


@transaction.atomic
def ballot_cast(
    *,
    by: User,
    vote: Vote,
    choices: Mapping[int, int],
    on_behalf_of_card: ParticipantCard | None = None,
    structure: Structure | None = None,
    origin: str = BallotOrigin.WEB,
    paper_reference: str = "",
    captured_at: datetime | None = None,
    checked_by_workshop: bool = False,
) -> list[BallotLine]:
    """Cast or replace a voter's whole ballot: `choices` maps item ids to values; items left
    out lose their line. The voter is `by`, or a participant card a facilitator speaks for.

    Gates: VOTE (phase_closed outside the vote phase or once the vote is closed); a card or
    the origins workshop and paper also need ENTER_ON_BEHALF. Locks: a transaction-scoped
    advisory lock per (vote, voter); the partial unique indexes keep one line per item.
    Writes with INSERT ... ON CONFLICT DO UPDATE, then DELETE of the dropped items.
    Emits `ballot.cast` (vote id only) after commit.

    `checked_by_workshop`: a live workshop's open vote activity, whose service has checked
    that the activity is open and the caller may answer (or speak for the card): the phase
    gates are skipped, a closed vote is still refused.
    """
    vote = _with_consultation(vote)
    if origin not in BallotOrigin.values:
        raise errors.ValidationFailed(
            fields={"origin": [{"code": "invalid_choice", "message": _("Unknown origin.")}]}
        )
    _ensure_vote_open(by=None if checked_by_workshop else by, vote=vote)
    if not checked_by_workshop and (on_behalf_of_card is not None or not is_self_origin(origin)):
        ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.ENTER_ON_BEHALF)
    fields: FieldErrors = {}
    if on_behalf_of_card is not None and is_self_origin(origin):
        field_error(
            fields,
            "origin",
            "card_needs_facilitator_origin",
            _("An entry for a participant card comes from a workshop, paper or the phone."),
        )
    if on_behalf_of_card is not None:
        if on_behalf_of_card.consultation_id != vote.consultation_id:
            field_error(
                fields,
                "on_behalf_of_card",
                "wrong_consultation",
                _("This card belongs to another consultation."),
            )
        if structure is not None:
            field_error(
                fields,
                "structure",
                "not_a_member",
                _("A participant card cannot speak for a structure."),
            )
    elif (
        structure is not None
        and not Membership.objects.filter(structure=structure, user=by).exists()
    ):
        field_error(
            fields, "structure", "not_a_member", _("You must be a member of this structure.")
        )
    if len(paper_reference) > PAPER_REFERENCE_MAX_LENGTH:
        field_error(
            fields,
            "paper_reference",
            "max_length",
            _("Ensure this field has no more than %(limit)d characters.")
            % {"limit": PAPER_REFERENCE_MAX_LENGTH},
        )
    if fields:
        raise errors.ValidationFailed(fields=fields)
    _raise_problems(
        ballot_problems(
            method=vote.method, options=vote.options, items=_item_ids(vote), choices=choices
        ),
        prefix="choices",
    )

    if on_behalf_of_card is not None:
        voter_user_id, voter_card_id = None, on_behalf_of_card.pk
        key, column = f"card:{on_behalf_of_card.pk}", "voter_card_id"
    else:
        voter_user_id, voter_card_id = by.pk, None
        key, column = f"user:{by.pk}", "voter_user_id"
    _hold_vote_open(vote=vote)
    _lock_voter(vote=vote, key=key)
    voter_id = voter_user_id or voter_card_id
    assert voter_id is not None
    before = _ballot_of(vote=vote, column=column, voter_id=voter_id)
    now = timezone.now()
    item_ids = sorted(choices)
    lines: list[BallotLine] = []
    with connection.cursor() as cursor:
        if item_ids:
            cursor.execute(
                f"INSERT INTO {BallotLine._meta.db_table} ({_COLUMNS}) "  # noqa: S608 (constant identifiers)
                "SELECT %s, t.item, %s, %s, %s, t.value, %s, %s, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::smallint[]) AS t(item, value) "
                f"ON CONFLICT (vote_id, item_id, {column}) WHERE {column} IS NOT NULL "
                f"DO UPDATE SET {_UPDATES} RETURNING {_RETURNED}",
                [
                    vote.pk,
                    voter_user_id,
                    voter_card_id,
                    structure.pk if structure is not None else None,
                    origin,
                    paper_reference,
                    captured_at or now,
                    by.pk,
                    now,
                    now,
                    item_ids,
                    [choices[item] for item in item_ids],
                ],
            )
            lines = [BallotLine(**dict(zip(_RETURNED_FIELDS, row, strict=True))) for row in cursor]
        if set(before) - set(choices):
            cursor.execute(
                f"DELETE FROM {BallotLine._meta.db_table} "  # noqa: S608 (constant identifiers)
                f"WHERE vote_id = %s AND {column} = %s AND NOT (item_id = ANY(%s::bigint[]))",
                [vote.pk, voter_id, item_ids],
            )
    deltas, voters = ballot_deltas(before, choices)
    live_counts_apply(vote_id=vote.pk, voter_id=voter_id, deltas=deltas, voters=voters)
    emit_after_commit(
        group=consultation_group(vote.consultation_id),
        event="ballot.cast",
        data={"vote": vote.pk, "consultation": vote.consultation_id},
    )
    return sorted(lines, key=lambda line: line.item_id)


def _ballot_of(*, vote: Vote, column: str, voter_id: int) -> dict[int, int]:
    """A voter's current lines on the vote, item -> value (read under the voter's lock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, value FROM {BallotLine._meta.db_table} "  # noqa: S608 (constant identifiers)
            f"WHERE vote_id = %s AND {column} = %s",
            [vote.pk, voter_id],
        )
        return dict(cursor.fetchall())


@transaction.atomic
def ballot_withdraw(*, by: User, vote: Vote) -> int:
    """Remove the caller's own ballot while the vote is open; returns the lines removed.

    Gate: VOTE. Lock: the voter's advisory lock. Emits `ballot.cast` after commit.
    """
    vote = Vote.objects.select_related("consultation").get(pk=vote.pk)
    _ensure_vote_open(by=by, vote=vote)
    _hold_vote_open(vote=vote)
    _lock_voter(vote=vote, key=f"user:{by.pk}")
    before = _ballot_of(vote=vote, column="voter_user_id", voter_id=by.pk)
    removed, _detail = BallotLine.objects.filter(vote=vote, voter_user=by).delete()
    if removed:
        deltas, voters = ballot_deltas(before, {})
        live_counts_apply(vote_id=vote.pk, voter_id=by.pk, deltas=deltas, voters=voters)
        emit_after_commit(
            group=consultation_group(vote.consultation_id),
            event="ballot.cast",
            data={"vote": vote.pk, "consultation": vote.consultation_id},
        )
    return removed


@dataclass(frozen=True)
class PaperImportResult:
    lines: int
    cards: int


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


PAPER_LINE_FIELDS = frozenset(
    {"card", "card_label", "item", "value", "paper_reference", "captured_at"}
)


@transaction.atomic
def paper_ballots_import(
    *, by: User, vote: Vote, lines: Sequence[Mapping[str, Any]]
) -> PaperImportResult:
    """Record paper ballots, one line per (participant card, item), all or nothing.

    Each line: `card` (id) or `card_label`, `item`, `value`, `paper_reference`, `captured_at`.
    Every line is checked (shape, card, item, value, and each card's whole ballot once the
    lines are applied over its earlier ones); any problem raises one validation error naming
    every bad line as `lines.<index>.<field>` (index from 0; `details.bad_lines` gives line
    numbers from 1), and nothing is written. Otherwise the lines are upserted on (vote, item,
    card); a card's other lines stay.

    Gates: VOTE and ENTER_ON_BEHALF (the consultation's facilitators). Locks: the advisory
    lock of every card involved, in card order. Emits `ballot.cast` after commit.
    """
    vote = Vote.objects.select_related("consultation").get(pk=vote.pk)
    _ensure_vote_open(by=by, vote=vote)
    ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.ENTER_ON_BEHALF)
    fields: FieldErrors = {}
    bad_lines: set[int] = set()

    def bad(index: int, name: str, code: str, message: str) -> None:
        bad_lines.add(index)
        field_error(fields, f"lines.{index}.{name}", code, message)

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
    cards = list(ParticipantCard.objects.filter(consultation=vote.consultation))
    cards_by_id = {card.pk: card for card in cards}
    cards_by_label: dict[str, list[ParticipantCard]] = {}
    for card in cards:
        cards_by_label.setdefault(card.label, []).append(card)
    items = _item_ids(vote)
    now = timezone.now()
    # (index, card id, item id, value, reference, captured at) of the lines that parse.
    parsed: list[tuple[int, int, int, int, str, datetime]] = []
    seen: dict[tuple[int, int], int] = {}
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            bad(index, "non_field_errors", "invalid", _("Each line must be an object."))
            continue
        for name in sorted(set(line) - PAPER_LINE_FIELDS):
            bad(index, name, "unknown_field", _("Unknown field."))
        card_id: int | None = None
        if "card" in line and "card_label" in line:
            bad(index, "card", "card_or_label", _("Give the card or its label, not both."))
        elif "card" in line:
            if not _is_int(line["card"]) or line["card"] not in cards_by_id:
                bad(index, "card", "unknown_card", _("No participant card of this consultation."))
            else:
                card_id = line["card"]
        elif "card_label" in line:
            found = (
                cards_by_label.get(line["card_label"], [])
                if isinstance(line["card_label"], str)
                else []
            )
            if not found:
                bad(
                    index,
                    "card_label",
                    "unknown_card",
                    _("No participant card of this consultation."),
                )
            elif len(found) > 1:
                bad(
                    index,
                    "card_label",
                    "ambiguous_card",
                    _("Several cards have this label: give the card's id."),
                )
            else:
                card_id = found[0].pk
        else:
            bad(index, "card", "required", _("Give the card or its label."))
        item = line.get("item")
        if not _is_int(item) or item not in items:
            bad(index, "item", "unknown_item", _("This item is not part of the vote."))
            item = None
        value = line.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > SMALLINT_MAX:
            bad(index, "value", "invalid", _("A whole number is required."))
            value = None
        reference = line.get("paper_reference", "")
        if not isinstance(reference, str) or len(reference) > PAPER_REFERENCE_MAX_LENGTH:
            bad(
                index,
                "paper_reference",
                "invalid",
                _("Give a text of at most %(limit)d characters.")
                % {"limit": PAPER_REFERENCE_MAX_LENGTH},
            )
            reference = ""
        captured_at = _parse_when(line["captured_at"]) if "captured_at" in line else now
        if captured_at is None:
            bad(index, "captured_at", "invalid", _("Give a date and time in ISO 8601."))
        elif captured_at > now:
            bad(index, "captured_at", "in_the_future", _("This date is in the future."))
        if card_id is None or item is None or value is None or captured_at is None:
            continue
        if (card_id, item) in seen:
            bad(
                index,
                "item",
                "duplicate",
                _("Line %(line)d already gives this card's value for this item.")
                % {"line": seen[(card_id, item)] + 1},
            )
            continue
        seen[(card_id, item)] = index
        parsed.append((index, card_id, item, value, reference, captured_at))

    card_ids = sorted({card_id for _index, card_id, *_rest in parsed})
    _hold_vote_open(vote=vote)
    for card_id in card_ids:
        _lock_voter(vote=vote, key=f"card:{card_id}")
    ballots: dict[int, dict[int, int]] = {card_id: {} for card_id in card_ids}
    for card_id, item_id, value in BallotLine.objects.filter(
        vote=vote, voter_card_id__in=card_ids
    ).values_list("voter_card_id", "item_id", "value"):
        ballots[card_id][item_id] = value
    earlier = {card_id: dict(ballot) for card_id, ballot in ballots.items()}
    indexes: dict[tuple[int, int], int] = {}
    for index, card_id, item_id, value, _reference, _when in parsed:
        ballots[card_id][item_id] = value
        indexes[(card_id, item_id)] = index
    for card_id, ballot in ballots.items():
        for problem in ballot_problems(
            method=vote.method, options=vote.options, items=items, choices=ballot
        ):
            targets = (
                [indexes[(card_id, problem.item)]]
                if problem.item is not None and (card_id, problem.item) in indexes
                else [index for (card, _item), index in indexes.items() if card == card_id]
            )
            for index in targets:
                bad(index, "value", problem.code, problem.message)
    if fields:
        raise errors.ValidationFailed(
            fields=dict(sorted(fields.items(), key=lambda entry: _line_key(entry[0]))),
            details={"bad_lines": sorted(index + 1 for index in bad_lines)},
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BallotLine._meta.db_table} ({_COLUMNS}) "  # noqa: S608 (constant identifiers)
            "SELECT %s, t.item, NULL, t.card, NULL, t.value, %s, t.reference, t.captured_at, "
            "%s, %s, %s FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::text[], "
            "%s::timestamptz[]) AS t(card, item, value, reference, captured_at) "
            "ON CONFLICT (vote_id, item_id, voter_card_id) WHERE voter_card_id IS NOT NULL "
            f"DO UPDATE SET {_UPDATES}",
            [
                vote.pk,
                BallotOrigin.PAPER,
                by.pk,
                now,
                now,
                [row[1] for row in parsed],
                [row[2] for row in parsed],
                [row[3] for row in parsed],
                [row[4] for row in parsed],
                [row[5] for row in parsed],
            ],
        )
    deltas, voters = combined_deltas((earlier[card_id], ballots[card_id]) for card_id in card_ids)
    live_counts_apply(vote_id=vote.pk, voter_id=by.pk, deltas=deltas, voters=voters)
    emit_after_commit(
        group=consultation_group(vote.consultation_id),
        event="ballot.cast",
        data={"vote": vote.pk, "consultation": vote.consultation_id},
    )
    return PaperImportResult(lines=len(parsed), cards=len(card_ids))


def _line_key(name: str) -> tuple[int, str]:
    parts = name.split(".")
    return (int(parts[1]), name) if len(parts) > 2 and parts[1].isdigit() else (-1, name)


def _ballot_file(*, vote: Vote, items: Sequence[int]) -> str:
    """The anonymized ballot file: one row per line, ordered by pseudonym then item (the order
    of casting is not published). Pseudonyms are those of the vote's own family
    (`ballot_scope`). A line cast for a structure staff have not verified shows no structure
    pseudonym and the type `unverified` (it counts as its person's, as in the results). In a
    "one structure, one voice" vote, `superseded` is 1 on a line that a later line of the same
    structure for the same item replaced, so a recount needs no order.
    """
    pseudonyms = Pseudonymizer.for_scope(ballot_scope(vote.pk))
    lines = (
        BallotLine.objects.filter(vote=vote, item_id__in=items)
        .order_by("updated_at", "id")
        .values_list(
            "voter_user_id",
            "voter_card_id",
            "structure_id",
            "structure__type",
            "structure__verified_at",
            "item_id",
            "value",
            "origin",
            "captured_at",
        )
    )
    rows: list[list[Any]] = []
    latest: dict[tuple[int, int], list[Any]] = {}
    for (
        user_id,
        card_id,
        structure_id,
        structure_type,
        verified_at,
        item,
        value,
        origin,
        captured,
    ) in lines:
        speaks_for = structure_id if verified_at is not None else None
        row = [
            pseudonyms.hex(person_subject(user_id=user_id, card_id=card_id)),
            pseudonyms.hex(structure_subject(speaks_for)) if speaks_for is not None else "",
            item,
            value,
            origin,
            structure_type if speaks_for is not None else ("unverified" if structure_id else ""),
            timezone.localtime(captured).date().isoformat(),
            0,
        ]
        if vote.one_structure_one_voice and speaks_for is not None:
            replaced = latest.get((speaks_for, item))
            if replaced is not None:
                replaced[-1] = 1
            latest[(speaks_for, item)] = row
        rows.append(row)
    rows.sort(key=lambda row: (row[0], row[2]))
    return csv_text([CSV_COLUMNS, *rows], line_end="\n")


@transaction.atomic
def vote_close(*, by: User, vote: Vote, checked_by_workshop: bool = False) -> Vote:
    """Close a vote (its organizers): freeze the final result and publish the anonymized
    ballot file with its SHA-256 digest. Ballots are refused afterwards (phase_closed).

    Gate: MANAGE. Lock: the vote row (select_for_update), so ballot casts, which read the
    vote after it, see it closed. Closing twice: 409 conflict. Emits `vote.closed` after
    commit. `checked_by_workshop`: the workshop closing its own vote (no MANAGE gate).
    """
    vote = (
        Vote.objects.select_for_update().select_related("consultation__territory").get(pk=vote.pk)
    )
    if not checked_by_workshop:
        ensure_allowed(user=by, consultation=vote.consultation, verb=Verb.MANAGE)
    if vote.closed_at is not None:
        raise errors.Conflict(
            _("This vote is already closed."),
            details={"closed_at": vote.closed_at.isoformat()},
        )
    items = sorted(_item_ids(vote))
    result = tally_groups(vote=vote, items=items, by_structure=vote.one_structure_one_voice)[
        NO_GROUP
    ]
    vote.ballots_csv = _ballot_file(vote=vote, items=items)
    vote.ballots_digest = hashlib.sha256(vote.ballots_csv.encode()).hexdigest()
    vote.result = result
    vote.closed_at = vote.result_computed_at = timezone.now()
    vote.save(
        update_fields=[
            "closed_at",
            "result",
            "result_computed_at",
            "ballots_csv",
            "ballots_digest",
        ]
    )
    emit_after_commit(
        group=consultation_group(vote.consultation_id),
        event="vote.closed",
        data={"id": vote.pk, "consultation": vote.consultation_id},
    )
    return vote
