"""Writes on votes themselves: setting one up, closing it with its frozen result and file."""

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
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
from backend.proposals.models import Contribution, ContributionKind, ContributionStatus
from backend.votes.domain.recount import CSV_COLUMNS
from backend.votes.models import TITLE_MAX_LENGTH, BallotLine, Vote, VoteMethod
from backend.votes.selectors.counting import NO_GROUP, tally_groups
from backend.votes.services.common import MAX_ITEMS, OPTION_NAMES, SMALLINT_MAX, item_ids


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
    items = sorted(item_ids(vote))
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
