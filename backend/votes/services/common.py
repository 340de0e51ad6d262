"""What every vote write shares: limits, ballot checks, the vote and voter locks, the upsert."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.consultations.domain import Verb
from backend.consultations.policies import consultation_gate, raise_for
from backend.core import errors
from backend.core.validation import FieldErrors, field_error
from backend.votes.domain import validation
from backend.votes.domain.ballots import Method
from backend.votes.domain.validation import BallotProblemCode, BallotRules
from backend.votes.models import BallotLine, Vote, VoteMethod

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


def ballot_rules(options: Mapping[str, Any]) -> BallotRules:
    """The domain's rules from a vote's options."""
    return BallotRules(
        max_supports=options.get("max_supports"),
        dots_budget=options.get("dot_budget"),
        dots_max_per_item=options.get("dot_max_per_item"),
    )


def ballot_problems(
    *, method: str, options: Mapping[str, Any], items: Collection[int], choices: Mapping[int, int]
) -> list[BallotProblem]:
    """Check one voter's whole ballot (item id -> stored value) with the domain's rules."""
    return [
        BallotProblem(
            item=problem.item,
            code=str(problem.code),
            message=_problem_message(problem.code, options),
        )
        for problem in validation.ballot_problems(
            method=Method(method), ballot=choices, items=items, rules=ballot_rules(options)
        )
    ]


def ensure_vote_open(*, by: User | None, vote: Vote) -> None:
    """VOTE gate for `by` (skipped when None), then 409 phase_closed on a closed vote. The
    caller's roles come from `consultation.my_roles` when the selector read them."""
    if by is not None:
        consultation = vote.consultation
        roles = getattr(consultation, "my_roles", None)
        raise_for(
            consultation_gate(user=by, consultation=consultation, verb=Verb.VOTE, roles=roles)
        )
    if vote.closed_at is not None:
        raise errors.PhaseClosed(
            _("This vote is closed."),
            details={"open_phase": None, "allowed_in": [], "closed_at": vote.closed_at.isoformat()},
        )


def hold_vote_open(*, vote: Vote) -> None:
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
        ensure_vote_open(by=None, vote=vote)


def voter_lock_key(*, vote_id: int, key: str) -> str:
    """The advisory lock name of one voter ("user:<id>" or "card:<id>") on one vote."""
    return f"ballot:{vote_id}:{key}"


def lock_voter(*, vote: Vote, key: str) -> None:
    """Serialize the writes of one voter on one vote (a transaction-scoped advisory lock):
    concurrent submissions of the same ballot run one after the other, the last one wins."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [voter_lock_key(vote_id=vote.pk, key=key)],
        )


def item_ids(vote: Vote) -> set[int]:
    """The vote's items, from the prefetch of vote_get when there is one (items never change
    after creation), or from `vote_get_for_ballot`'s `known_item_ids`."""
    known: frozenset[int] | None = getattr(vote, "known_item_ids", None)
    if known is not None:
        return set(known)
    prefetched = getattr(vote, "_prefetched_objects_cache", {}).get("items")
    if prefetched is not None:
        return {item.pk for item in prefetched}
    return set(vote.items.values_list("pk", flat=True))


def raise_problems(problems: Iterable[BallotProblem], *, prefix: str) -> None:
    fields: FieldErrors = {}
    for problem in problems:
        name = prefix if problem.item is None else f"{prefix}.{problem.item}"
        field_error(fields, name, problem.code, problem.message)
    if fields:
        raise errors.ValidationFailed(fields=fields)


COLUMNS = (
    "vote_id, item_id, voter_user_id, voter_card_id, structure_id, value, origin, "
    "paper_reference, captured_at, entered_by_id, cast_at, updated_at"
)
RETURNED_FIELDS = (
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
_UPDATES = (
    "value = EXCLUDED.value, structure_id = EXCLUDED.structure_id, origin = EXCLUDED.origin, "
    "paper_reference = EXCLUDED.paper_reference, captured_at = EXCLUDED.captured_at, "
    "entered_by_id = EXCLUDED.entered_by_id, updated_at = EXCLUDED.updated_at"
)
VOTER_COLUMNS = frozenset({"voter_user_id", "voter_card_id"})


@dataclass(frozen=True)
class LineRows:
    """Ballot lines to upsert, column by column (one entry per line)."""

    items: Sequence[int]
    values: Sequence[int]
    voter_users: Sequence[int | None]
    voter_cards: Sequence[int | None]
    references: Sequence[str]
    captured_at: Sequence[datetime]


def upsert_lines_sql(*, column: str, returning: bool) -> str:
    """The one INSERT ... ON CONFLICT DO UPDATE of ballot lines, keyed on (vote, item, voter)
    through the partial unique index of `column` (voter_user_id or voter_card_id).

    Parameters, in order: vote id, structure id, origin, entered by, now (cast and updated),
    then the arrays of `LineRows` (items, values, user voters, card voters, references,
    captured at).
    """
    assert column in VOTER_COLUMNS
    returned = f" RETURNING {', '.join(RETURNED_FIELDS)}" if returning else ""
    return (
        f"INSERT INTO {BallotLine._meta.db_table} ({COLUMNS}) "  # noqa: S608 (constant identifiers)
        "SELECT %(vote)s, t.item, t.voter_user, t.voter_card, %(structure)s, t.value, "
        "%(origin)s, t.reference, t.captured_at, %(entered_by)s, %(now)s, %(now)s "
        "FROM unnest(%(items)s::bigint[], %(values)s::smallint[], %(voter_users)s::bigint[], "
        "%(voter_cards)s::bigint[], %(references)s::text[], %(captured)s::timestamptz[]) "
        "AS t(item, value, voter_user, voter_card, reference, captured_at) "
        f"ON CONFLICT (vote_id, item_id, {column}) WHERE {column} IS NOT NULL "
        f"DO UPDATE SET {_UPDATES}{returned}"
    )


def upsert_lines_params(
    *,
    vote_id: int,
    structure_id: int | None,
    origin: str,
    entered_by_id: int,
    now: datetime,
    rows: LineRows,
) -> dict[str, Any]:
    """The parameters of `upsert_lines_sql`."""
    return {
        "vote": vote_id,
        "structure": structure_id,
        "origin": origin,
        "entered_by": entered_by_id,
        "now": now,
        "items": list(rows.items),
        "values": list(rows.values),
        "voter_users": list(rows.voter_users),
        "voter_cards": list(rows.voter_cards),
        "references": list(rows.references),
        "captured": list(rows.captured_at),
    }
